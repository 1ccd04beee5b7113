"""MISSING_FIELD: required fields per kind (DESIGN §1); the rest of the rows still load.

Emergency contacts need a name, a phone, a role and a response-time limit; business
contacts a name, a phone, a title and a department. A row missing one is reported with
the record (system, object, row) and the field, counted as reported, and never synced.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contactsync.models import Kind
from reconcile_helpers import Scenario, business, emergency, findings

EMERGENCY_GAPS = [
    ({"name": ""}, "name"),
    ({"phones": ()}, "phones"),
    ({"role": None}, "role"),
    ({"role": "   "}, "role"),
    ({"response_minutes": None}, "response_time_limit"),
]
BUSINESS_GAPS = [
    ({"name": ""}, "name"),
    ({"phones": ()}, "phones"),
    ({"title": None}, "title"),
    ({"department": None}, "department"),
]


@pytest.mark.parametrize(
    ("kind", "gap", "field"),
    [(Kind.EMERGENCY, g, f) for g, f in EMERGENCY_GAPS]
    + [(Kind.BUSINESS, g, f) for g, f in BUSINESS_GAPS],
)
def test_a_row_missing_a_required_field_is_reported_and_the_rest_load(
    scenario: Callable[..., Scenario], kind: Kind, gap: dict[str, Any], field: str
) -> None:
    make = emergency if kind is Kind.EMERGENCY else business
    built: Scenario = scenario()
    built.hub()
    built.csv("branch", [
        make("C1", "张一", "13800138001", priority=1),
        make("C1", "李二", "13800138002", priority=2).but(**gap),
        make("C1", "王三", "13800138003", priority=3),
    ])

    result, _ = built.sync()

    (missing,) = findings(result, "MISSING_FIELD")
    assert missing.records == (f"branch/branch/{kind.value}.csv/row 3",)
    assert missing.details == {"field": field, "kind": kind.value}
    assert missing.customer == "C1"
    assert field in missing.message and "row 3" in missing.message
    assert missing.needs_person
    assert {r["name"] for r in built.raw_rows("hub", kind)} == {"张一", "王三"}
    accounting = result.plan.accounting
    assert (accounting["records"], accounting["synced"], accounting["reported"]) == (3, 2, 1)


def test_an_optional_field_left_empty_is_no_finding(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.csv("branch", [emergency("C1", "张一", "13800138001", priority=None, email=None)])

    assert findings(built.plan(), "MISSING_FIELD") == []


def test_a_required_field_of_the_other_kind_is_not_required(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    # An emergency contact needs no department, a business contact no role.
    built.csv("branch", [
        emergency("C1", "张一", "13800138001", department=None),
        business("C1", "王五", "13900139000", role=None),
    ])

    result = built.plan()

    assert findings(result, "MISSING_FIELD") == []
    assert result.plan.accounting["synced"] == 2


def test_the_finding_carries_no_phone_or_email(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.csv("branch", [emergency("C1", "张一", "13800138001", role=None,
                                   email="zhang@example.com")])

    (missing,) = findings(built.plan(), "MISSING_FIELD")

    assert "13800138001" not in missing.message and "zhang@" not in missing.message

"""REVIEW_OVERDUE: emergency contacts are reviewed on a schedule (DESIGN invariant 3).

Calendar months with month-end clipping, the date taken in the business time zone; a
contact never reviewed is overdue; the newest review seen in any system (or recorded with
``contactsync review mark``) propagates to every system.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner

from contactsync.cli import cli
from contactsync.models import Kind
from contactsync.plugins import hookimpl
from contactsync.review import ReviewDue
from reconcile_helpers import Scenario, codes, emergency, findings, ops


def _one_reviewed(
    scenario: Callable[..., Scenario], reviewed_at: str | None, **options: Any
) -> Scenario:
    built: Scenario = scenario(**options)
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1,
                         reviewed_at=reviewed_at, reviewed_by="李复核" if reviewed_at else None)])
    return built


@pytest.mark.parametrize(
    ("reviewed_at", "as_of", "due"),
    [
        # 3 calendar months, clipped to the month's end.
        ("2026-11-30T10:00:00+08:00", date(2027, 2, 28), "2027-02-28"),
        ("2027-11-30T10:00:00+08:00", date(2028, 2, 29), "2028-02-29"),
        ("2026-08-31T10:00:00+08:00", date(2026, 12, 4), "2026-11-30"),
        # Due on the day itself is due.
        ("2026-09-04T10:00:00+08:00", date(2026, 12, 4), "2026-12-04"),
    ],
)
def test_a_review_is_overdue_from_its_due_date_on(
    scenario: Callable[..., Scenario], reviewed_at: str, as_of: date, due: str
) -> None:
    built = _one_reviewed(scenario, reviewed_at)

    (overdue,) = findings(built.plan(as_of=as_of), "REVIEW_OVERDUE")

    assert overdue.details == {"due": due}
    assert overdue.key == "h1" and overdue.records == ("hub/emergency_contacts/h1",)
    assert f"was due {due}" in overdue.message


@pytest.mark.parametrize(
    ("reviewed_at", "as_of"),
    [
        ("2026-11-30T10:00:00+08:00", date(2027, 2, 27)),
        ("2026-09-05T10:00:00+08:00", date(2026, 12, 4)),
    ],
)
def test_a_review_is_not_overdue_before_its_due_date(
    scenario: Callable[..., Scenario], reviewed_at: str, as_of: date
) -> None:
    built = _one_reviewed(scenario, reviewed_at)

    assert findings(built.plan(as_of=as_of), "REVIEW_OVERDUE") == []


@pytest.mark.parametrize(("zone", "overdue"), [("Asia/Shanghai", False), ("UTC", True)])
def test_the_review_date_is_taken_in_the_business_time_zone(
    scenario: Callable[..., Scenario], zone: str, overdue: bool
) -> None:
    # 2026-08-31 17:00 UTC is already 1 September in Shanghai: due 1 December there,
    # but 30 November in UTC.
    built = _one_reviewed(scenario, "2026-08-31T17:00:00Z", sync={"business_timezone": zone})

    found = findings(built.plan(as_of=date(2026, 11, 30)), "REVIEW_OVERDUE")

    assert bool(found) is overdue


def test_a_contact_never_reviewed_is_overdue(scenario: Callable[..., Scenario]) -> None:
    built = _one_reviewed(scenario, None)

    (overdue,) = findings(built.plan(), "REVIEW_OVERDUE")

    assert overdue.details == {"due": None}
    assert "never been reviewed" in overdue.message


@pytest.mark.parametrize(
    ("policy", "contact_months", "overdue"),
    [({"review_interval_months": 1}, None, True), ({}, 1, True), ({}, 6, False),
     ({"review_interval_months": 1}, 6, False)],
)
def test_the_interval_is_the_contacts_own_else_the_configured_one(
    scenario: Callable[..., Scenario], policy: dict[str, int], contact_months: int | None,
    overdue: bool,
) -> None:
    built: Scenario = scenario(policy=policy)
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1,
                         reviewed_at="2026-10-15T10:00:00+08:00", reviewed_by="李",
                         review_interval_months=contact_months)])

    assert bool(findings(built.plan(), "REVIEW_OVERDUE")) is overdue


def test_the_newest_review_in_any_system_reaches_every_system(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1,
                         reviewed_at="2026-08-01T10:00:00+08:00", reviewed_by="甲")])
    built.csv("branch", [emergency("C1", "张一", "138 0013 8001", priority=1,
                                   reviewed_at="2026-11-20T10:00:00+08:00", reviewed_by="乙")])
    built.legacy("legacy", [emergency("C1", "张一", "0086 13800138001", priority=1,
                                      reviewed_at="2026-09-01 10:00", reviewed_by="丙")])
    built.write()
    legacy_before = built.path("legacy", Kind.BUSINESS).read_bytes()

    result, _ = built.sync()

    (update,) = ops(result, system="hub", action="update")
    assert update.changes["last_reviewed_at"] == {
        "before": "2026-08-01T02:00:00Z", "after": "2026-11-20T02:00:00Z",
    }
    assert update.changes["reviewed_by"] == {"before": "甲", "after": "乙"}
    assert "CONFLICT" not in codes(result)
    assert "REVIEW_OVERDUE" not in codes(result)
    (hub,) = built.raw_rows("hub", Kind.EMERGENCY)
    assert (hub["last_reviewed_at"], hub["reviewed_by"]) == ("2026-11-20T02:00:00Z", "乙")
    assert built.path("legacy", Kind.BUSINESS).read_bytes() == legacy_before
    assert built.plan().plan.empty


def test_review_mark_propagates_to_every_system(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1,
                         reviewed_at="2026-05-01T10:00:00+08:00", reviewed_by="甲")])
    built.csv("branch", [])
    built.sync()
    assert "REVIEW_OVERDUE" in codes(built.plan())

    marked = CliRunner().invoke(cli, [
        "review", "mark", "--config", str(built.config_path), "--customer", "C1",
        "--contact", "h1", "--by", "丙", "--at", "2026-12-01T10:00:00",
    ])
    assert marked.exit_code == 0, marked.output

    result, _ = built.sync()

    assert {op.system for op in ops(result, action="update")} == {"hub", "branch"}
    assert "REVIEW_OVERDUE" not in codes(result)
    for system in ("hub", "branch"):
        (row,) = built.raw_rows(system, Kind.EMERGENCY)
        assert (row["last_reviewed_at"], row["reviewed_by"]) == ("2026-12-01T02:00:00Z", "丙")
    assert built.plan().plan.empty


class Notified:
    def __init__(self) -> None:
        self.due: list[list[ReviewDue]] = []

    @hookimpl
    def contactsync_reviews_due(self, due: list[ReviewDue]) -> None:
        self.due.append(due)


def test_due_reviews_are_announced_to_plugins_sorted_by_due_date(
    scenario: Callable[..., Scenario],
) -> None:
    plugin = Notified()
    built: Scenario = scenario(host_plugins=[("notified", plugin)])
    built.hub([
        emergency("C1", "张一", "13800138001", key="h1", priority=1,
                  reviewed_at="2026-08-15T10:00:00+08:00", reviewed_by="甲"),
        emergency("C1", "李二", "13800138002", key="h2", priority=2,
                  reviewed_at="2026-07-01T10:00:00+08:00", reviewed_by="甲"),
        emergency("C2", "王三", "13800138003", key="h3", priority=1),
        emergency("C2", "赵四", "13800138004", key="h4", priority=2,
                  reviewed_at="2026-11-01T10:00:00+08:00", reviewed_by="甲"),
    ])

    built.plan()

    (due,) = plugin.due
    assert [(d.key, d.due) for d in due] == [
        ("h3", None), ("h2", date(2026, 10, 1)), ("h1", date(2026, 11, 15)),
    ]

"""PHONE_UNVERIFIED: an emergency contact with no valid E.164 phone cannot be called."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contactsync.models import Kind
from reconcile_helpers import Scenario, business, emergency, findings


@pytest.mark.parametrize(
    ("phones", "problem"),
    [
        (("1.37001E+10",), "precision lost"),  # a spreadsheet's scientific notation
        (("5555 0003",), "area code"),  # a landline without its area code
        (("12345",), ""),
    ],
)
def test_an_emergency_contact_with_no_valid_phone_is_reported(
    scenario: Callable[..., Scenario], phones: tuple[str, ...], problem: str
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "吴八", "x", key="h1", priority=1).but(phones=phones)])

    (unverified,) = findings(built.plan(), "PHONE_UNVERIFIED")

    assert unverified.key == "h1" and unverified.customer == "C1"
    assert unverified.records == ("hub/emergency_contacts/h1",)
    assert problem in unverified.message
    assert unverified.needs_person
    digits = "".join(ch for ch in phones[0] if ch.isdigit())
    assert digits[:5] not in unverified.message  # the number itself is not repeated


def test_one_valid_phone_among_invalid_ones_is_enough(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "吴八", "x", key="h1", priority=1).but(
        phones=("1.37001E+10", "13800138008"))])

    assert findings(built.plan(), "PHONE_UNVERIFIED") == []


def test_a_number_corrected_in_another_system_settles_it(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "吴八", "x", key="h1", priority=1).but(phones=("1.37001E+10",))])
    built.csv("branch")
    first, _ = built.sync()
    assert [f.key for f in findings(first, "PHONE_UNVERIFIED")] == ["h1"]

    built.edit_csv("branch", Kind.EMERGENCY, "吴八", phone="13700137008")
    result, _ = built.sync()

    assert findings(result, "PHONE_UNVERIFIED") == []
    (hub,) = built.raw_rows("hub", Kind.EMERGENCY)
    assert "+8613700137008" in hub["phones"]


def test_business_contacts_are_not_checked(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.hub([business("C1", "王五", "x", key="b1").but(phones=("1.37001E+10",))])

    assert findings(built.plan(), "PHONE_UNVERIFIED") == []


def test_a_quarantined_contact_is_not_reported(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario(policy={"emergency_max": 1})
    built.hub([
        emergency("C1", "张一", "13800138001", key="h1", priority=1),
        emergency("C1", "吴八", "x", key="h2", priority=2).but(phones=("12345",)),
    ])

    result = built.plan()

    assert [q.key for q in result.plan.quarantine] == ["h2"]
    assert findings(result, "PHONE_UNVERIFIED") == []


def test_an_edit_to_a_number_that_cannot_be_called_keeps_the_working_one_everywhere(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "吴八", "13700137008", key="h1", priority=1)])
    built.csv("branch")
    built.sync()
    built.edit_csv("branch", Kind.EMERGENCY, "吴八", phone="not a phone")

    result, _ = built.sync()

    (unverified,) = findings(result, "PHONE_UNVERIFIED")
    assert "hub holds are kept" in unverified.message
    (hub,) = built.raw_rows("hub", Kind.EMERGENCY)
    assert "13700137008" in hub["phones"]  # the working number is not replaced
    (row,) = built.raw_rows("branch", Kind.EMERGENCY)
    assert "13700137008" in row["phone"]  # and goes back where it was broken
    assert built.plan().plan.empty


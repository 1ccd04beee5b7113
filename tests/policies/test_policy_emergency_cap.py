"""CAP_EXCEEDED and NO_EMERGENCY_CONTACT: 1 to 3 emergency contacts (DESIGN invariant 2).

After de-duplication across all systems the top n are kept in the documented order
(priority, decision authority, newest review, newest update, key); the rest go to
quarantine and are never pushed to a system that lacks them. A system already above the
cap is reported and left alone, or with ``enforce_cap`` has its overflow archived once
the quarantine holds a full copy. No system is ever pushed above the cap.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from contactsync.config import PolicySettings, SyncSettings
from contactsync.errors import ConfigError
from contactsync.findings import Code
from contactsync.models import CONTACT_ADAPTER, Kind
from contactsync.policies.base import CustomerDraft, PolicyContext
from contactsync.policies.emergency_cap import EmergencyCapPolicy
from contactsync.policies.ranking import ranked
from contactsync.reconcile.records import Group
from reconcile_helpers import Scenario, business, codes, emergency, findings, ops

# -- the order, on groups built in memory -------------------------------------------------


def group(key: str, *, updated: datetime | None = None, **values: Any) -> Group:
    built = Group(key=key, kind=Kind.EMERGENCY, customer="C1")
    built.merged_values = {"name": key, **values}
    built.newest_update = updated
    return built


OLD, NEW = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("better", "worse"),
    [
        # The lower priority number wins over everything after it.
        (group("z", priority=1), group("a", priority=2, decision_authority=True,
                                        last_reviewed_at="2026-11-01T00:00:00Z", updated=NEW)),
        # An unset priority ranks after any number.
        (group("z", priority=3), group("a", decision_authority=True, updated=NEW)),
        # Same priority: decision authority.
        (group("z", priority=1, decision_authority=True),
         group("a", priority=1, decision_authority=False,
               last_reviewed_at="2026-11-01T00:00:00Z", updated=NEW)),
        # Same so far: the newest review (a review beats none).
        (group("z", priority=1, last_reviewed_at="2026-11-01T00:00:00Z"),
         group("a", priority=1, last_reviewed_at="2026-10-01T00:00:00Z", updated=NEW)),
        (group("z", priority=1, last_reviewed_at="2026-10-01T00:00:00Z"),
         group("a", priority=1, updated=NEW)),
        # Same so far: the newest update.
        (group("z", priority=1, updated=NEW), group("a", priority=1, updated=OLD)),
        (group("z", priority=1, updated=OLD), group("a", priority=1)),
        # All equal: the key.
        (group("a", priority=1), group("b", priority=1)),
    ],
)
def test_the_documented_order_decides_who_is_kept(better: Group, worse: Group) -> None:
    assert ranked([worse, better]) == [better, worse]
    draft = CustomerDraft("C1", [worse, better])

    EmergencyCapPolicy().evaluate(draft, _context(emergency_max=1))

    assert better.quarantine is None
    assert worse.quarantine is not None and "ranked 2 of 2" in worse.quarantine


def _context(quarantined: dict[str, str] | None = None, **policy: Any) -> PolicyContext:
    return PolicyContext(
        PolicySettings(**policy), SyncSettings(), date(2026, 12, 4), {}, False,
        quarantined or {},
    )


def test_quarantine_is_sticky_whatever_the_ranking_says_now() -> None:
    held = group("q", priority=1, decision_authority=True)
    others = [group(k, priority=2) for k in ("a", "b", "c")]
    draft = CustomerDraft("C1", [held, *others])

    EmergencyCapPolicy().evaluate(draft, _context({"q": "over the cap earlier"}))

    assert held.quarantine == "over the cap earlier"
    assert [g.quarantine for g in others] == [None, None, None]


def test_a_free_place_releases_from_quarantine_in_ranking_order() -> None:
    best = group("q1", priority=1, decision_authority=True)
    second = group("q2", priority=2)
    kept = [group(k, priority=2) for k in ("a", "b")]
    draft = CustomerDraft("C1", [second, best, *kept])

    EmergencyCapPolicy().evaluate(draft, _context({"q1": "earlier", "q2": "earlier"}))

    assert (best.quarantine, best.released) == (None, True)
    assert (second.quarantine, second.released) == ("earlier", False)


# -- bounds -------------------------------------------------------------------------------


def _customer_with(count: int, customer: str = "C1") -> list[Any]:
    return [
        emergency(customer, f"人{i}", f"1380013800{i}", key=f"{customer}-h{i}", priority=min(i, 3))
        for i in range(1, count + 1)
    ]


@pytest.mark.parametrize(("high", "count"), [(1, 2), (2, 3), (3, 4), (3, 5)])
def test_the_cap_is_configurable_and_the_overflow_is_quarantined(
    scenario: Callable[..., Scenario], high: int, count: int
) -> None:
    built: Scenario = scenario(policy={"emergency_max": high})
    built.hub(_customer_with(count))

    result = built.plan()

    assert sorted(q.key for q in result.plan.quarantine) == [
        f"C1-h{i}" for i in range(high + 1, count + 1)
    ]
    (total, system) = sorted(findings(result, "CAP_EXCEEDED"), key=lambda f: "system" in f.details)
    assert total.details["max"] == high and total.details["count"] == count
    assert system.details == {"system": "hub", "count": count, "max": high}
    assert "left as it is" in system.message


@pytest.mark.parametrize(("low", "count", "reported"), [(1, 0, True), (2, 1, True), (2, 2, False)])
def test_too_few_emergency_contacts_is_reported(
    scenario: Callable[..., Scenario], low: int, count: int, reported: bool
) -> None:
    built: Scenario = scenario(policy={"emergency_min": low})
    built.hub([*_customer_with(count), business("C1", "王五", "13900139000", key="b1")])

    result = built.plan()

    found = findings(result, "NO_EMERGENCY_CONTACT")
    assert bool(found) is reported
    if reported:
        assert found[0].customer == "C1"
        assert found[0].details == {"count": count, "min": low}


def test_a_customer_whose_contacts_are_all_quarantined_gets_them_back(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub(_customer_with(1))
    with built.workspace() as ws:
        ws.store.quarantine("C1-h1", "C1", "emergency", "held back earlier", {"name": "人1"})

    result = built.plan()

    assert findings(result, "NO_EMERGENCY_CONTACT") == []
    assert result.plan.released == ["C1-h1"]


@pytest.mark.parametrize("bounds", [{"emergency_max": 4}, {"emergency_min": 0},
                                    {"emergency_min": 3, "emergency_max": 2}])
def test_bounds_outside_one_to_three_are_refused(
    scenario: Callable[..., Scenario], bounds: dict[str, int]
) -> None:
    built: Scenario = scenario(policy=bounds)
    built.hub()

    with pytest.raises(ConfigError, match="emergency_m"), built.workspace():
        pass


# -- across systems -----------------------------------------------------------------------


def test_overflow_across_systems_goes_to_quarantine_and_nowhere_else(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([
        emergency("C1", "甲", "13800138001", key="h1", priority=1, authority=True,
                  relationship="法定代表人", email="jia@example.com"),
        emergency("C1", "乙", "13800138002", key="h2", priority=2),
        emergency("C1", "丙", "13800138003", key="h3", priority=3),
    ])
    built.csv("branch", [
        emergency("C1", "丁", "13800138004", priority=1, authority=True,
                  reviewed_at="2026-11-20T02:00:00Z", reviewed_by="李"),
        emergency("C1", "戊", "13800138005", priority=3, relationship="员工",
                  email="wu@example.com"),
    ])

    result, summary = built.sync()

    # 甲 and 丁 share priority 1 with authority; 丁's review is newer. Then 乙; then
    # 丙 and 戊 (priority 3) are the overflow, 丙 before 戊 by key.
    names = {g.key: g.merged_values["name"] for g in result.groups}
    held = {names[q.key]: q for q in result.plan.quarantine}
    assert set(held) == {"丙", "戊"}
    assert "ranked 5 of 5" in held["戊"].reason or "ranked 4 of 5" in held["戊"].reason
    # A full copy: every field the systems hold.
    assert held["戊"].values["relationship"] == "员工"
    assert held["戊"].values["email"] == "wu@example.com"
    CONTACT_ADAPTER.validate_python({**held["戊"].values, "kind": "emergency"})
    # Never pushed where it is not: 戊 stays in branch only, 丙 in the hub only.
    quarantined_keys = {q.key for q in result.plan.quarantine}
    assert not [op for op in result.plan.operations
                if op.key in quarantined_keys and op.action != "archive"]
    assert summary.quarantined == 2
    with built.workspace() as ws:
        assert {e.key for e in ws.store.quarantined()} == quarantined_keys
    # Each system keeps the quarantined contact it had (no enforce_cap), so the hub has no
    # room for 丁, and branch room for one: 甲, who ranks before 乙. Both refusals reported.
    assert {r["name"] for r in built.raw_rows("hub", Kind.EMERGENCY)} == {"甲", "乙", "丙"}
    assert {r["name"] for r in built.raw_rows("branch", Kind.EMERGENCY)} == {"甲", "丁", "戊"}
    refused = {(f.details["system"], names[f.key]) for f in findings(result, "CAP_EXCEEDED")
               if "holding" in f.details}
    assert refused == {("hub", "丁"), ("branch", "乙")}
    assert built.plan().plan.empty  # the renumbered priorities do not unsettle the kept set


def test_a_system_above_the_cap_is_reported_and_left_alone_by_default(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub(_customer_with(5))
    built.csv("branch")

    result, _ = built.sync()

    (system,) = [f for f in findings(result, "CAP_EXCEEDED") if "system" in f.details]
    assert system.details == {"system": "hub", "count": 5, "max": 3}
    assert ops(result, action="archive") == []
    assert len(built.raw_rows("hub", Kind.EMERGENCY)) == 5
    assert len(built.raw_rows("branch", Kind.EMERGENCY)) == 3
    assert built.plan().plan.empty


def test_with_enforce_cap_the_overflow_is_archived_after_its_copy_is_quarantined(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario(policy={"enforce_cap": True})
    built.hub(_customer_with(5))

    result, summary = built.sync()

    archived = {op.key for op in ops(result, action="archive")}
    assert archived == {q.key for q in result.plan.quarantine} == {"C1-h4", "C1-h5"}
    assert all("a full copy is in quarantine" in op.reason for op in ops(result, action="archive"))
    assert (summary.quarantined, summary.archived) == (2, 2)
    with built.workspace() as ws:
        copies = {e.key: e.data for e in ws.store.quarantined()}
    assert copies["C1-h5"]["name"] == "人5"
    assert copies["C1-h5"]["phones"][0]["e164"] == "+8613800138005"
    assert len(built.raw_rows("hub", Kind.EMERGENCY)) == 3
    assert built.plan().plan.empty


def test_no_system_is_pushed_above_the_cap(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "甲", "13800138001", key="h1", priority=1, authority=True)])
    built.csv("branch", [
        emergency("C1", f"分{i}", f"1390013900{i}", priority=i) for i in (1, 2, 3)
    ])

    result, _ = built.sync()

    # 甲 is kept (priority 1 with authority), so is 分1 and 分2; 分3 is quarantined but
    # still in branch, which already holds three: 甲 is not created there.
    assert ops(result, system="branch", action="create") == []
    (refused,) = [f for f in findings(result, "CAP_EXCEEDED") if "holding" in f.details]
    assert refused.details == {"system": "branch", "holding": 3, "max": 3}
    assert len(built.raw_rows("branch", Kind.EMERGENCY)) == 3
    assert len(built.raw_rows("hub", Kind.EMERGENCY)) == 3
    assert built.plan().plan.empty


def test_a_duplicate_row_takes_room_in_its_system(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.hub(_customer_with(3))
    built.csv("branch", [
        emergency("C1", "人1", "13800138001", priority=1),
        emergency("C1", "人1", "+86 138 0013 8001", priority=1),  # the same person again
    ])

    result, _ = built.sync()

    assert "DUPLICATE_IN_SYSTEM" in codes(result)
    assert len(built.raw_rows("branch", Kind.EMERGENCY)) <= 3


def test_an_unreadable_row_takes_room_in_its_system(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.hub(_customer_with(3))
    built.csv("branch", [
        emergency("C1", "人1", "13800138001", priority=1),
        emergency("C1", "另一位", "13700137001", priority=2, role=None),  # MISSING_FIELD
        emergency("C1", "又一位", "13700137002", priority=3, response_minutes=None),
    ])

    result, _ = built.sync()

    assert len(findings(result, "MISSING_FIELD")) == 2
    assert len(built.raw_rows("branch", Kind.EMERGENCY)) == 3  # 1 + 2 unreadable: full


def test_the_quarantine_keeps_its_full_copy_and_its_person_when_a_read_only_sheet_remains(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario(policy={"enforce_cap": True})
    built.hub([
        *_customer_with(3),
        emergency("C1", "人4", "13800138004", key="C1-h4", priority=3,
                  relationship="员工", email="p4@example.com"),
    ])
    built.legacy("legacy", [emergency("C1", "人4", "138-0013-8004", priority=3)])

    first, _ = built.sync()
    assert [q.key for q in first.plan.quarantine] == ["C1-h4"]

    # The hub's copy is archived; the legacy row (no key, read-only) is all that is left.
    second = built.plan()
    assert second.plan.empty
    assert [sorted(g.members) for g in second.groups if g.key == "C1-h4"] == [["legacy"]]
    with built.workspace() as ws:
        (entry,) = ws.store.quarantined()
    assert (entry.key, entry.data["email"], entry.data["relationship"]) == (
        "C1-h4", "p4@example.com", "员工",
    )
    assert {r["name"] for r in built.raw_rows("hub", Kind.EMERGENCY)} == {"人1", "人2", "人3"}


def test_archiving_unkeyed_rows_never_shifts_rows_that_are_still_found_by_position(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario(policy={"enforce_cap": True})
    built.hub()
    built.csv("branch", [  # no keys yet: every row is found by its row number
        emergency("C1", "末位", "13800138009", priority=3),
        emergency("C1", "甲", "13800138001", priority=1),
        emergency("C1", "乙", "13800138002", priority=2),
        emergency("C1", "丙", "13800138003", priority=3, authority=True),
    ])

    first, summary = built.sync()

    assert not summary.failed
    keys = {g.merged_values["name"]: g.key for g in first.groups}
    rows = {r["name"]: r["contactsync_key"] for r in built.raw_rows("branch", Kind.EMERGENCY)}
    assert all(rows[name] == keys[name] for name in ("甲", "乙", "丙")), rows
    # Updates go out before archives, so the archive is safe in the same run.
    assert findings(first, "DEFERRED") == []
    assert [op.key for op in ops(first, action="archive")] == [keys["末位"]]
    assert set(rows) == {"甲", "乙", "丙"}
    assert built.plan().plan.empty


def test_a_cap_finding_never_names_a_phone_or_email(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.hub([p.but(email=f"x{p.key}@example.com") for p in _customer_with(4)])

    result = built.plan()

    for finding in findings(result, "CAP_EXCEEDED"):
        assert "@" not in finding.message and "138001380" not in finding.message
        assert finding.code is Code.CAP_EXCEEDED


def test_a_place_freed_under_the_cap_releases_the_best_quarantined_contact(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub()
    built.csv("branch", [
        emergency("C1", "甲", "13800138001", priority=1),
        emergency("C1", "乙", "13800138002", priority=2),
        emergency("C1", "丙", "13800138003", priority=3, authority=True),
        emergency("C1", "丁", "13800138004", priority=3),
    ])
    first, _ = built.sync()
    (held,) = first.plan.quarantine
    assert held.values["name"] == "丁"

    built.remove_csv("branch", Kind.EMERGENCY, "乙")  # a kept contact leaves
    second, summary = built.sync()
    assert not summary.failed
    assert second.plan.released == [held.key]
    assert [f.key for f in findings(second, "RELEASED")] == [held.key]
    with built.workspace() as ws:
        assert not ws.store.is_quarantined(held.key)
    names = {r["name"] for r in built.raw_rows("hub", Kind.EMERGENCY)}
    assert names == {"甲", "丙", "丁"}  # 乙 archived, 丁 back: three again, never more
    assert built.plan().plan.empty


def test_with_enforcement_rows_that_cannot_be_synced_are_not_promised_an_archive(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario(policy={"emergency_max": 3, "enforce_cap": True})
    built.hub([])
    built.csv("branch", [
        emergency("C1", "甲", "13800138001"),
        emergency("C1", "乙", "13800138002"),
        emergency("C1", "丙", "13800138003", role=None),  # cannot be read
        emergency("C1", "丁", "13800138004", role=None),
    ])

    result = built.plan()

    (exceeded,) = [f for f in findings(result, "CAP_EXCEEDED") if "holds 4" in f.message]
    assert "2 of them cannot be synced" in exceeded.message
    assert "nothing is archived" in exceeded.message
    assert not [op for op in result.plan.operations if op.action == "archive"]

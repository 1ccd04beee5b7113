"""DUPLICATE_PRIORITY: priorities 1..n are unique per customer (DESIGN invariant 2).

Renumbered deterministically in the ranking order, written to every system, and stable:
the next run finds nothing to renumber.
"""

from __future__ import annotations

from collections.abc import Callable

from contactsync.models import Kind
from reconcile_helpers import Scenario, emergency, findings, ops


def _priorities(built: Scenario, system: str) -> dict[str, int]:
    return {r["name"]: int(r["priority"]) for r in built.raw_rows(system, Kind.EMERGENCY)}


def test_duplicate_priorities_are_renumbered_in_ranking_order_everywhere(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([
        emergency("C1", "张一", "13800138001", key="h1", priority=1),
        emergency("C1", "李二", "13800138002", key="h2", priority=1, authority=True),
    ])
    built.csv("branch", [emergency("C1", "王三", "13800138003", priority=2)])

    result, _ = built.sync()

    (duplicate,) = findings(result, "DUPLICATE_PRIORITY")
    assert duplicate.details == {"before": [1, 1, 2], "after": [1, 2, 3]}
    assert duplicate.customer == "C1"
    # 李二 has decision authority, so ranks first among the two at priority 1.
    expected = {"李二": 1, "张一": 2, "王三": 3}
    assert _priorities(built, "hub") == expected
    assert _priorities(built, "branch") == expected
    second = built.plan()
    assert second.plan.empty
    assert findings(second, "DUPLICATE_PRIORITY") == []


def test_the_same_duplicates_are_always_renumbered_the_same_way(
    scenario: Callable[..., Scenario],
) -> None:
    people = [
        emergency("C1", "张一", "13800138001", key="h1", priority=2),
        emergency("C1", "李二", "13800138002", key="h2", priority=2),
        emergency("C1", "王三", "13800138003", key="h3", priority=2),
    ]
    numbering = []
    for order in (people, list(reversed(people))):
        built: Scenario = scenario()
        built.hub(order)
        result = built.plan()
        numbering.append({
            op.values["name"]: op.values["priority"] for op in ops(result, action="update")
        } | {g.merged_values["name"]: g.merged_values["priority"] for g in result.groups})

    assert numbering[0] == numbering[1] == {"张一": 1, "李二": 2, "王三": 3}  # by key


def test_gaps_and_missing_priorities_close_up_without_a_duplicate_finding(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([
        emergency("C1", "张一", "13800138001", key="h1", priority=3),
        emergency("C1", "李二", "13800138002", key="h2", priority=None),
    ])

    result, _ = built.sync()

    assert findings(result, "DUPLICATE_PRIORITY") == []
    assert _priorities(built, "hub") == {"张一": 1, "李二": 2}
    assert built.plan().plan.empty


def test_quarantined_contacts_take_no_number(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.hub([
        emergency("C1", f"人{i}", f"1380013800{i}", key=f"h{i}", priority=1) for i in range(1, 5)
    ])

    result, _ = built.sync()

    (duplicate,) = findings(result, "DUPLICATE_PRIORITY")
    assert duplicate.details == {"before": [1, 1, 1], "after": [1, 2, 3]}
    assert [q.key for q in result.plan.quarantine] == ["h4"]
    kept = {g.key: g.merged_values["priority"] for g in result.groups if g.quarantine is None}
    assert kept == {"h1": 1, "h2": 2, "h3": 3}
    assert built.plan().plan.empty


def test_numbers_that_can_be_written_nowhere_stay_so_the_next_plan_is_empty(
    scenario: Callable[..., Scenario],
) -> None:
    # 赵四 and 钱五 are only in a read-only legacy export, and the hub and branch are full
    # (rows that cannot be read still count), so their numbers can be written nowhere.
    # Renumbering everything in ranking order would give 李二 2, read 钱五 as 2 again next
    # run and move 李二 to 3: a plan that is never empty. Their numbers stay instead.
    built: Scenario = scenario(policy={"emergency_max": 3})
    unreadable = {"role": None}
    built.hub([emergency("C1", f"旧{i}", f"1390013900{i}", key=f"h{i}", **unreadable)
               for i in range(3)])
    built.csv("branch", [
        emergency("C1", "李二", "13800138002", priority=1),
        emergency("C1", "孙六", "13800138006", **unreadable),
        emergency("C1", "周七", "13800138007", **unreadable),
    ])
    built.legacy("legacy", [
        emergency("C1", "赵四", "13800138004", priority=1),
        emergency("C1", "钱五", "13800138005", priority=2),
    ])

    result, summary = built.sync()

    assert not summary.failed
    kept = {g.merged_values["name"]: g.merged_values["priority"] for g in result.groups
            if g.kind == Kind.EMERGENCY and g.quarantine is None}
    assert kept == {"赵四": 1, "钱五": 2, "李二": 3}
    assert _priorities_of(built, "branch", "李二") == 3
    second = built.plan()
    assert second.plan.empty, [(op.system, op.key, op.reason) for op in second.plan.operations]


def test_a_writable_contact_without_a_number_is_numbered_before_a_read_only_one(
    scenario: Callable[..., Scenario],
) -> None:
    # 王三 is only in the read-only export and can be created in the hub; 张一 is in the
    # hub already. Neither has a number: 张一 takes 1, 王三 the next, and it stays so.
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1")])
    built.legacy("legacy", [emergency("C1", "王三", "13800138003",
                                      reviewed_at="2026-11-01T10:00:00+08:00")])

    result, _ = built.sync()

    numbers = {g.merged_values["name"]: g.merged_values["priority"] for g in result.groups
               if g.kind == Kind.EMERGENCY}
    assert numbers == {"张一": 1, "王三": 2}
    assert _priorities(built, "hub") == {"张一": 1, "王三": 2}
    assert built.plan().plan.empty


def _priorities_of(built: Scenario, system: str, name: str) -> int:
    (row,) = [r for r in built.raw_rows(system, Kind.EMERGENCY) if r["name"] == name]
    return int(row["priority"])

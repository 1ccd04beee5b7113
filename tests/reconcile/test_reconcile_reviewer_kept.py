"""A reviewer's name is kept when no review date can be read anywhere (nothing lost)."""

from __future__ import annotations

from collections.abc import Callable

from contactsync.models import Kind
from reconcile_helpers import Scenario, emergency


def test_a_reviewer_without_a_readable_date_is_neither_wiped_nor_lost(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([])
    built.csv("branch", [
        emergency("C1", "张一", "13800138001", reviewed_at="2026-13-45", reviewed_by="李审核"),
    ])

    _, summary = built.sync()

    assert not summary.failed
    (row,) = built.raw_rows("branch", Kind.EMERGENCY)
    assert row["reviewed_by"] == "李审核"
    (hub,) = built.raw_rows("hub", Kind.EMERGENCY)
    assert hub["reviewed_by"] == "李审核"
    assert built.plan().plan.empty


def test_a_reviewer_without_a_date_edited_in_one_system_travels(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1", reviewed_by="甲")])
    built.csv("branch", [emergency("C1", "张一", "13800138001", key="h1", reviewed_by="甲")])
    built.sync()
    built.edit_csv("branch", Kind.EMERGENCY, "张一", reviewed_by="乙")

    built.sync()

    (hub,) = built.raw_rows("hub", Kind.EMERGENCY)
    assert hub["reviewed_by"] == "乙"
    assert built.plan().plan.empty

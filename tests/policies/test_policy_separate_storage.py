"""MIXED_STORAGE: emergency contacts found in a business object (DESIGN invariant 1).

Found and reported; copied to the emergency objects of the other systems; moved out of
the business sheet only with ``--migrate-mixed``, and then without losing a field; a
read-only system is never touched.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from contactsync.errors import ConfigError
from contactsync.models import Kind
from reconcile_helpers import Scenario, business, codes, emergency, findings, ops

LEGACY_EMERGENCY = emergency(
    "C1", "李二", "0086 138-0013-8002", priority=2, authority=True, relationship="员工",
    email="li2@example.com", response_minutes=60, reviewed_at="2026-11-01T09:00:00+08:00",
    reviewed_by="王复核", updated_at="2026-11-01T09:00:00+08:00", in_business_sheet=True,
)


def _writable_mixed(scenario: Callable[..., Scenario]) -> Scenario:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1)])
    built.csv("branch", [
        LEGACY_EMERGENCY,
        business("C1", "王五", "13900139000", title="采购经理", department="采购部"),
    ], mixed=True)
    built.write()
    return built


def test_a_mixed_row_is_reported_naming_the_record_and_the_object(
    scenario: Callable[..., Scenario],
) -> None:
    built = _writable_mixed(scenario)

    result = built.plan()

    (mixed,) = findings(result, "MIXED_STORAGE")
    assert mixed.records == ("branch/branch/business.csv/row 2",)
    assert mixed.details == {"system": "branch", "object": "branch/business.csv"}
    assert "--migrate-mixed" in mixed.message
    assert mixed.needs_person


def test_without_migrate_mixed_the_row_stays_and_is_copied_to_the_other_systems(
    scenario: Callable[..., Scenario],
) -> None:
    built = _writable_mixed(scenario)
    before = built.path("branch", Kind.BUSINESS).read_bytes()

    result, _ = built.sync()

    # Never written back into the business sheet, nor beside it in the same system.
    assert ops(result, system="branch", key=_key_of(result, "李二")) == []
    (create,) = ops(result, system="hub", action="create", kind="emergency")
    assert (create.object, create.values["name"]) == ("emergency_contacts", "李二")
    assert [r["name"] for r in built.raw_rows("branch", Kind.EMERGENCY)] == ["张一"]
    sheet = built.path("branch", Kind.BUSINESS).read_bytes()
    assert "李二".encode() in sheet and before.count(b"\n") == sheet.count(b"\n")
    second = built.plan()
    assert second.plan.empty
    assert "MIXED_STORAGE" in codes(second)  # still there: still reported


def test_migrate_mixed_moves_the_row_into_the_emergency_object_without_losing_a_field(
    scenario: Callable[..., Scenario],
) -> None:
    built = _writable_mixed(scenario)
    (original,) = [r for r in built.raw_rows("branch", Kind.BUSINESS) if r["name"] == "李二"]

    # Updates (王五's row gets its key, found by its row number) go out before the
    # archive of row 2, and the create in the emergency file before both: one run moves it.
    result, summary = built.sync(migrate_mixed=True)
    key = _key_of(result, "李二")
    assert findings(result, "DEFERRED") == []

    (create,) = ops(result, system="branch", action="create", key=key)
    (archive,) = ops(result, system="branch", action="archive", key=key)
    assert (create.object, create.kind) == ("branch/emergency.csv", "emergency")
    assert (archive.object, archive.kind, archive.record_id) == (
        "branch/business.csv", "business", "row:2",
    )
    assert "--migrate-mixed" in create.reason and "--migrate-mixed" in archive.reason
    assert not summary.failed

    (moved,) = [r for r in built.raw_rows("branch", Kind.EMERGENCY) if r["name"] == "李二"]
    for column in ("customer", "email", "role", "relationship", "priority",
                   "decision_authority", "response_minutes", "reviewed_by"):
        assert moved[column] == original[column], column
    assert moved["phone"].lstrip("'") == "+8613800138002"
    assert moved["last_reviewed_at"] == "2026-11-01T01:00:00Z"
    assert moved["contactsync_key"] == key
    assert [r["name"] for r in built.raw_rows("branch", Kind.BUSINESS)] == ["王五"]
    (kept,) = built.archived_rows("branch", Kind.BUSINESS)
    assert {k: v for k, v in kept.items() if v} == {k: v for k, v in original.items() if v}

    again = built.plan(migrate_mixed=True)
    assert again.plan.empty
    assert "MIXED_STORAGE" not in codes(again)


def test_migrate_mixed_leaves_a_read_only_system_untouched(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1)])
    built.legacy("legacy", [
        LEGACY_EMERGENCY,
        business("C1", "王五", "13900139000"),
    ])
    built.write()
    before = built.path("legacy", Kind.BUSINESS).read_bytes()

    result, _ = built.sync(migrate_mixed=True)

    assert ops(result, system="legacy") == []
    (mixed,) = findings(result, "MIXED_STORAGE")
    assert "read-only" in mixed.message
    # It is copied to the hub's emergency object, and the legacy sheet keeps its bytes.
    assert {r["name"] for r in built.raw_rows("hub", Kind.EMERGENCY)} == {"张一", "李二"}
    assert {r["name"] for r in built.raw_rows("hub", Kind.BUSINESS)} == {"王五"}
    assert built.path("legacy", Kind.BUSINESS).read_bytes() == before
    assert not built.path("legacy", Kind.BUSINESS).with_name("export.archived.csv").exists()
    assert built.plan(migrate_mixed=True).plan.empty


def test_a_mixed_row_that_duplicates_a_proper_row_is_reported_and_not_copied_again(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([])
    proper = LEGACY_EMERGENCY.but(in_business_sheet=False)
    built.csv("branch", [LEGACY_EMERGENCY, proper], mixed=True)

    result, _ = built.sync(migrate_mixed=True)

    assert "DUPLICATE_IN_SYSTEM" in codes(result)
    assert "MIXED_STORAGE" in codes(result)
    assert [r["name"] for r in built.raw_rows("branch", Kind.EMERGENCY)] == ["李二"]
    assert [r["name"] for r in built.raw_rows("hub", Kind.EMERGENCY)] == ["李二"]


def test_no_operation_ever_writes_one_kind_into_the_other_kinds_object(
    scenario: Callable[..., Scenario],
) -> None:
    built = _writable_mixed(scenario)

    for migrate in (False, True):
        result = built.plan(migrate_mixed=migrate)
        for op in result.plan.operations:
            if op.action == "archive":
                continue
            wanted = "emergency" if op.kind == "emergency" else "business"
            assert wanted in op.object, op


def test_a_mapping_pointing_both_kinds_at_one_object_is_refused(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.csv("branch", [emergency("C1", "张一", "13800138001")])
    built.systems["branch"].objects = {Kind.EMERGENCY: "one.csv", Kind.BUSINESS: "one.csv"}

    with pytest.raises(ConfigError, match="stored separately"), built.workspace():
        pass


def _key_of(result: object, name: str) -> str:
    groups = [g for g in result.groups if g.merged_values.get("name") == name]  # type: ignore[attr-defined]
    assert len(groups) == 1
    return str(groups[0].key)

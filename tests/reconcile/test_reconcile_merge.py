"""The three-way merge (DESIGN §3 step 3) and deletions (issue 3, item 3).

Unit tests call ``merge_group`` on records built in memory, with base snapshots as the
last sync left them; the deletion tests run whole reconciles over real files, because a
deletion is only ever inferred from what a connector says about its read.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contactsync.findings import Code
from contactsync.models import Kind, synced_fields
from contactsync.plugins import PluginHost, hookimpl
from contactsync.reconcile.canonical import dump_values
from contactsync.reconcile.merge import BaseView, Candidate, MergeSettings, merge_group
from contactsync.reconcile.records import Group
from reconcile_helpers import (
    Scenario,
    business,
    codes,
    contact,
    emergency,
    findings,
    ops,
    system_record,
    write_csv,
)

SYSTEMS = ("hub", "branch", "legacy")
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SKEW = timedelta(minutes=2)


def settings(skew: timedelta = SKEW, kind: Kind = Kind.EMERGENCY) -> MergeSettings:
    fields = frozenset(synced_fields(kind.value)) | {"updated_at"}
    return MergeSettings(
        {name: i for i, name in enumerate(SYSTEMS)},
        skew,
        {(name, f"{name}.{kind.value}"): fields for name in SYSTEMS},
    )


def merge(
    host: PluginHost,
    members: dict[str, Any],
    bases: dict[str, Any] | None = None,
    *,
    skew: timedelta = SKEW,
    reviews: list[Candidate] | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    """Merge ``members`` (system → contact) against ``bases`` (system → contact as synced)."""
    kind = Kind(next(iter(members.values())).kind)
    group = Group(key="K1", kind=kind, customer="C1")
    for system, item in members.items():
        group.members[system] = system_record(system, item.model_copy(update={"key": "K1"}))
    views = {s: BaseView(dump_values(b), T0) for s, b in (bases or {}).items()}
    return merge_group(group, views, settings(skew, kind), host, reviews)


BASE = contact(role="总经理", email="zhang@example.com", updated_at=T0)


# -- one side, both sides ---------------------------------------------------------------


@pytest.mark.parametrize("changed", ["hub", "branch"])
def test_a_field_changed_in_one_system_is_taken_whatever_its_priority(
    host: PluginHost, changed: str
) -> None:
    edited = BASE.model_copy(update={"role": "董事长", "updated_at": T0 + timedelta(hours=1)})
    members = {"hub": BASE, "branch": BASE} | {changed: edited}

    merged, notes = merge(host, members, {"hub": BASE, "branch": BASE})

    assert merged["role"] == "董事长"
    assert notes == []


def test_a_field_cleared_in_one_system_is_a_change_and_is_taken(host: PluginHost) -> None:
    cleared = BASE.model_copy(update={"email": None})

    merged, notes = merge(host, {"hub": BASE, "branch": cleared}, {"hub": BASE, "branch": BASE})

    assert merged["email"] is None
    assert notes == []


def test_an_empty_field_of_a_system_seen_for_the_first_time_does_not_clear_it(
    host: PluginHost,
) -> None:
    newcomer = BASE.model_copy(update={"email": None})

    merged, _ = merge(host, {"hub": BASE, "branch": newcomer}, {"hub": BASE})

    assert merged["email"] == "zhang@example.com"


def test_unchanged_it_keeps_what_the_last_sync_wrote_not_a_read_only_copy(
    host: PluginHost,
) -> None:
    # The last sync took branch's newer role and wrote it to hub; legacy is read-only and
    # still shows the old one. Nobody changed anything since: legacy's priority must not
    # bring the old role back.
    synced = BASE.model_copy(update={"role": "董事长"})
    members = {"hub": synced, "branch": synced, "legacy": BASE}
    group = Group(key="K1", kind=Kind.EMERGENCY, customer="C1")
    for system, item in members.items():
        group.members[system] = system_record(system, item.model_copy(update={"key": "K1"}))
    views = {s: BaseView(dump_values(item), T0) for s, item in members.items()}
    legacy_first = MergeSettings(
        {"legacy": 0, "hub": 1, "branch": 2},
        SKEW,
        settings().mapped,
        frozenset({"hub", "branch"}),
    )

    merged, notes = merge_group(group, views, legacy_first, host)

    assert merged["role"] == "董事长"
    assert notes == [] and not group.changed


def test_both_changed_to_the_same_value_is_taken_without_a_conflict(host: PluginHost) -> None:
    # The same new number written two ways, and the same e-mail in another case.
    values = dump_values(BASE.model_copy(update={"role": "董事长"}))
    hub = contact(**{**values, "phones": ["+86 139 0013 9001"], "email": "Li@Example.com"})
    branch = contact(**{**values, "phones": ["139-0013-9001"], "email": "li@example.com"})

    merged, notes = merge(host, {"hub": hub, "branch": branch}, {"hub": BASE, "branch": BASE})

    assert merged["role"] == "董事长"
    assert merged["phones"][0]["e164"] == "+8613900139001"
    assert notes == []


# -- conflicts ----------------------------------------------------------------------------


def _both_changed(hub_at: datetime | None, branch_at: datetime | None) -> dict[str, Any]:
    return {
        "hub": BASE.model_copy(update={"role": "董事长", "updated_at": hub_at}),
        "branch": BASE.model_copy(update={"role": "副总经理", "updated_at": branch_at}),
    }


def test_a_conflict_goes_to_the_newest_update_beyond_the_skew_guard(host: PluginHost) -> None:
    members = _both_changed(T0 + timedelta(minutes=10), T0 + timedelta(hours=1))

    merged, notes = merge(host, members, {"hub": BASE, "branch": BASE})

    assert merged["role"] == "副总经理"  # branch is newer, though hub has priority
    (finding,) = notes
    assert finding.code is Code.CONFLICT
    assert finding.details["field"] == "role"
    assert finding.details["values"] == {"hub": "董事长", "branch": "副总经理"}
    assert finding.details["chosen"] == "branch"
    assert finding.details["rule"] == "newest update"
    assert finding.key == "K1" and finding.customer == "C1"
    assert finding.records == ("branch/branch.emergency/K1", "hub/hub.emergency/K1")


@pytest.mark.parametrize(
    ("hub_at", "branch_at"),
    [
        (T0 + timedelta(seconds=60), T0 + timedelta(seconds=100)),  # 40 s apart: a tie
        (T0 + timedelta(seconds=100), T0 + timedelta(seconds=60)),
        (None, None),  # no stamps at all
        (T0, T0),
    ],
)
def test_a_conflict_within_the_skew_guard_goes_to_system_priority(
    host: PluginHost, hub_at: datetime | None, branch_at: datetime | None
) -> None:
    merged, notes = merge(host, _both_changed(hub_at, branch_at), {"hub": BASE, "branch": BASE})

    assert merged["role"] == "董事长"  # hub is named first in system_priority
    (finding,) = notes
    assert finding.details["chosen"] == "hub"
    assert finding.details["rule"] == "system priority"


def test_the_skew_guard_is_configurable(host: PluginHost) -> None:
    members = _both_changed(T0 + timedelta(seconds=60), T0 + timedelta(seconds=100))

    merged, notes = merge(host, members, {"hub": BASE, "branch": BASE}, skew=timedelta(seconds=10))

    assert merged["role"] == "副总经理"
    assert notes[0].details["rule"] == "newest update"


def test_a_stamped_change_beats_an_unstamped_one(host: PluginHost) -> None:
    members = _both_changed(None, T0 + timedelta(hours=1))

    merged, _ = merge(host, members, {"hub": BASE, "branch": BASE})

    assert merged["role"] == "副总经理"


def test_within_the_guard_priority_decides_among_the_tied_values_only(host: PluginHost) -> None:
    # branch and legacy changed it at about the same time, an hour after hub did: hub's
    # value is the oldest, so it must not win just because hub is named first.
    members = {
        "hub": BASE.model_copy(update={"role": "董事长", "updated_at": T0}),
        "branch": BASE.model_copy(
            update={"role": "副总经理", "updated_at": T0 + timedelta(hours=1)}
        ),
        "legacy": BASE.model_copy(
            update={"role": "总监", "updated_at": T0 + timedelta(hours=1, seconds=30)}
        ),
    }

    merged, notes = merge(host, members, {s: BASE for s in members})

    assert merged["role"] == "副总经理"  # branch before legacy in system_priority
    assert notes[0].details["chosen"] == "branch"
    assert notes[0].details["rule"] == "system priority"


def test_a_conflict_on_phones_and_email_shows_both_values_masked(host: PluginHost) -> None:
    values = dump_values(BASE)
    hub = contact(**{**values, "phones": ["13900139001"], "email": "wang@example.com"})
    branch = contact(**{**values, "phones": ["13700137002"], "email": "zhao@example.com"})

    _, notes = merge(host, {"hub": hub, "branch": branch}, {"hub": BASE, "branch": BASE})

    by_field = {f.details["field"]: f for f in notes}
    assert set(by_field) == {"phones", "email"}
    assert by_field["phones"].details["values"] == {
        "hub": ["+*********9001"],
        "branch": ["+*********7002"],
    }
    assert by_field["email"].details["values"] == {
        "hub": "w***@example.com",
        "branch": "z***@example.com",
    }
    shown = json.dumps([f.to_json() for f in notes], ensure_ascii=False)
    for secret in ("13900139001", "13700137002", "wang@", "zhao@"):
        assert secret not in shown


# -- the conflict hook --------------------------------------------------------------------


class PickSystem:
    """A ``contactsync_resolve_conflict`` plugin that always takes one system's value."""

    def __init__(self, system: str | None, foreign: bool = False) -> None:
        self.system = system
        self.foreign = foreign
        self.calls: list[tuple[str, list[Candidate], Any]] = []

    @hookimpl
    def contactsync_resolve_conflict(
        self, field: str, candidates: list[Candidate], base: Any
    ) -> Candidate | None:
        self.calls.append((field, candidates, base))
        if self.foreign:
            return Candidate("elsewhere", "外来值", None, "elsewhere/x/1")
        return next((c for c in candidates if c.system == self.system), None)


def test_a_resolve_conflict_plugin_chooses_the_value() -> None:
    plugin = PickSystem("branch")
    host = PluginHost(extra_plugins=[("pick-branch", plugin)])
    members = _both_changed(T0 + timedelta(hours=1), T0)  # the default rule would take hub

    merged, notes = merge(host, members, {"hub": BASE, "branch": BASE})

    assert merged["role"] == "副总经理"
    assert notes[0].details["rule"] == "plugin"
    assert notes[0].details["chosen"] == "branch"
    field, candidates, base = plugin.calls[0]
    assert field == "role" and base == "总经理"
    assert {c.system: c.value for c in candidates} == {"hub": "董事长", "branch": "副总经理"}


@pytest.mark.parametrize("plugin", [PickSystem(None), PickSystem("hub", foreign=True)])
def test_a_plugin_that_declines_or_answers_off_the_list_leaves_the_default_rule(
    plugin: PickSystem,
) -> None:
    host = PluginHost(extra_plugins=[("declines", plugin)])
    members = _both_changed(T0, T0 + timedelta(hours=1))

    merged, notes = merge(host, members, {"hub": BASE, "branch": BASE})

    assert merged["role"] == "副总经理"
    assert notes[0].details["rule"] == "newest update"


# -- reviews ------------------------------------------------------------------------------


def test_the_newest_review_wins_with_its_reviewer_and_is_no_conflict(host: PluginHost) -> None:
    hub = BASE.model_copy(update={"last_reviewed_at": T0, "reviewed_by": "甲"})
    branch = BASE.model_copy(
        update={"last_reviewed_at": T0 + timedelta(days=30), "reviewed_by": "乙"}
    )

    merged, notes = merge(host, {"hub": hub, "branch": branch}, {"hub": BASE, "branch": BASE})

    assert merged["last_reviewed_at"] == "2026-12-01T09:00:00Z"
    assert merged["reviewed_by"] == "乙"
    assert notes == []


def test_a_review_mark_newer_than_every_system_wins(host: PluginHost) -> None:
    hub = BASE.model_copy(update={"last_reviewed_at": T0, "reviewed_by": "甲"})
    mark = Candidate("review mark", ("2026-11-20T01:00:00Z", "丙"), None, "review mark")

    merged, _ = merge(host, {"hub": hub, "branch": BASE}, reviews=[mark])

    assert (merged["last_reviewed_at"], merged["reviewed_by"]) == ("2026-11-20T01:00:00Z", "丙")


# -- end to end: changes after a sync -----------------------------------------------------


def _two_synced(scenario: Callable[..., Scenario]) -> Scenario:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1, role="总经理")])
    built.csv("branch", [business("C1", "王五", "13900139000", title="采购经理")])
    built.sync()
    assert built.plan().plan.empty
    return built


def test_an_edit_in_one_system_reaches_the_others_and_then_rests(
    scenario: Callable[..., Scenario],
) -> None:
    built = _two_synced(scenario)
    built.edit_csv("branch", Kind.EMERGENCY, "张一", role="董事长")

    result, _ = built.sync()

    (update,) = ops(result, action="update")
    assert update.system == "hub"
    assert update.changes == {"role": {"before": "总经理", "after": "董事长"}}
    assert "CONFLICT" not in codes(result)
    assert built.raw_rows("hub", Kind.EMERGENCY)[0]["role"] == "董事长"
    assert built.plan().plan.empty


def test_edits_on_both_sides_are_a_conflict_settled_by_the_newest(
    scenario: Callable[..., Scenario],
) -> None:
    built = _two_synced(scenario)
    built.edit_csv(
        "branch", Kind.EMERGENCY, "张一", role="董事长", updated_at="2026-11-30T10:00:00Z"
    )
    with built.workspace() as ws:
        built.push_hub(ws, "hub", [emergency(
            "C1", "张一", "13800138001", key="h1", priority=1, role="副总经理",
            updated_at="2026-11-30T08:00:00Z",
        )])

    result, _ = built.sync()

    (conflict,) = findings(result, "CONFLICT")
    assert conflict.details["values"] == {"hub": "副总经理", "branch": "董事长"}
    assert conflict.details["chosen"] == "branch"
    assert built.raw_rows("hub", Kind.EMERGENCY)[0]["role"] == "董事长"
    assert built.plan().plan.empty


# -- deletions ----------------------------------------------------------------------------


def _three_synced(scenario: Callable[..., Scenario], **options: Any) -> Scenario:
    built: Scenario = scenario(**options)
    built.hub([
        emergency("C1", "张一", "13800138001", key="h1", priority=1),
        emergency("C1", "李二", "13800138002", key="h2", priority=2),
    ])
    built.csv("branch", [emergency("C1", "王三", "13800138003", priority=3)])
    built.sync()
    assert built.plan().plan.empty
    return built


def test_an_archive_in_the_hub_is_a_delete_feed_and_is_archived_elsewhere(
    scenario: Callable[..., Scenario],
) -> None:
    built = _three_synced(scenario)
    built.archive_hub(Kind.EMERGENCY, "h2")

    result, _ = built.sync()

    (archive,) = ops(result, action="archive")
    assert (archive.system, archive.key) == ("branch", "h2")
    assert "delete feed" in archive.reason
    assert [f.key for f in findings(result, "DELETED")] == ["h2"]
    assert result.plan.accounting["archived"] == 1
    assert "李二" not in {row["name"] for row in built.raw_rows("branch", Kind.EMERGENCY)}
    assert "李二" in {row["name"] for row in built.archived_rows("branch", Kind.EMERGENCY)}
    assert built.plan().plan.empty


def test_a_row_gone_from_a_complete_read_is_archived_elsewhere(
    scenario: Callable[..., Scenario],
) -> None:
    built = _three_synced(scenario)
    built.remove_csv("branch", Kind.EMERGENCY, "张一")

    result, _ = built.sync()

    (archive,) = ops(result, action="archive")
    assert (archive.system, archive.key) == ("hub", "h1")
    assert "absent from a complete read" in archive.reason
    assert "张一" not in {row["name"] for row in built.raw_rows("hub", Kind.EMERGENCY)}
    assert built.plan().plan.empty


def test_a_row_missing_from_an_incremental_read_is_not_a_deletion(
    scenario: Callable[..., Scenario],
) -> None:
    built = _three_synced(scenario)
    # Removed behind the hub's back: no archive, so no delete feed entry. The hub's
    # incremental read returns changes only, and an absence there says nothing.
    with sqlite3.connect(built.root / "hub.db") as conn:
        conn.execute("DELETE FROM emergency_contacts WHERE record_id = 'h2'")

    incremental = built.plan()
    assert ops(incremental, action="archive") == []
    assert "DELETED" not in codes(incremental)

    complete = built.plan(full=True)  # a full read enumerates: now the absence counts
    assert [(op.system, op.key) for op in ops(complete, action="archive")] == [("branch", "h2")]


def test_a_row_that_can_no_longer_be_read_is_not_a_deletion(
    scenario: Callable[..., Scenario],
) -> None:
    built = _three_synced(scenario)
    built.edit_csv("branch", Kind.EMERGENCY, "李二", role="")  # a required field blanked

    result = built.plan()

    assert ops(result, action="archive") == []
    (missing,) = findings(result, "MISSING_FIELD")
    assert missing.details["field"] == "role"
    # Nor is it created again beside the row that is there but unreadable.
    assert ops(result, system="branch", key="h2") == []


def test_an_unreadable_record_is_not_created_again_beside_itself(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    # The hub's row misses its role; the read-only sheet's copy has no key, only the
    # same phone and e-mail: it is the same person, not one the hub lacks.
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1, role=None,
                         email="zhang@example.com")])
    built.legacy("legacy", [emergency("C1", "张一", "138-0013-8001", priority=1,
                                      email="ZHANG@example.com")])

    result = built.plan()

    assert [f.details["field"] for f in findings(result, "MISSING_FIELD")] == ["role"]
    assert [(g.key, sorted(g.members), g.unreadable_in) for g in result.groups] == [
        ("h1", ["legacy"], {"hub"})
    ]
    assert ops(result, system="hub") == []


def test_a_deleted_row_edited_elsewhere_meanwhile_is_kept_and_reported(
    scenario: Callable[..., Scenario],
) -> None:
    built = _three_synced(scenario)
    built.archive_hub(Kind.EMERGENCY, "h2")
    built.edit_csv("branch", Kind.EMERGENCY, "李二", role="董事长")

    result, _ = built.sync()

    assert ops(result, action="archive") == []
    (conflict,) = [f for f in findings(result, "CONFLICT") if f.key == "h2"]
    assert "kept, not deleted" in conflict.message
    (create,) = ops(result, action="create")  # the edit lives on, in the hub again
    assert (create.system, create.key, create.values["role"]) == ("hub", "h2", "董事长")
    assert "李二" in {row["name"] for row in built.raw_rows("hub", Kind.EMERGENCY)}
    assert built.plan().plan.empty


def test_a_deletion_is_not_propagated_while_a_read_only_system_still_holds_it(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1),
               emergency("C1", "李二", "13800138002", key="h2", priority=2)])
    built.csv("branch")
    built.legacy("legacy", [emergency("C1", "李二", "138-0013-8002", priority=2)])
    built.sync()
    built.archive_hub(Kind.EMERGENCY, "h2")

    result, _ = built.sync()

    # legacy cannot be changed: archiving the others would only bring the person back
    # under a new key on the next run. The person stays, under the same key.
    assert ops(result, action="archive") == []
    (kept,) = [f for f in findings(result, "CONFLICT") if f.key == "h2"]
    assert "legacy" in kept.message
    assert [(op.system, op.key) for op in ops(result, action="create")] == [("hub", "h2")]
    assert built.plan().plan.empty


def test_positional_rows_are_never_taken_as_deleted(scenario: Callable[..., Scenario]) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1", priority=1)])
    built.legacy("legacy", [
        emergency("C1", "李二", "13800138002", priority=2),
        business("C1", "王五", "13900139000"),
    ])
    built.sync()
    rows = built.raw_rows("legacy", Kind.BUSINESS)
    write_csv(built.path("legacy", Kind.BUSINESS), [r for r in rows if r["name"] != "王五"])

    result = built.plan()

    assert ops(result, action="archive") == []
    assert "DELETED" not in codes(result)

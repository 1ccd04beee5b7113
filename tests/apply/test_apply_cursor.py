"""The cursor apply saves is the one read *before* its writes (see ``apply._save_cursors``).

So the next incremental pull reads the apply's own writes again: these tests measure that
re-read with the SQLite hub, check that it plans nothing, and check what the pre-write
cursor is for: an edit made while the apply writes is not skipped.

The hub runs with ``lookback_seconds = 0`` here: its pull then starts strictly after the
saved cursor, so the counts are exact and no lookback window can hide a skipped edit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contactsync.apply import apply_plan
from contactsync.connector import WriteOp
from contactsync.errors import StalePlan
from contactsync.models import Kind
from contactsync.plan import Plan
from contactsync.plugins import hookimpl
from contactsync.reconcile.engine import Reconciliation, reconcile
from contactsync.runtime import Workspace
from reconcile_helpers import AS_OF, Person, Scenario, csv_row, emergency, write_csv

HUB_TABLE = "emergency_contacts"
PEOPLE = [
    emergency("C1", "张一", "13800138001", key="k-a"),
    emergency("C2", "李二", "13800138002", key="k-b"),
    emergency("C3", "王三", "13800138003", key="k-c"),
]
A, B, C = PEOPLE


class EditWhileApplying:
    """A gate that lets the apply go on, after someone edits the hub.

    ``contactsync_before_apply`` runs after apply's own read and before its first write:
    the window a cursor saved past the writes would skip.
    """

    def __init__(self) -> None:
        self.ws: Workspace | None = None
        self.emails: dict[str, str] = {}
        """key → the email someone sets in the hub (that one field only)."""

    @hookimpl
    def contactsync_before_apply(self, plan: Plan) -> str | None:
        if self.ws is not None and self.emails:
            set_hub_emails(self.ws, self.emails)
            self.emails = {}
        return None


def set_hub_emails(ws: Workspace, emails: dict[str, str]) -> None:
    """Another application changing one field of hub rows, through the hub's own writer."""
    ops = [
        WriteOp("update", key, {"email": email}, key, f"edit-{key}")
        for key, email in emails.items()
    ]
    results = list(ws.systems["hub"].connector.push(Kind.EMERGENCY, ops))
    assert all(r.ok for r in results), results


def build(root: Path, gate: EditWhileApplying | None = None) -> Scenario:
    """The hub and a CSV CRM holding the same people, synced until quiet."""
    scenario = Scenario(root, host_plugins=[("edit-while-applying", gate)] if gate else ())
    scenario.hub(PEOPLE).csv("crm", [p.but(key=None) for p in PEOPLE])
    scenario.write()
    config = scenario.config_path.read_text(encoding="utf-8")
    scenario.config_path.write_text(
        config.replace('path = "hub.db"', 'path = "hub.db"\nlookback_seconds = 0'),
        encoding="utf-8",
    )
    scenario.sync()  # keys into the CRM, bases everywhere
    _, quiet = scenario.sync()
    assert quiet.created == quiet.updated == quiet.archived == 0
    return scenario


def hub_pulled(result: Reconciliation) -> int:
    return result.snapshot.objects[("hub", HUB_TABLE)].pulled


def hub_writes(result: Reconciliation) -> int:
    return sum(1 for op in result.plan.operations if op.system == "hub")


def add_to_crm(scenario: Scenario, person: Person) -> None:
    rows = scenario.raw_rows("crm", Kind.EMERGENCY)
    write_csv(scenario.path("crm", Kind.EMERGENCY), [*rows, csv_row(person)])


def crm_row(scenario: Scenario, name: str) -> dict[str, str]:
    (row,) = [r for r in scenario.raw_rows("crm", Kind.EMERGENCY) if r["name"] == name]
    return row


def hub_row(scenario: Scenario, name: str) -> dict[str, object]:
    (row,) = [r for r in scenario.raw_rows("hub", Kind.EMERGENCY) if r["name"] == name]
    return row


def test_the_run_after_an_apply_reads_its_echoes_once_and_plans_nothing(tmp_path: Path) -> None:
    scenario = build(tmp_path / "ws")
    assert hub_pulled(scenario.plan()) == 0  # quiet: an incremental pull reads nothing

    scenario.edit_csv("crm", Kind.EMERGENCY, A.name, role="董事长")
    scenario.edit_csv("crm", Kind.EMERGENCY, B.name, email="li@example.com")
    add_to_crm(scenario, emergency("C4", "赵四", "13800138004"))
    changed, summary = scenario.sync()
    assert hub_writes(changed) == 3 and summary.ok  # two updates and a create
    assert (summary.created, summary.updated) == (1, 3)  # and the new row's key in the CRM

    echo = scenario.plan()
    assert hub_pulled(echo) == hub_writes(changed)  # exactly the records written, again
    assert echo.plan.empty, [op.to_json() for op in echo.plan.operations]

    _, quiet = scenario.sync()  # applying the empty plan saves a cursor past the echoes
    assert quiet.created == quiet.updated == quiet.archived == 0
    after = scenario.plan()
    assert hub_pulled(after) == 0 and after.plan.empty


def test_an_edit_made_while_apply_writes_is_read_by_the_next_run(tmp_path: Path) -> None:
    gate = EditWhileApplying()
    scenario = build(tmp_path / "ws", gate)
    scenario.edit_csv("crm", Kind.EMERGENCY, A.name, role="董事长")
    with scenario.workspace() as ws:
        result = reconcile(ws, as_of=AS_OF)
        assert [(op.system, op.key, sorted(op.changes)) for op in result.plan.operations] == [
            ("hub", A.key, ["role"])
        ]
        # Between apply's read and its write: one edit to the record it is about to write
        # (another field), one to a record it does not touch.
        gate.ws, gate.emails = ws, {A.key: "a@example.com", C.key: "c@example.com"}
        summary = apply_plan(ws, result.plan)
        gate.ws = None
    assert summary.ok and summary.updated == 1
    assert hub_row(scenario, A.name)["role"] == "董事长"
    assert hub_row(scenario, A.name)["email"] == "a@example.com"  # the write kept the edit

    following = scenario.plan()
    assert hub_pulled(following) == 2  # A (the write and the edit), C (the edit)
    assert sorted((op.system, op.key, tuple(op.changes)) for op in following.plan.operations) == [
        ("crm", A.key, ("email",)),
        ("crm", C.key, ("email",)),
    ]
    scenario.sync()
    assert crm_row(scenario, A.name)["email"] == "a@example.com"
    assert crm_row(scenario, A.name)["role"] == "董事长"
    assert crm_row(scenario, C.name)["email"] == "c@example.com"
    assert scenario.plan().plan.empty


def test_an_edit_made_between_plan_and_apply_stops_the_apply_and_is_planned_next(
    tmp_path: Path,
) -> None:
    scenario = build(tmp_path / "ws")
    scenario.edit_csv("crm", Kind.EMERGENCY, A.name, role="董事长")
    planned = scenario.plan()
    with scenario.workspace() as ws:
        set_hub_emails(ws, {B.key: "b@example.com"})
        with pytest.raises(StalePlan, match=f"hub/{HUB_TABLE}"):
            apply_plan(ws, planned.plan)

    replanned, summary = scenario.sync()
    assert sorted((op.system, op.key) for op in replanned.plan.operations) == [
        ("crm", B.key),
        ("hub", A.key),
    ]
    assert summary.ok
    assert crm_row(scenario, B.name)["email"] == "b@example.com"
    assert scenario.plan().plan.empty

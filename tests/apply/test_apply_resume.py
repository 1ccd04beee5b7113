"""Apply: stale plans refused, batches journaled, a crash mid-apply resumes without duplicates."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from contactsync.apply import ApplyVetoed, apply_plan
from contactsync.errors import StalePlan
from contactsync.plugins import PluginHost, hookimpl
from contactsync.reconcile.engine import reconcile
from contactsync.runtime import Workspace
from contactsync_sqlite.connector import SqliteConnector

AS_OF = date(2026, 12, 1)


def hub_rows(tmp_path: Path, table: str) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "hub.db") as db:
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        if not exists:
            return []
        return db.execute(
            f"SELECT record_id, customer FROM {table} WHERE archived_at IS NULL"
        ).fetchall()


def test_apply_writes_the_plan_and_a_second_plan_is_empty(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    with make_workspace(3) as ws:
        first = reconcile(ws, as_of=AS_OF).plan
        assert {op.action for op in first.operations} == {"create", "update"}
        summary = apply_plan(ws, first)
        assert summary.ok and summary.created == 6  # both kinds into the hub
        assert summary.updated == 6  # the source rows get their contactsync keys
    with make_workspace() as ws:
        second = reconcile(ws, as_of=AS_OF).plan
        assert second.empty, [op.to_json() for op in second.operations]
    assert len(hub_rows(tmp_path, "emergency_contacts")) == 3


def test_a_plan_is_refused_when_its_data_changed(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    with make_workspace(2) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
    source = tmp_path / "source" / "business.csv"
    source.write_text(
        source.read_text(encoding="utf-8").replace("经理", "总监", 1), encoding="utf-8"
    )
    with make_workspace() as ws, pytest.raises(StalePlan, match=r"source/business\.csv"):
        apply_plan(ws, plan)
    assert not (tmp_path / "hub.db").exists() or hub_rows(tmp_path, "business_contacts") == []


def test_a_gate_plugin_can_veto_the_apply(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    class Gate:
        @hookimpl
        def contactsync_before_apply(self, plan: object) -> str | None:
            return "change freeze until Monday"

    host = PluginHost(extra_plugins=[("gate", Gate())], entry_points=True)
    with make_workspace(2, host=host) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        with pytest.raises(ApplyVetoed, match="change freeze"):
            apply_plan(ws, plan)
    assert not (tmp_path / "hub.db").exists()


def _crashing_apply(config: str, plan_bytes: bytes) -> None:
    """Runs in a child process: the hub commits its second batch, then the process dies."""
    from contactsync.plan import Plan

    calls = {"n": 0}
    real_push = SqliteConnector.push

    def push(self: SqliteConnector, kind, operations):  # type: ignore[no-untyped-def]
        results = list(real_push(self, kind, operations))
        calls["n"] += 1
        if calls["n"] == 2:
            os._exit(9)  # killed after the vendor committed, before the journal says so
        return iter(results)

    SqliteConnector.push = push  # type: ignore[method-assign]
    path = Path(config).parent / "plan.json"
    path.write_bytes(plan_bytes)
    with Workspace.open(config, host=PluginHost()) as ws:
        apply_plan(ws, Plan.load(path))


def test_a_crash_between_batches_resumes_without_duplicates(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    count = 520  # the hub takes 500 a batch: two batches per kind
    with make_workspace(count) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        config = str(ws.config.path)
    child = multiprocessing.get_context("fork").Process(
        target=_crashing_apply, args=(config, plan.to_bytes())
    )
    child.start()
    child.join(120)
    assert child.exitcode == 9
    done_before = len(hub_rows(tmp_path, "business_contacts")) + len(
        hub_rows(tmp_path, "emergency_contacts")
    )
    assert 0 < done_before < 2 * count

    with make_workspace() as ws:
        assert ws.store.unfinished_runs(plan.plan_id)
        summary = apply_plan(ws, plan)
        assert summary.resumed and summary.ok
    for table in ("business_contacts", "emergency_contacts"):
        rows = hub_rows(tmp_path, table)
        assert len(rows) == count
        assert len({customer for _, customer in rows}) == count  # one per customer: no duplicate
    with make_workspace() as ws:
        assert reconcile(ws, as_of=AS_OF).plan.empty


def test_applying_the_same_plan_twice_says_it_was_applied(
    make_workspace: Callable[..., Workspace],
) -> None:
    with make_workspace(2) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        assert apply_plan(ws, plan).ok
    with make_workspace() as ws, pytest.raises(StalePlan, match="was already applied"):
        apply_plan(ws, plan)
    with make_workspace() as ws:  # what cron runs: plan afresh, then apply
        empty = reconcile(ws, as_of=AS_OF).plan
        assert empty.empty
        assert apply_plan(ws, empty).ok

"""Runs and the journal: sent-without-done is found, done op ids are known, across runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from state_helpers import FakeClock

from contactsync.errors import ConfigError, InvariantViolation
from contactsync.models import Kind
from contactsync.state import StateStore

EC = ("sf", "EC__c", Kind.EMERGENCY)


def test_a_run_starts_running_and_finishes_once(store: StateStore, clock: FakeClock) -> None:
    run_id = store.start_run("plan-1", "apply")
    started = store.run(run_id)
    assert (started.status, started.finished_at, started.summary) == ("running", None, None)
    assert started.started_at == clock.now
    clock.advance(timedelta(seconds=5))
    summary = {"created": 2, "failed": [{"reason": "电话号码无效"}]}
    finished = store.finish_run(run_id, "done", summary)
    assert finished.status == "done"
    assert finished.summary == summary
    assert finished.finished_at == clock.now
    with pytest.raises(InvariantViolation, match="has finished"):
        store.finish_run(run_id, "failed")


def test_run_ids_sort_by_start_and_runs_list_by_plan(store: StateStore, clock: FakeClock) -> None:
    first = store.start_run("plan-1", "plan")
    clock.advance(timedelta(minutes=1))
    second = store.start_run("plan-1", "apply")
    other = store.start_run("plan-2", "apply", run_id="my-run")
    assert first < second
    assert [run.run_id for run in store.runs("plan-1")] == [first, second]
    assert {run.run_id for run in store.runs()} == {first, second, other}


def test_bad_runs_are_refused(store: StateStore) -> None:
    with pytest.raises(ValueError):
        store.start_run("plan-1", "sync")  # type: ignore[arg-type]  # the point of the test
    store.start_run("plan-1", "apply", run_id="r1")
    with pytest.raises(ConfigError, match="already used"):
        store.start_run("plan-1", "apply", run_id="r1")
    with pytest.raises(ConfigError, match="no run"):
        store.run("nope")
    with pytest.raises(ConfigError, match="no run"):
        store.finish_run("nope", "done")
    with pytest.raises(ValueError):
        store.finish_run("r1", "running")  # type: ignore[arg-type]  # the point of the test


def test_a_crash_mid_batch_is_found_and_resumed(store: StateStore) -> None:
    run1 = store.start_run("plan-1", "apply")
    store.journal_sent(run1, "plan-1", *EC, 0, ["op1", "op2"])
    store.journal_done(run1, "plan-1", *EC, 0, [{"op_id": "op1", "ok": True}, {"op_id": "op2"}])
    store.journal_sent(run1, "plan-1", *EC, 1, ["op3", "op4"])
    # ... the process dies here ...
    assert [run.run_id for run in store.unfinished_runs("plan-1")] == [run1]
    pending = store.pending_batches("plan-1")
    assert [(entry.run_id, entry.batch_no, entry.op_ids) for entry in pending] == [
        (run1, 1, ("op3", "op4"))
    ]
    assert store.done_op_ids("plan-1") == {"op1", "op2"}

    store.finish_run(run1, "interrupted")
    run2 = store.start_run("plan-1", "apply")
    assert [run.run_id for run in store.unfinished_runs("plan-1")] == [run2]
    store.journal_sent(run2, "plan-1", *EC, 0, ["op3", "op4"])
    store.journal_done(run2, "plan-1", *EC, 0, [{"op_id": "op3"}, {"op_id": "op4"}])
    store.finish_run(run2, "done")
    assert store.done_op_ids("plan-1") == {"op1", "op2", "op3", "op4"}
    assert [entry.run_id for entry in store.pending_batches("plan-1")] == [run1]  # as it was
    assert store.unfinished_runs("plan-1") == []


def test_the_journal_of_a_run_in_order(store: StateStore) -> None:
    run_id = store.start_run("plan-1", "apply")
    store.journal_sent(run_id, "plan-1", *EC, 0, ["a"])
    store.journal_sent(run_id, "plan-1", "sf", "BC__c", "business", 0, ["b"])
    store.journal_done(run_id, "plan-1", "sf", "BC__c", "business", 0, [{"结果": "成功"}])
    store.journal_done(run_id, "plan-1", *EC, 0, None)
    entries = store.journal(run_id)
    assert [(e.seq, e.object, e.phase) for e in entries] == [
        (1, "EC__c", "sent"),
        (2, "BC__c", "sent"),
        (3, "BC__c", "done"),
        (4, "EC__c", "done"),
    ]
    assert entries[2].results == [{"结果": "成功"}]
    assert entries[2].op_ids == ("b",)
    assert entries[1].kind is Kind.BUSINESS
    assert all(e.plan_id == "plan-1" and e.at.tzinfo is not None for e in entries)
    assert store.pending_batches("plan-1") == []


def test_done_op_ids_belong_to_their_plan(store: StateStore) -> None:
    one = store.start_run("plan-1", "apply")
    two = store.start_run("plan-2", "apply")
    store.journal_sent(one, "plan-1", *EC, 0, ["x"])
    store.journal_done(one, "plan-1", *EC, 0, [])
    store.journal_sent(two, "plan-2", *EC, 0, ["y"])
    assert store.done_op_ids("plan-1") == {"x"}
    assert store.done_op_ids("plan-2") == set()
    assert [e.op_ids for e in store.pending_batches("plan-2")] == [("y",)]
    assert store.pending_batches("plan-1") == []


def test_journaling_a_batch_again_is_a_no_op_unless_it_differs(store: StateStore) -> None:
    run_id = store.start_run("plan-1", "apply")
    sent = store.journal_sent(run_id, "plan-1", *EC, 0, ["a", "b"])
    assert store.journal_sent(run_id, "plan-1", *EC, 0, ["a", "b"]) == sent
    with pytest.raises(InvariantViolation, match="other operations"):
        store.journal_sent(run_id, "plan-1", *EC, 0, ["a", "c"])
    done = store.journal_done(run_id, "plan-1", *EC, 0, [{"ok": True}])
    assert store.journal_done(run_id, "plan-1", *EC, 0, [{"ok": True}]) == done
    with pytest.raises(InvariantViolation, match="other results"):
        store.journal_done(run_id, "plan-1", *EC, 0, [{"ok": False}])
    assert len(store.journal(run_id)) == 2


def test_the_journal_refuses_what_cannot_be_right(store: StateStore) -> None:
    run_id = store.start_run("plan-1", "apply")
    with pytest.raises(InvariantViolation, match="never journaled as sent"):
        store.journal_done(run_id, "plan-1", *EC, 0, [])
    with pytest.raises(InvariantViolation, match="not plan-2"):
        store.journal_sent(run_id, "plan-2", *EC, 0, ["a"])
    with pytest.raises(ConfigError, match="no run"):
        store.journal_sent("nope", "plan-1", *EC, 0, ["a"])
    store.finish_run(run_id, "failed")
    with pytest.raises(InvariantViolation, match="has finished"):
        store.journal_sent(run_id, "plan-1", *EC, 1, ["a"])
    assert store.journal(run_id) == []


def test_cursors_per_system_and_object(store: StateStore, clock: FakeClock) -> None:
    assert store.get_cursor("sf", "EC__c") is None
    store.set_cursor("sf", "EC__c", Kind.EMERGENCY, '{"watermark":"2026-03-01T00:00:00+00:00"}')
    store.set_cursor("sf", "BC__c", "business", '{"page_state":"第2页"}')
    clock.advance(timedelta(hours=1))
    store.set_cursor("sf", "EC__c", "emergency", '{"watermark":"2026-03-02T00:00:00+00:00"}')
    assert store.get_cursor("sf", "EC__c") == '{"watermark":"2026-03-02T00:00:00+00:00"}'
    assert store.get_cursor("sf", "BC__c") == '{"page_state":"第2页"}'
    assert store.get_cursor("zoho", "EC__c") is None
    with pytest.raises(ValueError):
        store.set_cursor("sf", "X", "mixed", "{}")

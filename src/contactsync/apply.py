"""Apply a saved plan: stale check, gate, batched journaled writes, then state.

* **Stale check.** The data is read again and the plan recomputed. A fresh apply goes on
  only when the recomputed plan is the saved plan (same id). An apply resuming an
  interrupted run of the same plan goes on when every operation still needed is one of
  the saved plan's: operations that already went through show up in the data (every
  record carries its contactsync key), so they drop out and are not sent again.
* **Journal.** Each batch is journaled before it is sent and after, with every
  per-record result. A crash between the two is resolved on resume by the re-read: a
  record the vendor committed is found by its key; one it did not is sent again, as an
  upsert by key, so it cannot duplicate.
* **State.** After the writes, links, base snapshots and cursors are saved; a record
  whose write failed keeps its old base, so the next plan tries again. The cursors are
  those read before the writes: the next run reads this apply's writes again, as no-ops,
  and never skips an edit made meanwhile (``_save_cursors``).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from contactsync.connector import VendorError, WriteOp, WriteResult
from contactsync.errors import (
    ContactsyncError,
    QuotaExhausted,
    RecordRejected,
    StalePlan,
    in_system,
)
from contactsync.mapping.convert import to_vendor
from contactsync.models import CONTACT_ADAPTER, Kind
from contactsync.plan import Operation, Plan
from contactsync.reconcile.canonical import Canonicalizer, dump_values
from contactsync.reconcile.engine import Reconciliation, reconcile
from contactsync.reconcile.read import Progress
from contactsync.reconcile.records import KIND_KEY
from contactsync.report import ApplySummary, FailedWrite
from contactsync.runtime import Workspace
from contactsync.state import BaseSnapshot, Link
from contactsync.state.records import FinalStatus

log = logging.getLogger("contactsync.apply")


class ApplyVetoed(ContactsyncError):
    """A ``contactsync_before_apply`` gate refused the plan."""


class ApplyBusy(ContactsyncError):
    """Another apply holds the state store's apply lock (exit code 3: try again later)."""


APPLY_LOCK = "contactsync:apply"
"""The lock every apply on one state store takes: two applies at once would both plan
from the same data, and the second would write over the first's results."""
APPLY_LOCK_TTL = timedelta(minutes=10)
"""Renewed at every batch; a crashed apply's lock frees itself after this long."""


@contextmanager
def apply_lock(ws: Workspace) -> Iterator[Callable[[], None]]:
    """Hold the apply lock; yields ``renew`` (call it between batches).

    Raises:
        ApplyBusy: another process holds it, named with when it took it.
    """
    store = ws.store
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    if not store.try_lock(APPLY_LOCK, owner, APPLY_LOCK_TTL):
        holder = store.lock_owner(APPLY_LOCK) or "another process"
        if _died_here(holder) and store.unlock(APPLY_LOCK, holder):
            log.info("took over the apply lock of %s, a process that no longer runs", holder)
        if not store.try_lock(APPLY_LOCK, owner, APPLY_LOCK_TTL):
            raise ApplyBusy(
                f"another apply is running on this state store ({holder}); wait for it to "
                "finish, then run `contactsync plan` again (a crashed apply's lock frees "
                f"itself {int(APPLY_LOCK_TTL.total_seconds() // 60)} minutes after its last "
                "batch, at once on the machine it ran on)"
            )

    def renew() -> None:
        if not store.try_lock(APPLY_LOCK, owner, APPLY_LOCK_TTL):
            raise ApplyBusy("the apply lock was taken over while this apply ran; stopping")

    try:
        yield renew
    finally:
        store.unlock(APPLY_LOCK, owner)


@dataclass(frozen=True)
class Outcome:
    op: Operation
    result: WriteResult


def apply_plan(
    ws: Workspace,
    plan: Plan,
    *,
    progress: Progress | None = None,
    on_batch: Callable[[str, int], None] | None = None,
) -> ApplySummary:
    """Apply ``plan`` to every system. See the module docstring.

    Raises:
        StalePlan: the data changed since the plan was computed.
        ApplyVetoed: a gate plugin refused it.
        QuotaExhausted: a vendor's budget ran out; the journal and state are saved, and
            running the same apply again resumes.
        ApplyBusy: another apply is running on the same state store.
    """
    with apply_lock(ws) as renew:
        return _apply_locked(ws, plan, renew, progress, on_batch)


def _died_here(holder: str) -> bool:
    """Whether the lock ``holder`` (``host:pid:nonce``) was a process of this machine that
    no longer runs: a crashed apply, whose lock need not be waited out."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def _apply_locked(
    ws: Workspace,
    plan: Plan,
    renew: Callable[[], None],
    progress: Progress | None,
    on_batch: Callable[[str, int], None] | None,
) -> ApplySummary:
    store = ws.store
    finished = [r for r in store.runs(plan.plan_id) if r.kind == "apply" and r.status == "done"]
    if finished and not plan.empty:  # an empty plan has nothing to repeat
        raise StalePlan(
            f"plan {plan.plan_id[:12]} was already applied at "
            f"{finished[-1].finished_at or finished[-1].started_at:%Y-%m-%d %H:%M} UTC; "
            "run `contactsync plan` for what is left to do"
        )
    resumed = bool(store.unfinished_runs(plan.plan_id))
    fresh = reconcile(
        ws,
        full=bool(plan.options.get("full")),
        migrate_mixed=bool(plan.options.get("migrate_mixed")),
        as_of=date.fromisoformat(plan.as_of),
        progress=progress,
    )
    check_fresh(plan, fresh.plan, resumed=resumed)
    vetoes = ws.host.before_apply(plan)
    if vetoes:
        raise ApplyVetoed("apply refused: " + "; ".join(vetoes))
    for stale in store.unfinished_runs(plan.plan_id):  # this run takes over from them
        store.finish_run(stale.run_id, "interrupted", {"resumed_by": "a later apply"})
    run_id = store.start_run(plan.plan_id, "apply")
    summary = ApplySummary(plan.plan_id, run_id, resumed=resumed)
    outcomes: list[Outcome] = []
    status: FinalStatus = "done"
    try:
        for item in fresh.plan.quarantine:
            store.quarantine(item.key, item.customer, item.kind, item.reason, item.values, run_id)
            summary.quarantined += 1
        for key in fresh.plan.released:  # a place under the cap came free
            store.restore(key, run_id)
        for batch_no, (system, obj, kind, ops) in enumerate(_batches(ws, fresh.plan.operations)):
            outcomes.extend(_send(ws, run_id, plan.plan_id, system, obj, kind, batch_no, ops))
            renew()
            if on_batch is not None:
                on_batch(system, batch_no)
    except QuotaExhausted:
        status = "interrupted"
        raise
    finally:
        _tally(summary, outcomes, fresh)
        save_state(ws, fresh, outcomes, run_id)
        if summary.failed and status == "done":
            status = "failed"
        store.finish_run(run_id, status, summary.to_json())
    ws.host.after_apply(summary)
    return summary


def check_fresh(saved: Plan, fresh: Plan, *, resumed: bool) -> None:
    """Raise ``StalePlan`` unless ``fresh`` is what ``saved`` promised."""
    if not resumed:
        if fresh.plan_id == saved.plan_id:
            return
        changed = _changed_inputs(saved.inputs, fresh.inputs)
        raise StalePlan(
            "the plan is stale: "
            + (", ".join(changed) or "the data")
            + " changed since it was computed; run `contactsync plan` again"
        )
    promised = {op.op_id: op for op in saved.operations}
    strangers = [op for op in fresh.operations if promised.get(op.op_id) != op]
    if strangers:
        first = strangers[0]
        raise StalePlan(
            f"the plan is stale: resuming would need {len(strangers)} operation(s) it does "
            f"not hold (first: {first.action} {first.system}/{first.object} {first.key}); "
            "run `contactsync plan` again"
        )


def _changed_inputs(saved: dict[str, Any], fresh: dict[str, Any]) -> list[str]:
    changed = []
    for system in sorted(set(saved.get("systems", {})) | set(fresh.get("systems", {}))):
        before = saved.get("systems", {}).get(system, {})
        after = fresh.get("systems", {}).get(system, {})
        changed += [
            f"{system}/{obj}"
            for obj in sorted(set(before) | set(after))
            if before.get(obj) != after.get(obj)
        ]
    if saved.get("state") != fresh.get("state"):
        changed.append("the state store")
    if saved.get("config") != fresh.get("config"):
        changed.append("the configuration or a mapping")
    return changed


def _batches(
    ws: Workspace, operations: Sequence[Operation]
) -> Iterator[tuple[str, str, Kind, list[Operation]]]:
    """Operations in plan order, cut to each connector's declared batch size."""
    current: list[Operation] = []
    for op in operations:  # already sorted by system, object, action, key
        if current and (
            (op.system, op.object, op.action)
            != (current[0].system, current[0].object, current[0].action)
            or len(current) >= ws.systems[op.system].connector.capabilities.batch_size
        ):
            yield current[0].system, current[0].object, Kind(current[0].kind), current
            current = []
        current.append(op)
    if current:
        yield current[0].system, current[0].object, Kind(current[0].kind), current


def write_op(ws: Workspace, op: Operation) -> WriteOp:
    """The vendor-native write for one operation."""
    om = ws.systems[op.system].mapping.for_kind(Kind(op.kind))
    if op.action == "archive":
        return WriteOp("archive", op.key, {}, op.record_id, op.op_id)
    contact = CONTACT_ADAPTER.validate_python({**op.values, "kind": op.kind})
    values = to_vendor(om, contact)
    if op.action == "update":
        wanted = {om.key_field}
        for name in op.changes:
            fmap = om.fields.get(name)
            if fmap is not None:
                wanted.update(fmap.vendor_fields)
        values = {k: v for k, v in values.items() if k in wanted}
    return WriteOp(op.action, op.key, values, op.record_id, op.op_id)


def _send(
    ws: Workspace,
    run_id: str,
    plan_id: str,
    system: str,
    obj: str,
    kind: Kind,
    batch_no: int,
    ops: list[Operation],
) -> list[Outcome]:
    store = ws.store
    connector = ws.systems[system].connector
    writes: list[WriteOp] = []
    refused: dict[str, WriteResult] = {}
    for op in ops:
        try:
            writes.append(write_op(ws, op))
        except ContactsyncError as exc:  # a value this system cannot hold: this record only
            refused[op.key] = WriteResult(
                op.key, False, op.action, op.record_id, VendorError("UNMAPPABLE", str(exc))
            )
    store.journal_sent(run_id, plan_id, system, obj, kind.value, batch_no, [op.op_id for op in ops])
    try:
        with in_system(system):
            results = list(connector.push(kind, writes)) if writes else []
    except QuotaExhausted:
        raise  # no "done" row: the batch stays pending and a resume sends it again
    except ContactsyncError as exc:  # the whole call failed; each record says so
        results = [_failed(w, "CALL_FAILED", str(exc)) for w in writes]
    by_key = {**{r.key: r for r in results}, **refused}
    matched = [
        by_key.get(op.key)
        or WriteResult(
            op.key,
            False,
            op.action,
            op.record_id,
            VendorError("NO_RESULT", "the connector returned no result"),
        )
        for op in ops
    ]
    store.journal_done(
        run_id,
        plan_id,
        system,
        obj,
        kind.value,
        batch_no,
        [_result_json(op, r) for op, r in zip(ops, matched, strict=True)],
    )
    return [Outcome(op, r) for op, r in zip(ops, matched, strict=True)]


def _failed(write: WriteOp, code: str, message: str) -> WriteResult:
    return WriteResult(write.key, False, write.action, write.record_id, VendorError(code, message))


def _result_json(op: Operation, result: WriteResult) -> dict[str, Any]:
    error = result.error
    return {
        "op_id": op.op_id,
        "ok": result.ok,
        "record_id": result.record_id,
        "error": None
        if error is None
        else {"code": error.code, "message": error.message, "fields": list(error.fields)},
    }


def _tally(summary: ApplySummary, outcomes: list[Outcome], fresh: Reconciliation) -> None:
    written: set[tuple[str, str]] = set()
    for outcome in outcomes:
        op, result = outcome.op, outcome.result
        written.add((op.system, op.key))
        if not result.ok:
            error = result.error or VendorError("UNKNOWN", "no error given")
            summary.failed.append(
                FailedWrite(
                    op.op_id,
                    op.system,
                    op.object,
                    op.action,
                    op.key,
                    error.code,
                    error.message,
                    error.fields,
                )
            )
        elif op.action == "create":
            summary.created += 1
        elif op.action == "update":
            summary.updated += 1
        else:
            summary.archived += 1
    summary.unchanged = sum(
        1
        for group in fresh.groups
        if group.deleted_by is None and group.quarantine is None
        for system in group.members
        if (system, group.key) not in written
    )


def save_state(ws: Workspace, fresh: Reconciliation, outcomes: list[Outcome], run_id: str) -> None:
    """Links, base snapshots and cursors after the writes (failed writes keep old bases)."""
    store = ws.store
    now = datetime.now(UTC)
    done = {(o.op.system, o.op.object, o.op.key): o for o in outcomes}
    failed_keys = {(o.op.system, o.op.key) for o in outcomes if not o.result.ok}
    bases: list[BaseSnapshot] = []
    links: list[Link] = []
    drop: list[tuple[str, str, str]] = []
    for group in fresh.groups:
        for system, member in group.members.items():
            key = (system, member.object, group.key)
            outcome = done.get(key)
            if (system, group.key) in failed_keys:
                continue
            if group.deleted_by is not None or (outcome and outcome.op.action == "archive"):
                drop.append((system, member.object, member.record_id))
                continue
            record_id = (outcome.result.record_id if outcome else None) or member.record_id
            if outcome is not None and outcome.op.action == "update":
                data = _round_trip(ws, system, group.kind, outcome.op.values, record_id)
                if record_id != member.record_id:
                    drop.append((system, member.object, member.record_id))
            else:
                data = dict(member.values)
            bases.append(
                _base(group.key, system, member.object, record_id, member.kind, data, run_id, now)
            )
            if not record_id.startswith("row:"):
                links.append(
                    Link(group.key, member.kind, group.customer, system, member.object, record_id)
                )
    for outcome in outcomes:
        op, result = outcome.op, outcome.result
        if op.action != "create" or not result.ok:
            continue
        record_id = result.record_id or op.key
        kind = Kind(op.kind)
        data = _round_trip(ws, op.system, kind, op.values, record_id)
        bases.append(_base(op.key, op.system, op.object, record_id, kind, data, run_id, now))
        links.append(Link(op.key, kind, op.customer, op.system, op.object, record_id))
    deleted = {group.key for group in fresh.groups if group.deleted_in is not None}
    if deleted:  # the record gone from its own system leaves no base behind either
        drop.extend(
            (system, obj, record_id)
            for system, records in fresh.bases.items()
            for (obj, record_id), base in records.items()
            if base.key in deleted
        )
    store.delete_bases(drop)
    store.delete_links(drop)
    store.save_bases(bases)
    store.save_links(links)
    _save_cursors(ws, fresh)


def _save_cursors(ws: Workspace, fresh: Reconciliation) -> None:
    """Store, per system object, the cursor of the read this apply planned from.

    That read was made *before* the writes, so the next incremental pull reads this
    apply's own writes once more (their echoes). That is deliberate, and it is cheap.

    * **It cannot skip an edit.** A person or another application may change a record
      between this read and the end of the writes, even a record this apply then writes:
      an update sends only the fields it changes, so their edit to another field stays in
      the vendor, while the base snapshot saved here does not hold it. A pull from the
      pre-write position reads every such record again, and the three-way merge finds the
      change. A cursor past the writes (a read made after them, or the highest stamp they
      were given) would take those edits in unreconciled, and whether there were any cannot
      be known in general: concurrent writers' stamps interleave, and commit order is not
      stamp order (the reason connectors read a lookback window again).
    * **An echo is a no-op.** It holds what the base snapshot saved here says (``_round_trip``
      is what the system holds once written), so its merge finds no change and the plan of
      the next run is empty. The re-read costs the records written, plus the connector's
      lookback window, once: the apply of that empty plan stores a cursor past them.
      Measured with the SQLite hub and no lookback (``tests/apply/test_apply_cursor.py``):
      after an apply writing N hub records, the next run pulls exactly N hub records and
      plans nothing, and the run after that pulls none.
    * **Not done: echoes recognised per record.** Keeping the vendor's stamp or version of
      each write would need the connectors to return it (``WriteResult`` has none), and
      saves no read: the echo is pulled either way, and its merge already comes out as no
      change. It could not move the cursor either: a record stamped in the window may be
      someone else's edit.

    Only apply stores cursors (``plan`` and ``pull`` write no state), and an interrupted
    apply stores the same pre-write cursor, so a resume reads its own writes too.
    """
    for (system, obj), read in fresh.snapshot.objects.items():
        if read.cursor is not None:
            ws.store.set_cursor(system, obj, read.kind.value, read.cursor.to_json())


def _round_trip(
    ws: Workspace, system: str, kind: Kind, values: dict[str, Any], record_id: str
) -> dict[str, Any]:
    """What ``system`` will hold once ``values`` are written: mapped there and back."""
    handle = ws.systems[system]
    om = handle.mapping.for_kind(kind)
    contact = CONTACT_ADAPTER.validate_python({**values, "kind": kind.value})
    canon = Canonicalizer(ws.host, system, handle.config.region, ws.config.sync.default_region)
    try:
        back, _ = canon.contact(
            om, to_vendor(om, contact), object_name=om.object, record_id=record_id, locator=None
        )
    except RecordRejected:
        return dump_values(contact)
    return dump_values(back)


def _base(
    key: str,
    system: str,
    obj: str,
    record_id: str,
    kind: Kind,
    data: dict[str, Any],
    run_id: str,
    now: datetime,
) -> BaseSnapshot:
    return BaseSnapshot(  # the store computes the digest of the canonical JSON
        key=key,
        system=system,
        object=obj,
        record_id=record_id,
        data={**data, KIND_KEY: kind.value},
        run_id=run_id,
        updated_at=now,
    )

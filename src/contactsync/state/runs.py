"""Runs and the apply journal: what lets a crashed apply resume without duplicates.

Apply writes each batch to the journal twice: ``journal_sent`` before it goes to the vendor,
``journal_done`` with the per-record results after. On resume, ``done_op_ids(plan_id)`` are
the operations with recorded results (skip them), and ``pending_batches(plan_id)`` the
batches that were sent but never answered: the vendor may or may not have applied them, so
their operations not in ``done_op_ids`` are re-sent as upserts by external id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any, cast
from uuid import uuid4

from sqlalchemy import Connection, Row, and_, exists, func, insert, select, update

from contactsync.errors import ConfigError, InvariantViolation
from contactsync.models import Kind
from contactsync.state.access import Access
from contactsync.state.codec import dumps, from_utc_text, loads, maybe_utc, utc_text
from contactsync.state.records import (
    FINAL_STATUSES,
    RUN_KINDS,
    FinalStatus,
    JournalEntry,
    JournalPhase,
    RunKind,
    RunRecord,
    RunStatus,
)
from contactsync.state.schema import journal, runs


def _run(row: Row[Any]) -> RunRecord:
    return RunRecord(
        run_id=row.run_id,
        plan_id=row.plan_id,
        kind=cast(RunKind, row.kind),
        status=cast(RunStatus, row.status),
        started_at=from_utc_text(row.started_at),
        finished_at=maybe_utc(row.finished_at),
        summary=loads(row.summary),
    )


def _entry(row: Row[Any]) -> JournalEntry:
    return JournalEntry(
        run_id=row.run_id,
        plan_id=row.plan_id,
        seq=row.seq,
        system=row.system,
        object=row.object,
        kind=Kind(row.kind),
        batch_no=row.batch_no,
        phase=cast(JournalPhase, row.phase),
        op_ids=tuple(loads(row.op_ids)),
        results=loads(row.results),
        at=from_utc_text(row.at),
    )


class Runs(Access):
    # -- runs -------------------------------------------------------------------------

    def start_run(self, plan_id: str, kind: RunKind, *, run_id: str | None = None) -> str:
        """Record a ``running`` plan or apply run; return its id (generated if not given).

        Generated ids sort by start time: ``20260301T101500Z-<12 hex>``.
        """
        if kind not in RUN_KINDS:
            raise ValueError(f"run kind {kind!r} is not one of {sorted(RUN_KINDS)}")
        now = self._now()
        run_id = run_id or f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{uuid4().hex[:12]}"
        with self._write() as conn:
            if self._find_run(conn, run_id) is not None:
                raise ConfigError(f"run id {run_id!r} is already used")
            conn.execute(
                insert(runs),
                {
                    "run_id": run_id,
                    "plan_id": plan_id,
                    "kind": kind,
                    "status": "running",
                    "started_at": utc_text(now),
                },
            )
        return run_id

    def finish_run(
        self, run_id: str, status: FinalStatus, summary: Mapping[str, Any] | None = None
    ) -> RunRecord:
        """Record how a run ended (once). A resumer marks a crashed run ``interrupted``.

        Raises:
            ConfigError: no such run.
            InvariantViolation: the run has finished already.
        """
        if status not in FINAL_STATUSES:
            raise ValueError(f"final status {status!r} is not one of {sorted(FINAL_STATUSES)}")
        with self._write() as conn:
            self._running(conn, run_id)
            conn.execute(
                update(runs)
                .where(runs.c.run_id == run_id)
                .values(
                    status=status,
                    finished_at=utc_text(self._now()),
                    summary=None if summary is None else dumps(dict(summary)),
                )
            )
            return self._get_run(conn, run_id)

    def run(self, run_id: str) -> RunRecord:
        """One run. Raises ``ConfigError`` when there is no such run."""
        with self._read() as conn:
            return self._get_run(conn, run_id)

    def runs(self, plan_id: str | None = None) -> list[RunRecord]:
        """All runs, or those of one plan, oldest first."""
        query = select(runs).order_by(runs.c.started_at, runs.c.run_id)
        if plan_id is not None:
            query = query.where(runs.c.plan_id == plan_id)
        with self._read() as conn:
            return [_run(row) for row in conn.execute(query)]

    def unfinished_runs(self, plan_id: str) -> list[RunRecord]:
        """Runs of ``plan_id`` still ``running``: crashed, or alive in another process.

        Tell the two apart with the customer locks, not with this list.
        """
        return [run for run in self.runs(plan_id) if run.status == "running"]

    # -- journal ----------------------------------------------------------------------

    def journal_sent(
        self,
        run_id: str,
        plan_id: str,
        system: str,
        object: str,
        kind: Kind | str,
        batch_no: int,
        op_ids: Sequence[str],
    ) -> JournalEntry:
        """Journal a batch before it is sent.

        A batch is named by (run, system, object, kind, batch number). Journaling it again
        with the same op ids is a no-op (a retry).

        Raises:
            ConfigError: no such run.
            InvariantViolation: the run has finished or belongs to another plan, or the
                batch was journaled with other op ids.
        """
        ids = [str(op_id) for op_id in op_ids]
        with self._write() as conn:
            run = self._running(conn, run_id, plan_id)
            existing = self._batch_row(conn, run_id, system, object, kind, batch_no, "sent")
            if existing is not None:
                if existing.op_ids != tuple(ids):
                    raise InvariantViolation(
                        f"run {run_id}: batch {system}/{object}/{batch_no} was journaled "
                        "with other operations"
                    )
                return existing
            return self._append(conn, run, system, object, kind, batch_no, "sent", ids, None)

    def journal_done(
        self,
        run_id: str,
        plan_id: str,
        system: str,
        object: str,
        kind: Kind | str,
        batch_no: int,
        results: Any,
    ) -> JournalEntry:
        """Journal a batch's per-record results (JSON-able) after the vendor answered.

        Raises:
            ConfigError: no such run.
            InvariantViolation: the run has finished or belongs to another plan, the batch
                was never journaled as sent, or it has other results already.
        """
        with self._write() as conn:
            run = self._running(conn, run_id, plan_id)
            sent = self._batch_row(conn, run_id, system, object, kind, batch_no, "sent")
            if sent is None:
                raise InvariantViolation(
                    f"run {run_id}: batch {system}/{object}/{batch_no} is done but was "
                    "never journaled as sent"
                )
            done = self._batch_row(conn, run_id, system, object, kind, batch_no, "done")
            if done is not None:
                if dumps(done.results) != dumps(results):
                    raise InvariantViolation(
                        f"run {run_id}: batch {system}/{object}/{batch_no} already has "
                        "other results"
                    )
                return done
            return self._append(
                conn, run, system, object, kind, batch_no, "done", list(sent.op_ids), results
            )

    def journal(self, run_id: str) -> list[JournalEntry]:
        """A run's journal in the order it was written."""
        query = select(journal).where(journal.c.run_id == run_id).order_by(journal.c.seq)
        with self._read() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def done_op_ids(self, plan_id: str) -> set[str]:
        """Op ids of ``plan_id`` whose batch has recorded results, in any of its runs."""
        query = select(journal.c.op_ids).where(
            journal.c.plan_id == plan_id, journal.c.phase == "done"
        )
        done: set[str] = set()
        with self._read() as conn:
            for text in conn.execute(query).scalars():
                done.update(loads(text))
        return done

    def pending_batches(self, plan_id: str) -> list[JournalEntry]:
        """``sent`` entries of ``plan_id`` with no ``done`` entry: interrupted mid-batch."""
        done = journal.alias("done")
        answered = exists().where(
            and_(
                done.c.run_id == journal.c.run_id,
                done.c.system == journal.c.system,
                done.c.object == journal.c.object,
                done.c.kind == journal.c.kind,
                done.c.batch_no == journal.c.batch_no,
                done.c.phase == "done",
            )
        )
        query = (
            select(journal)
            .where(journal.c.plan_id == plan_id, journal.c.phase == "sent", ~answered)
            .order_by(journal.c.at, journal.c.run_id, journal.c.seq)
        )
        with self._read() as conn:
            return [_entry(row) for row in conn.execute(query)]

    # -- helpers ----------------------------------------------------------------------

    def _find_run(self, conn: Connection, run_id: str) -> RunRecord | None:
        row = conn.execute(select(runs).where(runs.c.run_id == run_id)).first()
        return None if row is None else _run(row)

    def _get_run(self, conn: Connection, run_id: str) -> RunRecord:
        run = self._find_run(conn, run_id)
        if run is None:
            raise ConfigError(f"no run {run_id!r} in the state store")
        return run

    def _running(self, conn: Connection, run_id: str, plan_id: str | None = None) -> RunRecord:
        run = self._get_run(conn, run_id)
        if run.status != "running":
            raise InvariantViolation(f"run {run_id} has finished ({run.status})")
        if plan_id is not None and plan_id != run.plan_id:
            raise InvariantViolation(f"run {run_id} applies plan {run.plan_id}, not {plan_id}")
        return run

    def _batch_row(
        self,
        conn: Connection,
        run_id: str,
        system: str,
        object: str,
        kind: Kind | str,
        batch_no: int,
        phase: JournalPhase,
    ) -> JournalEntry | None:
        row = conn.execute(
            select(journal).where(
                journal.c.run_id == run_id,
                journal.c.system == system,
                journal.c.object == object,
                journal.c.kind == Kind(kind).value,
                journal.c.batch_no == batch_no,
                journal.c.phase == phase,
            )
        ).first()
        return None if row is None else _entry(row)

    def _append(
        self,
        conn: Connection,
        run: RunRecord,
        system: str,
        object: str,
        kind: Kind | str,
        batch_no: int,
        phase: JournalPhase,
        op_ids: list[str],
        results: Any,
    ) -> JournalEntry:
        last = conn.execute(
            select(func.coalesce(func.max(journal.c.seq), 0)).where(journal.c.run_id == run.run_id)
        ).scalar_one()
        row = {
            "run_id": run.run_id,
            "seq": int(last) + 1,
            "plan_id": run.plan_id,
            "system": system,
            "object": object,
            "kind": Kind(kind).value,
            "batch_no": batch_no,
            "phase": phase,
            "op_ids": dumps(op_ids),
            "results": None if phase == "sent" else dumps(results),
            "at": utc_text(self._now()),
        }
        conn.execute(insert(journal), row)
        return _entry(
            conn.execute(
                select(journal).where(journal.c.run_id == run.run_id, journal.c.seq == row["seq"])
            ).one()
        )

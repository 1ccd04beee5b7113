"""The audit history: every change, with when, which run, and the values before and after."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from contactsync.state.access import Access, chunked
from contactsync.state.codec import dumps, from_utc_text, loads, utc_text
from contactsync.state.records import AuditEntry
from contactsync.state.schema import audit


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "run_id": entry.run_id,
        "at": utc_text(entry.at),
        "key": entry.key,
        "system": entry.system,
        "object": entry.object,
        "record_id": entry.record_id,
        "action": entry.action,
        "before": None if entry.before is None else dumps(entry.before),
        "after": None if entry.after is None else dumps(entry.after),
    }


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        run_id=row.run_id,
        key=row.key,
        system=row.system,
        object=row.object,
        record_id=row.record_id,
        action=row.action,
        before=loads(row.before),
        after=loads(row.after),
        at=from_utc_text(row.at),
        id=row.id,
    )


class Audit(Access):
    def record_audit(self, entries: Iterable[AuditEntry]) -> int:
        """Append audit entries (their ``id`` is ignored); return how many."""
        count = 0
        with self._write() as conn:
            for chunk in chunked(entries):
                count += self._append_audit(conn, chunk)
        return count

    def audit(self, key: str | None = None, run_id: str | None = None) -> list[AuditEntry]:
        """The history, oldest first; of one key and/or one run when given."""
        query = select(audit).order_by(audit.c.id)
        if key is not None:
            query = query.where(audit.c.key == key)
        if run_id is not None:
            query = query.where(audit.c.run_id == run_id)
        with self._read() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def _append_audit(self, conn: Connection, entries: list[AuditEntry]) -> int:
        if entries:
            conn.execute(insert(audit), [_row(entry) for entry in entries])
        return len(entries)

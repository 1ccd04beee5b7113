"""The quarantine: full copies of contacts held back, restorable with one call.

A key is in quarantine at most once until it is restored (a partial unique index says so
in the database too). Quarantining it again with the same data is a no-op; with other data
the entry is brought up to date. Each change writes an audit entry (``quarantine``,
``requarantine``, ``restore``; no system) in the same transaction, so no copy is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.state.audit import Audit
from contactsync.state.codec import dumps, from_utc_text, loads, maybe_utc, utc_text
from contactsync.state.records import AuditEntry, QuarantineEntry
from contactsync.state.schema import quarantine as table


def _entry(row: Row[Any]) -> QuarantineEntry:
    return QuarantineEntry(
        id=row.id,
        key=row.key,
        customer=row.customer,
        kind=Kind(row.kind),
        reason=row.reason,
        data=loads(row.data),
        quarantined_at=from_utc_text(row.quarantined_at),
        run_id=row.run_id,
        restored_at=maybe_utc(row.restored_at),
    )


class Quarantine(Audit):
    def quarantine(
        self,
        key: str,
        customer: str,
        kind: Kind | str,
        reason: str,
        data: Mapping[str, Any],
        run_id: str | None = None,
    ) -> bool:
        """Hold a full copy of a contact; ``False`` when it is there already unchanged."""
        text = dumps(dict(data))
        now = self._now()
        values = {
            "customer": customer,
            "kind": Kind(kind).value,
            "reason": reason,
            "data": text,
            "quarantined_at": utc_text(now),
            "run_id": run_id,
        }
        with self._write() as conn:
            held = self._active(conn, key)
            if held is None:
                conn.execute(insert(table), {"key": key, **values})
                action, before = "quarantine", None
            elif dumps(held.data) == text:
                return False
            else:
                conn.execute(update(table).where(table.c.id == held.id).values(**values))
                action, before = "requarantine", held.data
            self._append_audit(conn, [_audit(key, run_id, action, before, dict(data), now)])
        return True

    def quarantined(
        self, customer: str | None = None, *, include_restored: bool = False
    ) -> list[QuarantineEntry]:
        """Entries in quarantine (and restored ones if asked), by customer, key and time."""
        query = select(table).order_by(table.c.customer, table.c.key, table.c.id)
        if customer is not None:
            query = query.where(table.c.customer == customer)
        if not include_restored:
            query = query.where(table.c.restored_at.is_(None))
        with self._read() as conn:
            return [_entry(row) for row in conn.execute(query)]

    def is_quarantined(self, key: str) -> bool:
        with self._read() as conn:
            return self._active(conn, key) is not None

    def restore(self, key: str, run_id: str | None = None) -> QuarantineEntry:
        """Take ``key`` out of quarantine; return its entry (with ``restored_at``) and data.

        Raises:
            ConfigError: ``key`` is not in quarantine.
        """
        now = self._now()
        with self._write() as conn:
            held = self._active(conn, key)
            if held is None:
                raise ConfigError(f"contact {key!r} is not in quarantine")
            conn.execute(
                update(table).where(table.c.id == held.id).values(restored_at=utc_text(now))
            )
            self._append_audit(conn, [_audit(key, run_id, "restore", held.data, None, now)])
            row = conn.execute(select(table).where(table.c.id == held.id)).one()
        return _entry(row)

    def _active(self, conn: Connection, key: str) -> QuarantineEntry | None:
        row = conn.execute(
            select(table).where(table.c.key == key, table.c.restored_at.is_(None))
        ).first()
        return None if row is None else _entry(row)


def _audit(
    key: str,
    run_id: str | None,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
) -> AuditEntry:
    return AuditEntry(run_id, key, None, None, None, action, before, after, at)

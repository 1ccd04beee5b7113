"""Review marks: reviews a person recorded through contactsync rather than in a CRM."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select

from contactsync.state.audit import Audit
from contactsync.state.codec import from_utc_text, utc_text
from contactsync.state.records import AuditEntry, ReviewMark
from contactsync.state.schema import review_marks as table


def _mark(row: Row[Any]) -> ReviewMark:
    return ReviewMark(
        id=row.id,
        key=row.key,
        customer=row.customer,
        reviewed_at=from_utc_text(row.reviewed_at),
        reviewed_by=row.reviewed_by,
        marked_at=from_utc_text(row.marked_at),
    )


class Reviews(Audit):
    def mark_reviewed(
        self, key: str, customer: str, reviewed_by: str, reviewed_at: datetime
    ) -> ReviewMark:
        """Record that ``reviewed_by`` reviewed contact ``key`` at ``reviewed_at`` (aware)."""
        now = self._now()
        row = {
            "key": key,
            "customer": customer,
            "reviewed_at": utc_text(reviewed_at),
            "reviewed_by": reviewed_by,
            "marked_at": utc_text(now),
        }
        after = {"reviewed_at": row["reviewed_at"], "reviewed_by": reviewed_by}
        with self._write() as conn:
            new_id = conn.execute(insert(table).returning(table.c.id), row).scalar_one()
            self._append_audit(
                conn, [AuditEntry(None, key, None, None, None, "review", None, after, now)]
            )
            return _mark(conn.execute(select(table).where(table.c.id == new_id)).one())

    def review_marks(self, customer: str | None = None) -> list[ReviewMark]:
        """Every review mark (of one customer), by key, then review time, oldest first."""
        query = select(table).order_by(table.c.key, table.c.reviewed_at, table.c.id)
        if customer is not None:
            query = query.where(table.c.customer == customer)
        with self._read() as conn:
            return [_mark(row) for row in conn.execute(query)]

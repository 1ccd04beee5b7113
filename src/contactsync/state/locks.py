"""Per-customer advisory locks, so two workers never reconcile the same customer at once.

A lock is a row (customer, owner, expires_at) taken with one atomic upsert: it inserts, or
takes over a row that has expired or that the same owner holds (which renews it). Expiry is
judged by the caller's clock: keep the ttl well above the clock skew between workers, and
renew (``try_lock`` again) before it runs out.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from contactsync.state.access import Access
from contactsync.state.codec import utc_text
from contactsync.state.schema import locks


class Locks(Access):
    def try_lock(self, customer: str, owner: str, ttl: timedelta) -> bool:
        """Take or renew ``customer``'s lock for ``ttl``; ``False`` while another holds it."""
        if ttl <= timedelta(0):
            raise ValueError(f"lock ttl must be positive, not {ttl}")
        now = self._now()
        row = {
            "customer": customer,
            "owner": owner,
            "acquired_at": utc_text(now),
            "expires_at": utc_text(now + ttl),
        }
        # Only a free, expired or own lock is overwritten; otherwise no row changes.
        statement = self._upsert(
            locks,
            ("customer",),
            ("owner", "acquired_at", "expires_at"),
            where=(locks.c.expires_at <= row["acquired_at"]) | (locks.c.owner == owner),
        ).returning(locks.c.owner)
        with self._write() as conn:
            # RETURNING, not rowcount: drivers do not all report rowcount for an upsert.
            return conn.execute(statement, row).first() is not None

    def unlock(self, customer: str, owner: str) -> bool:
        """Release ``customer``'s lock if ``owner`` holds it; ``False`` otherwise."""
        statement = delete(locks).where(locks.c.customer == customer, locks.c.owner == owner)
        with self._write() as conn:
            return conn.execute(statement).rowcount == 1

    def lock_owner(self, customer: str) -> str | None:
        """Who holds ``customer``'s lock now (``None`` when free or expired)."""
        query = select(locks.c.owner).where(
            locks.c.customer == customer, locks.c.expires_at > utc_text(self._now())
        )
        with self._read() as conn:
            owner: str | None = conn.execute(query).scalar_one_or_none()
        return owner

"""The in-memory records behind an emulator: stable ids, modification stamps, soft deletes
and keyset paging.

Ids are ``<prefix><six digits>`` in creation order, and stamps come from a clock that only
moves when written to, so the same test makes the same ids, stamps and cursors on every run
(cassettes recorded twice are the same). Writes inside one ``batch()`` share one stamp, as
a vendor's bulk call does: that is how records come to share a modification time across a
page boundary.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


class Clock:
    """A clock that moves ``step`` each time a write asks for a stamp.

    Attributes:
        now: the last stamp handed out (or the start).
    """

    def __init__(
        self,
        start: datetime = datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        step: timedelta = timedelta(seconds=1),
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's start must be timezone-aware")
        self.now = start
        self.step = step

    def tick(self) -> datetime:
        self.now = self.now + self.step
        return self.now


@dataclass
class StoredRecord:
    """One record of one object.

    Attributes:
        id: the vendor's id (stable: creation order).
        object: the object it belongs to.
        values: the vendor fields.
        created_at: when it was created.
        modified_at: the modification stamp paging and incremental reads go by.
        deleted_at: set when it was deleted (it stays, for the delete feed).
    """

    id: str
    object: str
    values: dict[str, Any]
    created_at: datetime
    modified_at: datetime
    deleted_at: datetime | None = None

    @property
    def position(self) -> tuple[datetime, str]:
        """Where it sorts: modification stamp, then id."""
        return (self.modified_at, self.id)


@dataclass
class Page:
    """One page of a keyset read: the records and whether more follow."""

    records: list[StoredRecord]
    more: bool
    after: tuple[datetime, str] | None = field(default=None)
    """The position of the last record, for the next page."""


class RecordStore:
    """Records per object; every method is safe to call from the server's threads."""

    def __init__(self, clock: Clock | None = None, id_prefix: str = "r") -> None:
        self.clock = clock or Clock()
        self.id_prefix = id_prefix
        self._records: dict[str, dict[str, StoredRecord]] = {}
        self._serial = 0
        self._batch_stamp: datetime | None = None
        self._lock = threading.RLock()

    # -- stamps -----------------------------------------------------------------------

    @contextmanager
    def batch(self, stamp: datetime | None = None) -> Iterator[datetime]:
        """Every write inside shares one stamp (``stamp``, or the clock's next tick)."""
        with self._lock:
            outer = self._batch_stamp
            self._batch_stamp = stamp or outer or self.clock.tick()
            try:
                yield self._batch_stamp
            finally:
                self._batch_stamp = outer

    def _stamp(self) -> datetime:
        return self._batch_stamp or self.clock.tick()

    # -- writes -----------------------------------------------------------------------

    def insert(
        self, object: str, values: Mapping[str, Any], *, modified_at: datetime | None = None
    ) -> StoredRecord:
        """A new record, always (a vendor's plain create)."""
        with self._lock:
            self._serial += 1
            stamp = modified_at or self._stamp()
            record = StoredRecord(
                id=f"{self.id_prefix}{self._serial:06d}",
                object=object,
                values=dict(values),
                created_at=stamp,
                modified_at=stamp,
            )
            self._records.setdefault(object, {})[record.id] = record
            return record

    def upsert(
        self,
        object: str,
        key_field: str,
        values: Mapping[str, Any],
        *,
        modified_at: datetime | None = None,
    ) -> tuple[StoredRecord, bool]:
        """Create or update the live record whose ``key_field`` equals ``values[key_field]``.

        Returns:
            The record and ``True`` when it was created. An update that changes nothing
            keeps the stamp (a vendor does not bump an unchanged record).
        """
        with self._lock:
            found = self.find(object, key_field, values[key_field])
            if found is None:
                return self.insert(object, values, modified_at=modified_at), True
            merged = {**found.values, **values}
            if merged != found.values:
                found.values = merged
                found.modified_at = modified_at or self._stamp()
            return found, False

    def delete(self, object: str, record_id: str) -> StoredRecord | None:
        """Soft-delete a live record; ``None`` when there is no live record with that id."""
        with self._lock:
            record = self._records.get(object, {}).get(record_id)
            if record is None or record.deleted_at is not None:
                return None
            record.deleted_at = record.modified_at = self._stamp()
            return record

    # -- reads ------------------------------------------------------------------------

    def get(self, object: str, record_id: str) -> StoredRecord | None:
        with self._lock:
            return self._records.get(object, {}).get(record_id)

    def find(self, object: str, key_field: str, key: Any) -> StoredRecord | None:
        """The live record whose ``key_field`` is ``key``."""
        with self._lock:
            for record in self._records.get(object, {}).values():
                if record.deleted_at is None and record.values.get(key_field) == key:
                    return record
            return None

    def all(self, object: str) -> list[StoredRecord]:
        """Every record of ``object``, deleted ones too, in (stamp, id) order."""
        with self._lock:
            return sorted(self._records.get(object, {}).values(), key=lambda r: r.position)

    def live(self, object: str) -> list[StoredRecord]:
        return [r for r in self.all(object) if r.deleted_at is None]

    def page(
        self,
        object: str,
        *,
        limit: int,
        after: tuple[datetime, str] | None = None,
        since: datetime | None = None,
        deleted: bool = False,
    ) -> Page:
        """Up to ``limit`` records in (stamp, id) order, strictly after ``after``.

        Args:
            since: only records stamped at or after it.
            deleted: the deleted records (a delete feed) instead of the live ones.
        """
        chosen = [
            r
            for r in self.all(object)
            if (r.deleted_at is not None) == deleted
            and (since is None or r.modified_at >= since)
            and (after is None or r.position > after)
        ]
        records = chosen[:limit]
        return Page(records, len(chosen) > limit, records[-1].position if records else after)

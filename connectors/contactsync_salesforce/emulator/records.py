"""The kit's ``RecordStore`` with an index, so lookups by external id stay fast at 10,000s.

Upserts by key, unique checks and lookups of a parent by its external id all find records
by a field's value; the kit's store scans every record for that. ``IndexedRecords`` keeps,
per (object, field) asked about, value → record ids, built on first use and kept up to
date by every write made through the store (the kit's seeding included) and by
``touched()`` for values changed in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from contactsync.testing.emulator import Clock, RecordStore, StoredRecord

_ABSENT = object()


class IndexedRecords(RecordStore):
    def __init__(self, clock: Clock | None = None, id_prefix: str = "r") -> None:
        super().__init__(clock=clock, id_prefix=id_prefix)
        self._index: dict[tuple[str, str], dict[Any, set[str]]] = {}

    def _field_index(self, obj: str, field: str) -> dict[Any, set[str]]:
        key = (obj, field)
        if key not in self._index:
            built: dict[Any, set[str]] = {}
            for record in self.live(obj):
                value = record.values.get(field)
                try:
                    built.setdefault(value, set()).add(record.id)
                except TypeError:  # an unhashable value: nothing can be found by it
                    continue
            self._index[key] = built
        return self._index[key]

    def find(self, object: str, key_field: str, key: Any) -> StoredRecord | None:
        try:
            ids = self._field_index(object, key_field).get(key, set())
        except TypeError:
            return super().find(object, key_field, key)
        for record_id in sorted(ids):
            record = self.get(object, record_id)
            if record is not None and record.deleted_at is None and (
                record.values.get(key_field) == key
            ):
                return record
        return None

    def insert(
        self, object: str, values: Mapping[str, Any], *,
        modified_at: datetime | None = None,
    ) -> StoredRecord:
        record = super().insert(object, values, modified_at=modified_at)
        self.touched(record, None)
        return record

    def upsert(
        self, object: str, key_field: str, values: Mapping[str, Any],
        *, modified_at: datetime | None = None,
    ) -> tuple[StoredRecord, bool]:
        found = self.find(object, key_field, values[key_field])
        before = dict(found.values) if found is not None else None
        record, created = super().upsert(object, key_field, values, modified_at=modified_at)
        if not created:
            self.touched(record, before)
        return record, created

    def delete(self, object: str, record_id: str) -> StoredRecord | None:
        record = super().delete(object, record_id)
        if record is not None:
            self.touched(record, dict(record.values))
        return record

    def touched(self, record: StoredRecord, before: Mapping[str, Any] | None) -> None:
        """Bring the index up to date after ``record`` changed (``before``: its values
        before, ``None`` when it is new or was deleted and restored)."""
        for (obj, field), index in self._index.items():
            if obj != record.object:
                continue
            old = before.get(field, None) if before is not None else _ABSENT
            try:
                if old is not _ABSENT:
                    index.get(old, set()).discard(record.id)
                if record.deleted_at is None:
                    index.setdefault(record.values.get(field), set()).add(record.id)
            except TypeError:
                continue

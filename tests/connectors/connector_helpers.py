"""Builders shared by the csv and sqlite connector tests.

Mappings are built by hand from ``contactsync.mapping.model``: the connectors only read
``object``, ``key_field`` and ``vendor_fields``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from contactsync.connector import ConnectorContext, PullPage, RowError, VendorRecord, WriteOp
from contactsync.mapping.model import FieldMap, ObjectMapping, SystemMapping
from contactsync.models import Kind

ObjectSpec = tuple[str, str, Sequence[str]]
"""(object, key_field, other vendor fields)"""


def object_mapping(kind: Kind, obj: str, key_field: str, fields: Sequence[str]) -> ObjectMapping:
    return ObjectMapping(
        kind=kind,
        object=obj,
        key_field=key_field,
        fields={name: FieldMap(canonical=name, vendor_fields=(name,)) for name in fields},
    )


def system_mapping(connector: str, objects: Mapping[Kind, ObjectSpec]) -> SystemMapping:
    return SystemMapping(
        connector=connector,
        source=f"{connector}-test.toml",
        objects={kind: object_mapping(kind, *spec) for kind, spec in objects.items()},
    )


def context(
    connector: str,
    base_dir: Path,
    objects: Mapping[Kind, ObjectSpec],
    settings: Mapping[str, Any] | None = None,
) -> ConnectorContext:
    return ConnectorContext(
        system=f"test-{connector}",
        settings=dict(settings or {}),
        mapping=system_mapping(connector, objects),
        base_dir=base_dir,
    )


def records(pages: Iterable[PullPage]) -> list[VendorRecord]:
    return [record for page in pages for record in page.records]


def errors(pages: Iterable[PullPage]) -> list[RowError]:
    return [error for page in pages for error in page.errors]


def create(key: str, values: Mapping[str, Any]) -> WriteOp:
    return WriteOp(action="create", key=key, values=dict(values), idempotency_key=f"c:{key}")


def update(key: str, values: Mapping[str, Any], record_id: str | None = None) -> WriteOp:
    return WriteOp(action="update", key=key, values=dict(values), record_id=record_id or key)


def archive(key: str, record_id: str | None = None) -> WriteOp:
    return WriteOp(action="archive", key=key, values={}, record_id=record_id or key)


def csv_connector(
    base_dir: Path,
    obj: str,
    key_field: str,
    fields: Sequence[str],
    kind: Kind = Kind.BUSINESS,
    **settings: Any,
) -> Any:
    """A ``CsvConnector`` for one kind stored in ``base_dir / obj``."""
    from contactsync_csv import CsvConnector

    return CsvConnector(context("csv", base_dir, {kind: (obj, key_field, fields)}, settings))


class FakeClock:
    """A clock that moves only when told to (no test depends on real time)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2024, 5, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


HUB_OBJECTS: dict[Kind, ObjectSpec] = {
    Kind.EMERGENCY: ("emergency_contacts", "contactsync_key", ["name", "phone", "priority"]),
    Kind.BUSINESS: ("business_contacts", "contactsync_key", ["name", "phone", "title"]),
}


def hub(
    base_dir: Path,
    clock: FakeClock,
    objects: Mapping[Kind, ObjectSpec] | None = None,
    **settings: Any,
) -> Any:
    """A ``SqliteConnector`` on ``base_dir / hub.db`` with a fake clock."""
    from contactsync_sqlite import SqliteConnector

    settings.setdefault("path", "hub.db")
    return SqliteConnector(
        context("sqlite", base_dir, objects or HUB_OBJECTS, settings), clock=clock
    )

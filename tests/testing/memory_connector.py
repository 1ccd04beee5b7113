"""A small in-memory connector that keeps the whole contract, and a "vendor" behind it.

The kit's own tests break it one way at a time (``broken_connectors.py``) to show that
each contract check fails for the defect it is about. The store lives in ``STORES`` by
folder, so a connector built again over the same folder (a restart) sees the same data.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from contactsync.connector import (
    Capabilities,
    Connector,
    ConnectorContext,
    Cursor,
    FieldSchema,
    ObjectSchema,
    PullPage,
    VendorError,
    VendorRecord,
    WriteOp,
    WriteResult,
)
from contactsync.errors import RetryableError
from contactsync.mapping import SystemMapping, mappings_dir, parse_mapping, to_vendor
from contactsync.models import Kind
from contactsync.testing import ConnectorContract, RejectedWrite, create_op
from contactsync.testing.contract import AnyContact, LostResponse
from contactsync.testing.emulator import WriteCall

Position = tuple[str, str]  # (stamp text, id): text order is time order here


def stamp_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


@dataclass
class Row:
    id: str
    values: dict[str, Any]
    stamp: str
    deleted: bool = False


@dataclass
class MemoryStore:
    """The vendor: rows per object, a clock, a write log, injected faults."""

    objects: dict[str, dict[str, Row]] = field(default_factory=dict)
    now: datetime = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    serial: int = 0
    writes: list[WriteCall] = field(default_factory=list)
    rejections: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    lose_next: bool = False
    lost: int = 0
    limit: int = 3

    def tick(self) -> str:
        self.now += timedelta(minutes=1)  # well beyond the lookback: old writes fall out of it
        return stamp_text(self.now)

    def table(self, name: str) -> dict[str, Row]:
        return self.objects.setdefault(name, {})

    def by_key(self, name: str, key_field: str, key: str) -> Row | None:
        for row in self.table(name).values():
            if not row.deleted and row.values.get(key_field) == key:
                return row
        return None

    def insert(self, name: str, values: dict[str, Any], stamp: str) -> Row:
        self.serial += 1
        row = Row(f"m{self.serial:05d}", dict(values), stamp)
        self.table(name)[row.id] = row
        return row


STORES: dict[Path, MemoryStore] = {}


def memory_mapping() -> SystemMapping:
    """The sqlite default mapping, for connector ``memory`` (structured values as JSON)."""
    data = tomllib.loads((mappings_dir() / "sqlite.toml").read_text(encoding="utf-8"))
    data["connector"] = "memory"
    return parse_mapping(data, source="memory.toml")


class MemoryConnector(Connector):
    """Keyset paging by (stamp, id), compound cursor with lookback, upserts by key, a
    delete feed, batches split to the vendor's limit, per-record errors as results."""

    capabilities = Capabilities(
        kinds=frozenset(Kind), incremental=True, deletes="feed", batch_size=5
    )
    lookback: ClassVar[timedelta] = timedelta(seconds=2)

    def __init__(self, context: ConnectorContext) -> None:
        super().__init__(context)
        self.store = STORES.setdefault(context.base_dir, MemoryStore())
        self.page_size = int(context.settings.get("page_size", 2))

    # -- describe -------------------------------------------------------------------

    def describe(self) -> dict[Kind, ObjectSchema]:
        schemas = {}
        for kind in self.context.mapping.kinds:
            om = self.context.mapping.for_kind(kind)
            fields = {
                n: FieldSchema(n, "string", external_id=n == om.key_field) for n in om.vendor_fields
            }
            schemas[kind] = ObjectSchema(om.object, fields)
        return schemas

    # -- pull -----------------------------------------------------------------------

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        state = self.start_state(since)
        table = self.read_object(kind)
        while True:
            rows = self.select(table, state)
            more = len(rows) > self.page_size
            rows = rows[: self.page_size]
            if rows:
                state["after"] = [rows[-1].stamp, rows[-1].id]
                mark = state.get("mark")
                if mark is None or tuple(state["after"]) > tuple(mark):
                    state["mark"] = state["after"]
            records = [self.record(table, row) for row in rows]
            last = not more
            yield PullPage(
                records=records,
                cursor=self.cursor(state, final=last),
                last=last,
                complete=last and state["mode"] == "full",
            )
            if last:
                return

    def read_object(self, kind: Kind) -> str:
        return self.object_for(kind)

    def start_state(self, since: Cursor | None) -> dict[str, Any]:
        if since is not None and since.page_state:
            state: dict[str, Any] = json.loads(since.page_state)
            return state
        if since is None or since.watermark is None:
            return {"mode": "full", "after": None, "lower": None, "mark": None}
        mark = [stamp_text(since.watermark), since.last_id or ""]
        lower = stamp_text(since.watermark - self.lookback)
        return {"mode": "changes", "after": None, "lower": lower, "mark": mark}

    def select(self, table: str, state: dict[str, Any]) -> list[Row]:
        rows = sorted(self.store.table(table).values(), key=lambda r: (r.stamp, r.id))
        if state["mode"] == "full":
            rows = [r for r in rows if not r.deleted]
        if state["lower"] is not None:
            rows = [r for r in rows if r.stamp >= state["lower"]]
        if state["after"] is not None:
            after = tuple(state["after"])
            rows = [r for r in rows if (r.stamp, r.id) > after]
        return rows[: self.page_size + 1]

    def record(self, table: str, row: Row) -> VendorRecord:
        return VendorRecord(
            record_id=row.id,
            values=dict(row.values),
            object=table,
            modified_at=datetime.fromisoformat(row.stamp).replace(tzinfo=UTC),
            deleted=row.deleted,
        )

    def cursor(self, state: dict[str, Any], *, final: bool) -> Cursor:
        mark = state.get("mark")
        watermark = datetime.fromisoformat(mark[0]).replace(tzinfo=UTC) if mark else None
        return Cursor(watermark, mark[1] if mark else None, None if final else json.dumps(state))

    # -- push -----------------------------------------------------------------------

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        results: list[WriteResult] = []
        for start in range(0, len(operations), self.store.limit):
            results.extend(self.call(kind, operations[start : start + self.store.limit]))
        return iter(results)

    def write_object(self, kind: Kind) -> str:
        return self.object_for(kind)

    def call(self, kind: Kind, operations: Sequence[WriteOp]) -> list[WriteResult]:
        """One vendor write call."""
        table = self.write_object(kind)
        key_field = self.context.mapping.for_kind(kind).key_field
        self.store.writes.append(WriteCall(table, len(operations)))
        if len(operations) > self.store.limit:
            return [self.failed(op, "BATCH_TOO_LARGE", "too many records", ()) for op in operations]
        stamp = self.store.tick()
        results = [self.apply(table, key_field, op, stamp) for op in operations]
        if self.store.lose_next:
            self.store.lose_next = False
            self.store.lost += 1
            raise RetryableError("the vendor did not answer in time")
        return results

    def apply(self, table: str, key_field: str, op: WriteOp, stamp: str) -> WriteResult:
        rejection = self.store.rejections.pop(op.key, None)
        if rejection is not None:
            code, message, field_name = rejection
            return self.failed(op, code, message, (field_name,))
        if op.action == "archive":
            row = self.store.by_key(table, key_field, op.key)
            if row is None:
                return self.failed(op, "NOT_FOUND", "no such record", ())
            row.deleted, row.stamp = True, stamp
            return WriteResult(op.key, True, op.action, row.id)
        row = self.store.by_key(table, key_field, op.key)
        if row is None:
            row = self.store.insert(table, {**op.values, key_field: op.key}, stamp)
        else:
            row.values.update(op.values)
            row.stamp = stamp
        return WriteResult(op.key, True, op.action, row.id)

    @staticmethod
    def failed(op: WriteOp, code: str, message: str, fields: tuple[str, ...]) -> WriteResult:
        return WriteResult(
            op.key, False, op.action, op.record_id, VendorError(code, message, fields)
        )


class MemoryContract(ConnectorContract):
    """The contract for ``MemoryConnector`` (or a broken subclass: ``connector_class``)."""

    connector_class: ClassVar[type[MemoryConnector]] = MemoryConnector
    current_store: MemoryStore

    def make_connector(self, workdir: Path) -> Connector:
        context = ConnectorContext("memory", {"page_size": self.page_size}, self.mapping(), workdir)
        connector = self.connector_class(context)
        self.current_store = connector.store
        return connector

    def mapping(self) -> SystemMapping:
        return memory_mapping()

    def store(self, connector: Connector) -> MemoryStore:
        assert isinstance(connector, MemoryConnector)
        return connector.store

    def seed(self, connector: Connector, kind: Kind, contacts: Sequence[AnyContact]) -> None:
        store = self.store(connector)
        om = connector.context.mapping.for_kind(kind)
        stamp = store.tick()  # one stamp for the whole seed, as a bulk load
        for contact in contacts:
            store.insert(om.object, to_vendor(om, contact), stamp)

    def write_late(
        self, connector: Connector, kind: Kind, contact: AnyContact, modified_at: datetime
    ) -> None:
        om = connector.context.mapping.for_kind(kind)
        self.store(connector).insert(om.object, to_vendor(om, contact), stamp_text(modified_at))

    def rejected_write(
        self, connector: Connector, kind: Kind, contact: AnyContact
    ) -> RejectedWrite:
        om = connector.context.mapping.for_kind(kind)
        assert contact.key is not None
        self.store(connector).rejections[contact.key] = ("INVALID_EMAIL", "not an address", "email")
        return RejectedWrite(create_op(om, contact), "INVALID_EMAIL", "email")

    def arm_lost_response(self, connector: Connector) -> LostResponse | None:
        store = self.store(connector)
        store.lose_next = True
        before = store.lost
        return lambda: store.lost > before

    def write_calls(self) -> list[WriteCall] | None:
        return list(self.current_store.writes)

    def vendor_batch_limit(self) -> int | None:
        return self.current_store.limit

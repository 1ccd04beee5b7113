"""Read every system: pull, make canonical, and account for every record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from time import perf_counter
from typing import Any

from contactsync.connector import Cursor, RowError, VendorRecord
from contactsync.errors import RecordRejected
from contactsync.findings import Code, Finding
from contactsync.models import CONTACT_ADAPTER, Kind
from contactsync.reconcile.canonical import Canonicalizer, dump_values, row_mapping
from contactsync.reconcile.records import ObjectRead, Snapshot, SystemRecord, Timings
from contactsync.runtime import SystemHandle, Workspace

Progress = Callable[[str, int], None]
"""Called with a label and a count of records just read."""


def read_all(
    ws: Workspace,
    *,
    full: bool = False,
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> Snapshot:
    """Pull both kinds from every system (incrementally where a cursor is stored)."""
    snapshot = Snapshot()
    for handle in ws.ordered_systems():
        for kind in (Kind.EMERGENCY, Kind.BUSINESS):
            if handle.stores(kind):
                read_object(
                    ws, handle, kind, snapshot, full=full, progress=progress, timings=timings
                )
    return snapshot


def read_object(
    ws: Workspace,
    handle: SystemHandle,
    kind: Kind,
    snapshot: Snapshot,
    *,
    full: bool,
    progress: Progress | None,
    timings: Timings | None = None,
) -> None:
    timings = timings if timings is not None else Timings()
    om = handle.mapping.for_kind(kind)
    canon = Canonicalizer(
        ws.host, handle.name, handle.config.region, ws.config.sync.default_region
    )
    since: Cursor | None = None
    if handle.connector.capabilities.incremental and not full:
        stored = ws.store.get_cursor(handle.name, om.object)
        since = Cursor.from_json(stored) if stored else None
    read = ObjectRead(handle.name, om.object, kind)
    digest = hashlib.sha256()
    seen: set[str] = set()
    pages = iter(handle.connector.pull(kind, since))
    while True:
        started = perf_counter()
        page = next(pages, None)
        timings.add("read", perf_counter() - started)
        if page is None:
            break
        started = perf_counter()
        for record in page.records:
            digest.update(_record_digest(record))
            if record.record_id in seen:  # a lookback re-read; the newest copy wins
                snapshot.records = [
                    r
                    for r in snapshot.records
                    if not (r.system == handle.name and r.record_id == record.record_id)
                ]
            seen.add(record.record_id)
            read.pulled += 1
            if record.deleted:
                read.deleted_ids.append(record.record_id)
                continue
            _convert(canon, om, record, snapshot)
        for error in page.errors:
            digest.update(json.dumps([error.record_id, error.reason]).encode())
            read.pulled += 1
            snapshot.rejected += 1
            snapshot.findings.append(_row_error(handle.name, error))
        read.cursor = page.cursor
        read.complete = page.complete
        timings.add("normalize", perf_counter() - started)
        if progress is not None:
            progress(f"{handle.name}/{kind.value}", len(page.records) + len(page.errors))
    if since is not None:
        digest.update(since.to_json().encode())
        _overlay_bases(ws, handle, kind, om.object, seen, read, snapshot)
    read.fingerprint = digest.hexdigest()
    snapshot.objects[(handle.name, om.object)] = read


def _convert(canon: Canonicalizer, om: Any, record: VendorRecord, snapshot: Snapshot) -> None:
    row_kind, row_om = row_mapping(om, record.values)
    try:
        contact, notes = canon.contact(
            row_om,
            record.values,
            object_name=record.object,
            record_id=record.record_id,
            locator=record.locator,
        )
    except RecordRejected as exc:
        snapshot.rejected += 1
        customer = record.values.get(_vendor_field(row_om, "customer"))
        snapshot.findings.append(
            Finding(
                Code.MISSING_FIELD if exc.code == "MISSING_FIELD" else Code.INVALID_RECORD,
                str(customer).strip() if customer not in (None, "") else None,
                str(exc),
                records=(str(exc.location),),
                details={"field": exc.field, "kind": row_kind.value},
            )
        )
        return
    snapshot.findings.extend(notes)
    snapshot.records.append(
        SystemRecord(
            system=canon.system,
            object=record.object,
            record_id=record.record_id,
            kind=row_kind,
            contact=contact,
            values=dump_values(contact),
            locator=record.locator,
            mixed=row_kind != om.kind,
            positional=record.positional,
        )
    )


def _overlay_bases(
    ws: Workspace,
    handle: SystemHandle,
    kind: Kind,
    object_name: str,
    seen: set[str],
    read: ObjectRead,
    snapshot: Snapshot,
) -> None:
    """An incremental pull returns changes only: the rest is as at the last sync."""
    deleted = set(read.deleted_ids)
    for record_id, base in sorted(ws.store.load_bases(handle.name, object_name).items()):
        if record_id in seen or record_id in deleted:
            continue
        data = dict(base.data)
        row_kind = Kind(data.pop("_kind", kind.value))
        contact = CONTACT_ADAPTER.validate_python({**data, "kind": row_kind.value})
        snapshot.records.append(
            SystemRecord(
                system=handle.name,
                object=object_name,
                record_id=record_id,
                kind=row_kind,
                contact=contact,
                values=data,
                mixed=row_kind != kind,
            )
        )


def _vendor_field(om: Any, canonical: str) -> str:
    fmap = om.fields.get(canonical)
    return fmap.vendor_fields[0] if fmap is not None and fmap.vendor_fields else canonical


def _record_digest(record: VendorRecord) -> bytes:
    body = json.dumps(
        [record.record_id, record.deleted, dict(record.values)],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode()).digest()


def _row_error(system: str, error: RowError) -> Finding:
    where = f"{system}/{error.object}/{error.record_id}"
    field = f" field {error.field!r}" if error.field else ""
    return Finding(
        Code.INVALID_RECORD,
        None,
        f"{where}{field}: {error.reason}",
        records=(where,),
        details={"field": error.field},
    )

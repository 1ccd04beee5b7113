"""Read every system: pull, make canonical, and account for every record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from time import perf_counter
from typing import Any

from contactsync.connector import Cursor, RowError, VendorRecord
from contactsync.errors import RecordLocation, RecordRejected, in_system
from contactsync.findings import Code, Finding
from contactsync.models import CONTACT_ADAPTER, Kind, Phone, build_contact
from contactsync.models.build import share_fields_set
from contactsync.reconcile.canonical import Canonicalizer, row_mapping
from contactsync.reconcile.records import (
    KIND_KEY,
    ObjectRead,
    Snapshot,
    SystemRecord,
    Timings,
    Unplaced,
)
from contactsync.runtime import SystemHandle, Workspace

Progress = Callable[[str, int], None]
"""Called with a label and a count of records just read."""

SHARED_FIELDS = (
    "customer",
    "role",
    "relationship",
    "responsibility",
    "reviewed_by",
    "last_reviewed_at",
    "response_time_limit",
    "title",
    "department",
    "project",
    "business_line",
    "owner",
    "family_name",
)
"""Fields whose values many records repeat (a customer's key is in each of its records,
a role or department in many): equal values read are kept once (``share_values``)."""

Shared = dict[Any, Any]
"""The values already read of ``SHARED_FIELDS``, for one read of every system."""


def read_all(
    ws: Workspace,
    *,
    full: bool = False,
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> Snapshot:
    """Pull both kinds from every system (incrementally where a cursor is stored)."""
    snapshot = Snapshot()
    shared: Shared = {}
    for handle in ws.ordered_systems():
        for kind in (Kind.EMERGENCY, Kind.BUSINESS):
            if handle.stores(kind):
                read_object(
                    ws,
                    handle,
                    kind,
                    snapshot,
                    full=full,
                    progress=progress,
                    timings=timings,
                    shared=shared,
                )
    return snapshot


def share_values(values: dict[str, Any], shared: Shared) -> None:
    """Replace the values of ``SHARED_FIELDS`` by an equal one read before, if any.

    Only values an equal one cannot be told from: text, a duration, a date-time in UTC
    (an equal one in another zone, or with ``fold`` set, shows differently). The contact
    validated from ``values`` keeps the very objects (its validators return their input
    when there is nothing to clean), so a repeated value is held once however many
    records hold it.
    """
    for name in SHARED_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        kind = type(value)
        if not (
            kind is str
            or kind is timedelta
            or (kind is datetime and value.tzinfo is UTC and not value.fold)
        ):
            continue
        found = shared.get(value)
        if found is None:
            shared[value] = value
        elif found is not value:
            values[name] = found


def read_object(
    ws: Workspace,
    handle: SystemHandle,
    kind: Kind,
    snapshot: Snapshot,
    *,
    full: bool,
    progress: Progress | None,
    timings: Timings | None = None,
    shared: Shared | None = None,
) -> None:
    """Pull one object of one system into ``snapshot``.

    ``shared`` keeps repeated values once across the objects read (``share_values``);
    ``read_all`` passes one for all of them.
    """
    timings = timings if timings is not None else Timings()
    shared = shared if shared is not None else {}
    om = handle.mapping.for_kind(kind)
    canon = Canonicalizer(ws.host, handle.name, handle.config.region, ws.config.sync.default_region)
    since: Cursor | None = None
    if handle.connector.capabilities.incremental and not full:
        stored = ws.store.get_cursor(handle.name, om.object)
        since = Cursor.from_json(stored) if stored else None
    read = ObjectRead(handle.name, om.object, kind)
    digest = hashlib.sha256()
    seen: set[str] = set()
    newest: dict[str, tuple[str, int]] = {}  # read twice: where the newest copy went
    with in_system(handle.name):
        pages = iter(handle.connector.pull(kind, since))
    while True:
        started = perf_counter()
        with in_system(handle.name):
            page = next(pages, None)
        timings.add("read", perf_counter() - started)
        if page is None:
            break
        started = perf_counter()
        for record in page.records:
            digest.update(_record_digest(record))
            again = record.record_id in seen  # read twice: the earlier copy goes at the end
            seen.add(record.record_id)
            read.pulled += 1
            if record.deleted:
                read.deleted_ids.append(record.record_id)
                if again:
                    newest[record.record_id] = ("deleted", len(read.deleted_ids) - 1)
                continue
            read.present_ids.add(record.record_id)
            counts = len(snapshot.records), len(snapshot.unreadable)
            _convert(canon, om, record, snapshot, shared)
            if again:
                newest[record.record_id] = _where_added(snapshot, counts)
        for error in page.errors:
            digest.update(json.dumps([error.record_id, error.reason]).encode())
            read.pulled += 1
            read.present_ids.add(error.record_id)
            snapshot.rejected += 1
            snapshot.findings.append(_row_error(handle.name, error))
            snapshot.unreadable.append(
                Unplaced(handle.name, error.object, error.record_id, kind, None)
            )
        read.cursor = page.cursor
        read.complete = page.complete
        timings.add("normalize", perf_counter() - started)
        if progress is not None:
            progress(f"{handle.name}/{kind.value}", len(page.records) + len(page.errors))
    if newest:
        _keep_newest_copies(snapshot, read, newest)
    if since is not None:
        digest.update(since.to_json().encode())
        _overlay_bases(ws, handle, kind, om.object, seen, read, snapshot, shared)
    read.fingerprint = digest.hexdigest()
    snapshot.objects[(handle.name, om.object)] = read


def _where_added(snapshot: Snapshot, counts: tuple[int, int]) -> tuple[str, int]:
    """Which list ``_convert`` just added to (``counts`` were their lengths before)."""
    if len(snapshot.records) > counts[0]:
        return "record", len(snapshot.records) - 1
    if len(snapshot.unreadable) > counts[1]:
        return "unreadable", len(snapshot.unreadable) - 1
    return "none", -1


def _keep_newest_copies(
    snapshot: Snapshot, read: ObjectRead, newest: dict[str, tuple[str, int]]
) -> None:
    """Drop every copy but the newest of the records one pull returned more than once.

    Done once per object, after its pull (one pass, whatever the number of re-reads): a
    copy may have become a contact, an unreadable record or a deletion, and only the
    newest stands. The earlier copies' findings stay: they were true of what was read.
    """
    def stands(record_id: str, where: str, at: int) -> bool:
        return record_id not in newest or newest[record_id] == (where, at)

    system, obj = read.system, read.object
    snapshot.records = [
        r for at, r in enumerate(snapshot.records)
        if (r.system, r.object) != (system, obj) or stands(r.record_id, "record", at)
    ]
    kept = [
        u for at, u in enumerate(snapshot.unreadable)
        if (u.system, u.object) != (system, obj) or stands(u.record_id, "unreadable", at)
    ]
    snapshot.rejected -= len(snapshot.unreadable) - len(kept)
    snapshot.unreadable = kept
    read.deleted_ids = [
        rid for at, rid in enumerate(read.deleted_ids) if stands(rid, "deleted", at)
    ]
    read.present_ids.difference_update(
        rid for rid, (where, _) in newest.items() if where == "deleted"
    )

def _convert(
    canon: Canonicalizer, om: Any, record: VendorRecord, snapshot: Snapshot, shared: Shared
) -> None:
    row_kind, row_om = row_mapping(om, record.values)
    canonical: dict[str, Any] = {}
    notes: list[Finding] = []
    try:
        canonical, notes, location = canon.prepare(
            row_om,
            record.values,
            object_name=record.object,
            record_id=record.record_id,
            locator=record.locator,
        )
        share_values(canonical, shared)
        if canonical.get("key") == record.record_id:  # a keyed row's id is often its key
            canonical["key"] = record.record_id
        contact = build_contact(row_kind.value, canonical, location)
    except RecordRejected as exc:
        code, message = exc.code, str(exc)
        unread = _unreadable_value(notes, exc.field) if code == "MISSING_FIELD" else None
        if unread is not None:  # it is there, but could not be read: say that, not "missing"
            code, message = "INVALID_RECORD", f"{exc.location} field {exc.field!r}: {unread}"
        _reject(snapshot, canon, om, row_om, record, canonical, code, message, exc.field)
        return
    except ValueError as exc:  # a normalizer failing on one value: this record only
        where = RecordLocation(canon.system, record.object, record.locator or record.record_id)
        reason = " ".join(str(exc).split())
        _reject(
            snapshot,
            canon,
            om,
            row_om,
            record,
            canonical,
            "INVALID_RECORD",
            f"{where}: cannot be read: {reason}",
            None,
        )
        return
    share_fields_set(contact)
    snapshot.findings.extend(notes)
    snapshot.records.append(
        SystemRecord(
            system=canon.system,
            object=record.object,
            record_id=record.record_id,
            kind=row_kind,
            contact=contact,  # its values are dump_values(contact), made when needed
            locator=record.locator,
            mixed=row_kind != om.kind,
            positional=record.positional,
        )
    )


def _unreadable_value(notes: list[Finding], field: str | None) -> str | None:
    """Why the value given for ``field`` was left out, when ``prepare`` noted one."""
    marker = f"field {field!r} (column "
    for note in notes:
        if note.code is Code.INVALID_VALUE and marker in note.message:
            return note.message.partition(" ignored: ")[2] or None
    return None


def _reject(
    snapshot: Snapshot,
    canon: Canonicalizer,
    om: Any,
    row_om: Any,
    record: VendorRecord,
    canonical: dict[str, Any],
    code: str,
    message: str,
    field: str | None,
) -> None:
    """Report a record that cannot become a contact, and keep what it says of who it is."""
    snapshot.rejected += 1
    row_kind: Kind = row_om.kind
    raw_customer = record.values.get(_vendor_field(row_om, "customer"))
    customer = str(raw_customer).strip() if raw_customer not in (None, "") else None
    snapshot.findings.append(
        Finding(
            Code.MISSING_FIELD if code == "MISSING_FIELD" else Code.INVALID_RECORD,
            customer,
            message,
            records=(
                str(
                    RecordLocation(canon.system, record.object, record.locator or record.record_id)
                ),
            ),
            details={"field": field, "kind": row_kind.value},
        )
    )
    key = record.values.get(om.key_field)
    phones = canonical.get("phones") or ()
    email, name = canonical.get("email"), canonical.get("name")
    snapshot.unreadable.append(
        Unplaced(
            canon.system,
            record.object,
            record.record_id,
            row_kind,
            customer,
            str(key).strip() if key not in (None, "") else None,
            mixed=row_kind != om.kind,
            locator=record.locator,
            phone_keys=tuple(
                sorted({p.match_key for p in phones if isinstance(p, Phone) and p.match_key})
            ),
            email=email if isinstance(email, str) and email else None,
            name=name if isinstance(name, str) and name.strip() else None,
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
    shared: Shared,
) -> None:
    """An incremental pull returns changes only: the rest is as at the last sync."""
    deleted = set(read.deleted_ids)
    loaded = ws.store.load_bases(handle.name, object_name)
    snapshot.bases[(handle.name, object_name)] = loaded
    for record_id, base in sorted(loaded.items()):
        if record_id in seen or record_id in deleted:
            continue
        data = dict(base.data)
        row_kind = Kind(data.pop(KIND_KEY, kind.value))
        share_values(data, shared)
        contact = CONTACT_ADAPTER.validate_python({**data, "kind": row_kind.value})
        share_fields_set(contact)
        read.present_ids.add(record_id)
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

"""Links, base snapshots and cursors: what reconcile reads at the start and writes at the end.

The bulk paths are built for a million records: loads stream the result in chunks, writers
send chunks of ``CHUNK_ROWS`` through executemany, all in one transaction. Loads are ordered
by system, object and record id in code-point order, the same on both backends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.exc import IntegrityError

from contactsync.errors import InvariantViolation
from contactsync.models import Kind
from contactsync.state.access import Access, chunked, collector_paused
from contactsync.state.codec import dumps, from_utc_text, loads, utc_text
from contactsync.state.records import BaseSnapshot, Link, RecordRef
from contactsync.state.schema import bases, cursors, links

_STREAM_ROWS = 10_000  # bulk loads fetch this many rows at a time (PostgreSQL: server-side)
_KINDS = {kind.value: kind for kind in Kind}


_LINK_COLUMNS = (
    links.c.key,
    links.c.kind,
    links.c.customer,
    links.c.system,
    links.c.object,
    links.c.record_id,
)
_BASE_COLUMNS = (
    bases.c.key,
    bases.c.system,
    bases.c.object,
    bases.c.record_id,
    bases.c.data,
    bases.c.run_id,
    bases.c.updated_at,
    bases.c.digest,
)


def _links(rows: Iterable[Sequence[Any]]) -> list[Link]:
    # Plain tuples, not attribute access on Row: this runs a million times.
    kinds = _KINDS
    return [
        Link(key, kinds[kind], customer, system, object, record_id)
        for key, kind, customer, system, object, record_id in rows
    ]


class SyncState(Access):
    # -- links ------------------------------------------------------------------------

    def load_links(self, system: str | None = None, *, customer: str | None = None) -> list[Link]:
        """Every link, or those of one system and/or one customer."""
        query = select(*_LINK_COLUMNS).order_by(links.c.system, links.c.object, links.c.record_id)
        if system is not None:
            query = query.where(links.c.system == system)
        if customer is not None:
            query = query.where(links.c.customer == customer)
        with self._read() as conn, collector_paused():
            return _links(conn.execute(query.execution_options(yield_per=_STREAM_ROWS)))

    def link_for(self, system: str, object: str, record_id: str) -> Link | None:
        """The link of one system's record, if it has one."""
        query = select(*_LINK_COLUMNS).where(
            links.c.system == system, links.c.object == object, links.c.record_id == record_id
        )
        with self._read() as conn:
            found = _links(conn.execute(query))
        return found[0] if found else None

    def links_for_key(self, key: str) -> list[Link]:
        """The records of one contactsync key, one per system and object at most."""
        query = (
            select(*_LINK_COLUMNS)
            .where(links.c.key == key)
            .order_by(links.c.system, links.c.object, links.c.record_id)
        )
        with self._read() as conn:
            return _links(conn.execute(query))

    def save_links(self, items: Iterable[Link]) -> int:
        """Insert or update links by (system, object, record id); return how many were sent.

        A record can move to another key by saving it again. A key pointing at a second
        record of the same system and object is refused: to move a key to a new record,
        delete the old link first (both in one ``transaction()`` if need be).

        Raises:
            InvariantViolation: a link would break the uniqueness rules; nothing is saved.
        """
        statement = self._upsert(
            links, ("system", "object", "record_id"), ("key", "kind", "customer")
        )
        count = 0
        try:
            with self._write() as conn:
                for chunk in chunked(items):
                    # Last one wins within a chunk, as it would row by row.
                    rows = {
                        (link.system, link.object, link.record_id): {
                            "key": link.key,
                            "kind": Kind(link.kind).value,
                            "customer": link.customer,
                            "system": link.system,
                            "object": link.object,
                            "record_id": link.record_id,
                        }
                        for link in chunk
                    }
                    conn.execute(statement, list(rows.values()))
                    count += len(rows)
        except IntegrityError as exc:
            raise InvariantViolation(
                "links: a key has one record per system and object, and a record one key; "
                f"nothing was saved ({exc.orig})"
            ) from exc
        return count

    def delete_links(self, records: Iterable[RecordRef]) -> int:
        """Forget the links of these (system, object, record id); return how many there were."""
        return self._delete_records(links, records)

    # -- base snapshots ---------------------------------------------------------------

    def load_bases(self, system: str, object: str | None = None) -> dict[str, BaseSnapshot]:
        """The base snapshots of one system (or one object of it), by record id.

        Raises:
            ValueError: ``object`` is ``None`` and two objects of the system share a
                record id; load them per object.
        """
        query = (
            select(*_BASE_COLUMNS)
            .where(bases.c.system == system)
            .order_by(bases.c.object, bases.c.record_id)
        )
        if object is not None:
            query = query.where(bases.c.object == object)
        found: dict[str, BaseSnapshot] = {}
        with self._read() as conn, collector_paused():
            rows = conn.execute(query.execution_options(yield_per=_STREAM_ROWS))
            for key, system_, object_, record_id, data, run_id, updated_at, digest in rows:
                if record_id in found:
                    raise ValueError(
                        f"{system}: record id {record_id!r} is in objects "
                        f"{found[record_id].object!r} and {object_!r}; "
                        "load the base snapshots per object"
                    )
                found[record_id] = BaseSnapshot(
                    key,
                    system_,
                    object_,
                    record_id,
                    loads(data),
                    run_id,
                    from_utc_text(updated_at),
                    digest,
                )
        return found

    def save_bases(self, snapshots: Iterable[BaseSnapshot]) -> int:
        """Insert or replace snapshots by (system, object, record id); return how many."""
        statement = self._upsert(
            bases,
            ("system", "object", "record_id"),
            ("key", "data", "digest", "run_id", "updated_at"),
        )
        count = 0
        with self._write() as conn:
            for chunk in chunked(snapshots):
                rows = {
                    (snap.system, snap.object, snap.record_id): {
                        "key": snap.key,
                        "system": snap.system,
                        "object": snap.object,
                        "record_id": snap.record_id,
                        "data": dumps(snap.data),
                        "digest": snap.digest,
                        "run_id": snap.run_id,
                        "updated_at": utc_text(snap.updated_at),
                    }
                    for snap in chunk
                }
                conn.execute(statement, list(rows.values()))
                count += len(rows)
        return count

    def delete_bases(self, records: Iterable[RecordRef]) -> int:
        """Drop the snapshots of these (system, object, record id); return how many there were."""
        return self._delete_records(bases, records)

    # -- cursors ----------------------------------------------------------------------

    def get_cursor(self, system: str, object: str) -> str | None:
        """The stored pull cursor (opaque JSON text), or ``None`` before the first pull."""
        query = select(cursors.c.cursor).where(
            cursors.c.system == system, cursors.c.object == object
        )
        with self._read() as conn:
            value: str | None = conn.execute(query).scalar_one_or_none()
        return value

    def set_cursor(self, system: str, object: str, kind: Kind | str, cursor: str) -> None:
        """Store where the next incremental pull of ``system``/``object`` starts."""
        statement = self._upsert(cursors, ("system", "object"), ("kind", "cursor", "updated_at"))
        row = {
            "system": system,
            "object": object,
            "kind": Kind(kind).value,
            "cursor": cursor,
            "updated_at": utc_text(self._now()),
        }
        with self._write() as conn:
            conn.execute(statement, row)

    # -- shared -----------------------------------------------------------------------

    def _delete_records(self, table: Table, records: Iterable[RecordRef]) -> int:
        # One exact primary-key delete per record (executemany): an index look-up on any
        # backend, whatever the planner's statistics say after a bulk load.
        statement = delete(table).where(
            table.c.system == bindparam("ref_system"),
            table.c.object == bindparam("ref_object"),
            table.c.record_id == bindparam("ref_record_id"),
        )
        count = 0
        with self._write() as conn:
            for chunk in chunked(dict.fromkeys(records)):
                params = [
                    {"ref_system": system, "ref_object": object, "ref_record_id": record_id}
                    for system, object, record_id in chunk
                ]
                count += conn.execute(statement, params).rowcount
        return count

"""``MemoryConnector`` broken one way at a time: each class has one defect, named after it.

``test_contract_catches.py`` runs the check each defect breaks and expects it to fail.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any, ClassVar

from memory_connector import MemoryConnector, Row

from contactsync.connector import Cursor, ObjectSchema, PullPage, WriteOp, WriteResult
from contactsync.models import Kind

# -- pull ----------------------------------------------------------------------------------


class SkipsPage(MemoryConnector):
    """Loses the second page (a next-page token applied twice)."""

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        for number, page in enumerate(super().pull(kind, since)):
            if number != 1:
                yield page


class StampOnlyPaging(MemoryConnector):
    """Pages by ``modified > last stamp``: records sharing the boundary's stamp are skipped."""

    def select(self, table: str, state: dict[str, Any]) -> list[Row]:
        if state["after"] is not None:
            state = {**state, "after": [state["after"][0], "\uffff"]}
        return super().select(table, state)


class RepeatsRecord(MemoryConnector):
    """Each page starts at the last record of the one before (``>=`` instead of ``>``)."""

    def select(self, table: str, state: dict[str, Any]) -> list[Row]:
        after = state["after"]
        if after is None:
            return super().select(table, state)
        rows = sorted(self.store.table(table).values(), key=lambda r: (r.stamp, r.id))
        rows = [r for r in rows if (r.stamp, r.id) >= tuple(after) and not r.deleted]
        return rows[: self.page_size + 1]


class UpdatesKeepTheirStamp(MemoryConnector):
    """Incremental reads go by creation time: an updated record is never seen again."""

    def apply(self, table: str, key_field: str, op: WriteOp, stamp: str) -> WriteResult:
        row = self.store.by_key(table, key_field, op.key)
        old = row.stamp if row is not None else None
        result = super().apply(table, key_field, op, stamp)
        if row is not None and old is not None and op.action == "update":
            row.stamp = old
        return result


class NoLookback(MemoryConnector):
    """Reads changes from the watermark exactly: a write that committed late is missed."""

    lookback: ClassVar[timedelta] = timedelta(0)


class StampOnlyCursor(MemoryConnector):
    """Resumes strictly after the watermark's stamp, ignoring the id: a record sharing
    that stamp that committed late is missed."""

    lookback: ClassVar[timedelta] = timedelta(0)

    def start_state(self, since: Cursor | None) -> dict[str, Any]:
        state = super().start_state(since)
        if state["mode"] == "changes" and not (since and since.page_state):
            state["lower"] = None
            state["after"] = [state["mark"][0], "\uffff"]
        return state


class ResumeStartsOver(MemoryConnector):
    """Hands out a page state but ignores it: a resumed pull repeats the first page."""

    def start_state(self, since: Cursor | None) -> dict[str, Any]:
        if since is not None and since.page_state:
            return super().start_state(None)
        return super().start_state(since)


class SaysCompleteWhenIncremental(MemoryConnector):
    """Marks an incremental pull complete: every unchanged record would look deleted."""

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        for page in super().pull(kind, since):
            yield PullPage(page.records, page.cursor, page.errors, page.last, complete=page.last)


class NoDeleteFeed(MemoryConnector):
    """Declares a delete feed but never reports a deletion."""

    def select(self, table: str, state: dict[str, Any]) -> list[Row]:
        return [r for r in super().select(table, state) if not r.deleted]


class ReadsTheWrongObject(MemoryConnector):
    """Reads the business object whatever kind is asked for."""

    def read_object(self, kind: Kind) -> str:
        return self.object_for(Kind.BUSINESS)


class DescribesTheWrongObject(MemoryConnector):
    def describe(self) -> dict[Kind, ObjectSchema]:
        schemas = super().describe()
        return {k: ObjectSchema(s.name + "_v2", s.fields) for k, s in schemas.items()}


# -- push ----------------------------------------------------------------------------------


class DuplicatesOnRetry(MemoryConnector):
    """A create always inserts: no upsert by external id."""

    def apply(self, table: str, key_field: str, op: WriteOp, stamp: str) -> WriteResult:
        if op.action == "create" and op.key not in self.store.rejections:
            row = self.store.insert(table, {**op.values, key_field: op.key}, stamp)
            return WriteResult(op.key, True, op.action, row.id)
        return super().apply(table, key_field, op, stamp)


class OversizedBatch(MemoryConnector):
    """Sends the whole push in one call, past the vendor's limit of 3."""

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        return iter(self.call(kind, operations))


class WritesTheWrongObject(MemoryConnector):
    """Sends every write to the business object."""

    def write_object(self, kind: Kind) -> str:
        return self.object_for(Kind.BUSINESS)


class SwallowsErrors(MemoryConnector):
    """Reports a refused record as written."""

    def apply(self, table: str, key_field: str, op: WriteOp, stamp: str) -> WriteResult:
        result = super().apply(table, key_field, op, stamp)
        return result if result.ok else WriteResult(op.key, True, op.action, None)


class DropsFailedResults(MemoryConnector):
    """Leaves the refused record's result out."""

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        return (r for r in super().push(kind, operations) if r.ok)


class AbortsOnError(MemoryConnector):
    """Raises at the first refused record, losing the rest of the batch."""

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        for result in super().push(kind, operations):
            if not result.ok:
                raise RuntimeError(f"vendor refused {result.key}")
            yield result


class LosesTheErrorCode(MemoryConnector):
    def apply(self, table: str, key_field: str, op: WriteOp, stamp: str) -> WriteResult:
        result = super().apply(table, key_field, op, stamp)
        if result.error is None:
            return result
        return self.failed(op, "ERROR", result.error.message, result.error.fields)


class TimeoutEscapes(MemoryConnector):
    """Lets the transport's timeout out as it is, which apply cannot handle."""

    def call(self, kind: Kind, operations: Sequence[WriteOp]) -> list[WriteResult]:
        try:
            return super().call(kind, operations)
        except Exception as exc:
            raise TimeoutError("read timed out") from exc


class TruncatesText(MemoryConnector):
    """Keeps only the first 12 characters of a text value (a short vendor column)."""

    def apply(self, table: str, key_field: str, op: WriteOp, stamp: str) -> WriteResult:
        short = {
            k: v[:12] if isinstance(v, str) and k != key_field else v for k, v in op.values.items()
        }
        return super().apply(
            table, key_field, WriteOp(op.action, op.key, short, op.record_id), stamp
        )

"""Writing one form: creates, updates and archives, each safe to send again.

* **Create** through ``data/batch_create``, at most 100 rows a call, with a
  ``transaction_id``: a UUID derived from the operations' idempotency keys (which the
  journal keeps), so the same batch sent again, after a lost answer or a crash, carries
  the same id and the API does not create its rows twice. A key the form already holds is
  updated instead (writes are upserts by the contactsync key), which also covers a retry
  after the transaction's one hour.
* **Update** through ``data/update``, one record a call, sending only the fields given. A
  subform is replaced whole by the API, so when one is written the record is read first
  and its rows not named are sent again, never dropped.
* **Archive** through ``data/batch_delete``, at most 100 a call; when fewer are reported
  deleted than sent, the form is asked which are still there.

A call refused for its data is split in halves until the refused record is alone: it
gets its own result with the vendor's code and words, the others are written. A passing
fault that outlasts the retries stops the push: what went through keeps its result, the
rest fail as retryable, so the journal knows exactly what to send again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contactsync.connector import VendorError, WriteOp, WriteResult
from contactsync.mapping import ObjectMapping
from contactsync_jiandaoyun.client import JiandaoyunClient, is_record_error
from contactsync_jiandaoyun.codes import JiandaoyunError, TransientError
from contactsync_jiandaoyun.forms import list_rows
from contactsync_jiandaoyun.settings import MAX_BATCH, FormRef
from contactsync_jiandaoyun.shapes import Shaper, Unwritable, read_value

BATCH_CREATE = "app/entry/data/batch_create"
UPDATE = "app/entry/data/update"
GET = "app/entry/data/get"
BATCH_DELETE = "app/entry/data/batch_delete"
IN_FILTER_MAX = 200
"""The ``in`` filter method takes at most 200 values."""

TRANSACTION_NAMESPACE = uuid.UUID("7b4f0d0e-3c55-5a8e-9a4e-6a1d2c0b5e11")
Data = dict[str, dict[str, Any]]


def transaction_id(form: FormRef, operations: Sequence[WriteOp]) -> str:
    """The ``transaction_id`` of a batch: the same operations give the same UUID."""
    keys = sorted(op.idempotency_key or f"{op.action}:{op.key}" for op in operations)
    return str(uuid.uuid5(TRANSACTION_NAMESPACE, f"{form}\n" + "\n".join(keys)))


class Halted(Exception):
    """A passing fault outlasted the retries; nothing more is sent in this push."""

    def __init__(self, error: TransientError) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass
class FormWriter:
    """Pushes operations to one form. See the module docstring."""

    client: JiandaoyunClient
    form: FormRef
    om: ObjectMapping
    shaper: Shaper
    page_size: int = 100

    def push(self, operations: Sequence[WriteOp]) -> list[WriteResult]:
        """One result per operation, in the order given."""
        done: dict[int, WriteResult] = {}
        try:
            existing = self._existing(operations)
            creates: list[tuple[int, WriteOp, Data]] = []
            for index, op in enumerate(operations):
                if op.action == "archive":
                    continue
                record_id = op.record_id if op.action == "update" else None
                ids = existing.get(op.key, [])
                if record_id is None and ids:
                    record_id = ids[0]
                if op.action == "create" and record_id is None:
                    data = self._shape(index, op, done, clear_empty=False)
                    if data is not None:
                        creates.append((index, op, data))
                    continue
                done[index] = self._update(op, record_id)
            for start in range(0, len(creates), MAX_BATCH):
                for index, result in self._create(creates[start : start + MAX_BATCH]):
                    done[index] = result
            archives = [(i, op) for i, op in enumerate(operations) if op.action == "archive"]
            for index, result in self._archive(archives, existing):
                done[index] = result
        except Halted as halt:
            message = f"not written: {halt.error}; send again"
            for index, op in enumerate(operations):
                done.setdefault(
                    index, _failed(op, halt.error.code or "RETRYABLE", message, retryable=True)
                )
        return [done[index] for index in range(len(operations))]

    # -- creates -------------------------------------------------------------------------

    def _shape(
        self,
        index: int,
        op: WriteOp,
        done: dict[int, WriteResult],
        *,
        clear_empty: bool,
        current: Mapping[str, Any] | None = None,
    ) -> Data | None:
        try:
            return self.shaper.write(op.values, clear_empty=clear_empty, current=current)
        except Unwritable as exc:
            done[index] = WriteResult(
                op.key,
                False,
                op.action,
                op.record_id,
                VendorError(exc.code, str(exc), (exc.field,)),
            )
            return None

    def _create(self, items: list[tuple[int, WriteOp, Data]]) -> list[tuple[int, WriteResult]]:
        ops = [op for _, op, _ in items]
        body = {
            **self.form.body(),
            "data_list": [data for _, _, data in items],
            "transaction_id": transaction_id(self.form, ops),
        }
        try:
            answer = self._call(BATCH_CREATE, body)
        except JiandaoyunError as exc:
            if not is_record_error(exc):
                raise
            if len(items) == 1:
                index, op, _ = items[0]
                return [(index, _vendor_failure(op, exc))]
            middle = len(items) // 2
            return self._create(items[:middle]) + self._create(items[middle:])
        ids = answer.get("success_ids")
        if (
            isinstance(ids, list)
            and len(ids) == len(items)
            and all(isinstance(i, str) for i in ids)
        ):
            return [(index, _ok(op, rid)) for (index, op, _), rid in zip(items, ids, strict=True)]
        # Fewer ids than rows: a transaction sent before (its rows are not "created by this
        # request") or a partial failure. The form says which keys are there now.
        found = self._find([op.key for op in ops])
        out: list[tuple[int, WriteResult]] = []
        for index, op, _ in items:
            held = found.get(op.key)
            if held:
                out.append((index, _ok(op, held[0])))
            else:
                count = answer.get("success_count")
                out.append(
                    (
                        index,
                        _failed(
                            op,
                            "NOT_CREATED",
                            f"batch_create reported {count} of {len(items)} rows created "
                            "and this one is not in the form; send again",
                            retryable=True,
                        ),
                    )
                )
        return out

    # -- updates -------------------------------------------------------------------------

    def _update(self, op: WriteOp, record_id: str | None) -> WriteResult:
        if record_id is None:
            return _failed(
                op, "NOT_FOUND", f"no record with {self.om.key_field} = {op.key!r} to update"
            )
        current = self._current(record_id) if self._writes_subform(op) else None
        holder: dict[int, WriteResult] = {}
        data = self._shape(0, op, holder, clear_empty=True, current=current)
        if data is None:
            return holder[0]
        body = {**self.form.body(), "data_id": record_id, "data": data}
        try:
            self._call(UPDATE, body)
        except JiandaoyunError as exc:
            if not is_record_error(exc):
                raise
            return _vendor_failure(op, exc, record_id)
        return _ok(op, record_id)

    def _writes_subform(self, op: WriteOp) -> bool:
        return any(
            (w := self.shaper.schema.widget(name)) is not None and w.type == "subform"
            for name in op.values
        )

    def _current(self, record_id: str) -> dict[str, Any]:
        answer = self._call(GET, {**self.form.body(), "data_id": record_id})
        row = answer.get("data")
        if not isinstance(row, Mapping):
            return {}
        values: dict[str, Any] = {}
        for name, raw in row.items():
            widget = self.shaper.schema.widget(name)
            values[name] = read_value(widget, raw) if widget is not None else raw
        return values

    # -- archives ------------------------------------------------------------------------

    def _archive(
        self, items: list[tuple[int, WriteOp]], existing: Mapping[str, list[str]]
    ) -> list[tuple[int, WriteResult]]:
        out: list[tuple[int, WriteResult]] = []
        targets: list[tuple[int, WriteOp, str]] = []
        for index, op in items:
            record_id = op.record_id or next(iter(existing.get(op.key, [])), None)
            if record_id is None:
                out.append((index, _ok(op, None)))  # not there: already archived
            else:
                targets.append((index, op, record_id))
        for start in range(0, len(targets), MAX_BATCH):
            out.extend(self._delete(targets[start : start + MAX_BATCH]))
        return out

    def _delete(self, items: list[tuple[int, WriteOp, str]]) -> list[tuple[int, WriteResult]]:
        body = {**self.form.body(), "data_ids": [rid for _, _, rid in items]}
        try:
            answer = self._call(BATCH_DELETE, body)
        except JiandaoyunError as exc:
            if not is_record_error(exc):
                raise
            if len(items) == 1:
                index, op, rid = items[0]
                return [(index, _vendor_failure(op, exc, rid))]
            middle = len(items) // 2
            return self._delete(items[:middle]) + self._delete(items[middle:])
        if answer.get("success_count") == len(items):
            return [(index, _ok(op, rid)) for index, op, rid in items]
        # Fewer deleted than sent: some were gone already (a retried call) or refused.
        still = self._find([op.key for _, op, _ in items])
        return [
            (
                index,
                _failed(op, "NOT_DELETED", f"record {rid} is still in the form", retryable=True),
            )
            if rid in still.get(op.key, [])
            else (index, _ok(op, rid))
            for index, op, rid in items
        ]

    # -- lookups -------------------------------------------------------------------------

    def _existing(self, operations: Sequence[WriteOp]) -> dict[str, list[str]]:
        """Record ids by key for creates (upsert) and for writes that lack a record id."""
        keys = sorted(
            {op.key for op in operations if op.action == "create" or op.record_id is None}
        )
        return self._find(keys) if keys else {}

    def _find(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """The ids of the records holding each key, lowest id first."""
        found: dict[str, list[str]] = {}
        key_field = self.om.key_field
        for start in range(0, len(keys), IN_FILTER_MAX):
            chunk = list(keys[start : start + IN_FILTER_MAX])
            condition = {"field": key_field, "type": "text", "method": "in", "value": chunk}
            try:
                for row in list_rows(
                    self.client,
                    self.form,
                    fields=[key_field],
                    filter={"rel": "and", "cond": [condition]},
                    page_size=self.page_size,
                ):
                    key, record_id = row.get(key_field), row.get("_id")
                    if isinstance(record_id, str) and key not in (None, ""):
                        found.setdefault(str(key).strip(), []).append(record_id)
            except TransientError as exc:
                raise Halted(exc) from None
        return {key: sorted(ids) for key, ids in found.items()}

    def _call(self, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.client.call(endpoint, body)
        except TransientError as exc:
            raise Halted(exc) from None


def _ok(op: WriteOp, record_id: str | None) -> WriteResult:
    return WriteResult(op.key, True, op.action, record_id or op.record_id)


def _failed(op: WriteOp, code: str, message: str, *, retryable: bool = False) -> WriteResult:
    return WriteResult(
        op.key, False, op.action, op.record_id, VendorError(code, message, (), retryable)
    )


def _vendor_failure(op: WriteOp, exc: JiandaoyunError, record_id: str | None = None) -> WriteResult:
    return WriteResult(
        op.key, False, op.action, record_id or op.record_id, VendorError(exc.code, exc.describe())
    )


__all__ = ["BATCH_CREATE", "BATCH_DELETE", "GET", "UPDATE", "FormWriter", "transaction_id"]

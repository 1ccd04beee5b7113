"""Applying write operations to a loaded file: upsert by key, archive by moving the row.

Rows are indexed once per push (key → row, row number → row), so a batch costs O(rows +
operations), not O(rows x operations). One operation failing (a value the file cannot
hold, a record that is not there) fails only that operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contactsync.connector import POSITIONAL_ID_PREFIX, VendorError, WriteOp, WriteResult
from contactsync_csv.archive import ArchiveFile
from contactsync_csv.cells import CellError, key_text
from contactsync_csv.grid import column_label
from contactsync_csv.sheet import EditableSheet, Handle


class RowIndex:
    """Where each record of a loaded file is, by key and by row number."""

    def __init__(self, sheet: EditableSheet, key_field: str) -> None:
        self.by_key: dict[str, Handle] = {}
        self.by_number: dict[int, Handle] = {}
        self.key_of: dict[Handle, str] = {}
        self.number_of: dict[Handle, int] = {}
        # Rows the reader refuses (a value beyond the header): no operation may change
        # them, and one naming them by key or position fails, saying why.
        self.unreadable: dict[int, str] = {}
        self.unreadable_keys: dict[str, int] = {}
        column = sheet.header.index.get(key_field)
        width = len(sheet.header.names)
        beyond = {overflow.handle: overflow for overflow in sheet.rows_beyond_header()}
        for number, handle in sheet.live_rows():
            overflow = beyond.get(handle)
            if overflow is not None:
                self.unreadable[number] = (
                    f"row {number} has a value in column {column_label(overflow.column)}, "
                    f"beyond the {width} columns of the header, so it is not read and is "
                    "left as it is; fix the row, then sync again"
                )
                key = key_text(sheet.cell(handle, column)) if column is not None else ""
                if key:
                    self.unreadable_keys.setdefault(key, number)
                continue
            self.by_number[number] = handle
            self.number_of[handle] = number
            if column is None:
                continue
            key = key_text(sheet.cell(handle, column))
            if key:
                self.key_of[handle] = key
                self.by_key.setdefault(key, handle)  # a duplicate key: the first row wins

    def blocked(self, op: WriteOp) -> str | None:
        """Why ``op`` must not be applied: the row it names cannot be read."""
        if op.key in self.by_key:
            return None
        number = self.unreadable_keys.get(op.key)
        record_id = op.record_id or ""
        if number is None and record_id.startswith(POSITIONAL_ID_PREFIX):
            try:
                number = int(record_id[len(POSITIONAL_ID_PREFIX) :])
            except ValueError:
                return None
        if number is None and record_id:
            number = self.unreadable_keys.get(record_id)
        return self.unreadable.get(number) if number is not None else None

    def find(self, op: WriteOp) -> tuple[Handle | None, str]:
        """The row ``op`` names, by its key, then by its record id; else why not."""
        handle = self.by_key.get(op.key)
        if handle is not None:
            return handle, ""
        record_id = op.record_id or ""
        if record_id.startswith(POSITIONAL_ID_PREFIX):
            try:
                number = int(record_id[len(POSITIONAL_ID_PREFIX) :])
            except ValueError:
                return None, f"{record_id!r} is not a row number"
            handle = self.by_number.get(number)
            if handle is None:
                return None, f"there is no row {number}"
            held = self.key_of.get(handle)
            if held is not None and held != op.key:
                # The position named a row without a key; it now holds another record.
                return None, f"row {number} now holds key {held!r}"
            return handle, ""
        if record_id:
            handle = self.by_key.get(record_id)
            if handle is not None:
                return handle, ""
        return None, ""

    def record_id(self, handle: Handle) -> str:
        key = self.key_of.get(handle)
        if key:
            return key
        return f"{POSITIONAL_ID_PREFIX}{self.number_of.get(handle, 0)}"

    def keyed(self, handle: Handle, key: str) -> None:
        old = self.key_of.get(handle)
        if old is not None and self.by_key.get(old) == handle:
            del self.by_key[old]
        self.key_of[handle] = key
        self.by_key[key] = handle

    def forget(self, handle: Handle) -> None:
        key = self.key_of.pop(handle, None)
        if key is not None and self.by_key.get(key) == handle:
            del self.by_key[key]
        number = self.number_of.pop(handle, None)
        if number is not None:
            self.by_number.pop(number, None)


class OperationWriter:
    """Applies operations to one loaded file, collecting the rows it archives.

    Attributes:
        archived: the removed rows, each with all its cells, in the file's column order.
    """

    def __init__(self, sheet: EditableSheet, key_field: str, archive: ArchiveFile) -> None:
        self.sheet = sheet
        self.key_field = key_field
        self.archive = archive
        self.index = RowIndex(sheet, key_field)
        self.archived: list[list[Any]] = []

    def apply(self, operations: Sequence[WriteOp]) -> list[WriteResult]:
        """One result per operation, in order."""
        return [self._apply(op) for op in operations]

    def _apply(self, op: WriteOp) -> WriteResult:
        if not op.key.strip():
            return _failed(op, "INVALID_KEY", "an operation needs a contactsync key")
        blocked = self.index.blocked(op)
        if blocked is not None:
            return _failed(op, "UNREADABLE_ROW", blocked)
        if op.action == "archive":
            return self._archive(op)
        return self._upsert(op)

    def _upsert(self, op: WriteOp) -> WriteResult:
        handle, why = self.index.find(op)
        if handle is None and op.action == "update":
            return _not_found(op, why)
        prepared: dict[str, Any] = {}
        for name, value in op.values.items():
            if name == self.key_field:
                continue  # the key column holds op.key
            if not name:
                return _failed(op, "INVALID_FIELD", "a value has an empty field name")
            try:
                prepared[name] = self.sheet.prepare(value)
            except CellError as exc:
                return _failed(op, "INVALID_VALUE", f"{name}: {exc}", (name,))
        try:
            key_cell = self.sheet.prepare(op.key)
        except CellError as exc:
            return _failed(op, "INVALID_KEY", f"{self.key_field}: {exc}", (self.key_field,))
        known = self.sheet.header.index
        missing = [name for name in (self.key_field, *prepared) if name not in known]
        problem = self.sheet.column_problem(len(missing)) if missing else None
        if problem is not None:
            # An empty value needs no column: it is what the row reads without one.
            needed = [
                name
                for name in missing
                if name == self.key_field or prepared[name] not in (None, "")
            ]
            if needed:
                named = ", ".join(repr(name) for name in needed)
                return _failed(
                    op,
                    "CANNOT_ADD_COLUMN",
                    f"column {named} is not in the file and cannot be added: {problem}",
                    tuple(needed),
                )
            for name in missing:
                del prepared[name]
        try:
            if handle is None:
                handle = self.sheet.append_row()
            self.sheet.set_cell(handle, self.sheet.ensure_column(self.key_field), key_cell)
            for name, cell in prepared.items():
                self.sheet.set_cell(handle, self.sheet.ensure_column(name), cell)
        except CellError as exc:
            return _failed(op, "INVALID_VALUE", str(exc))
        self.index.keyed(handle, op.key)
        return WriteResult(key=op.key, ok=True, action=op.action, record_id=op.key)

    def _archive(self, op: WriteOp) -> WriteResult:
        handle, why = self.index.find(op)
        if handle is None:
            if not why and self.archive.has_key(op.key):
                # Archived by an earlier try of this operation: done already.
                return WriteResult(
                    key=op.key, ok=True, action=op.action, record_id=op.record_id or op.key
                )
            return _not_found(op, why)
        record_id = self.index.record_id(handle)
        self.archived.append(self.sheet.row_cells(handle))
        self.sheet.remove(handle)
        self.index.forget(handle)
        return WriteResult(key=op.key, ok=True, action=op.action, record_id=record_id)


def _not_found(op: WriteOp, why: str) -> WriteResult:
    named = f"key {op.key!r}" + (f" or record {op.record_id!r}" if op.record_id else "")
    message = f"no row with {named}" + (f": {why}" if why else "")
    return _failed(op, "NOT_FOUND", message)


def _failed(op: WriteOp, code: str, message: str, fields: tuple[str, ...] = ()) -> WriteResult:
    return WriteResult(
        key=op.key,
        ok=False,
        action=op.action,
        record_id=op.record_id,
        error=VendorError(code=code, message=message, fields=fields),
    )

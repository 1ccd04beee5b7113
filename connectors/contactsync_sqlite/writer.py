"""Writing one batch to a hub table: upsert by key, soft archive, in one transaction.

Every write of a batch gets one ``modified_at``: the clock's time, or one microsecond after
the newest stamp in the table when the clock is behind it, so stamps never go backwards
and an incremental pull cannot miss a write because a clock was set back.

A record whose stored values already equal the new ones is not written (its
``modified_at`` stays), so an unchanged re-sync does not move the cursor.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from contactsync.connector import VendorError, WriteOp, WriteResult
from contactsync.errors import RetryableError
from contactsync_sqlite.schema import (
    ARCHIVED_AT,
    BOOKKEEPING,
    MODIFIED_AT,
    RECORD_ID,
    TableSpec,
    fold,
    quote,
)
from contactsync_sqlite.stamps import Clock, format_stamp, parse_stamp

_SELECT_CHUNK = 500  # stays under SQLite's bound-parameter limit (999 before 3.32)
_INT_RANGE = (-(2**63), 2**63 - 1)

Row = dict[str, Any]


class RecordProblem(ValueError):
    """A value of one operation the hub cannot store; that operation fails alone."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def storable(value: Any, field: str) -> Any:
    """``value`` as SQLite stores it (``bool`` as ``0``/``1``).

    Raises:
        RecordProblem: for anything but str, int, float and None, an integer beyond 64
            bits, or NaN (which SQLite would store as NULL).
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
            raise RecordProblem(f"{field}: {value} does not fit in 64 bits", field)
        return value
    if isinstance(value, float):
        if math.isnan(value):
            raise RecordProblem(f"{field}: NaN cannot be stored", field)
        return value
    raise RecordProblem(
        f"{field}: a {type(value).__name__} cannot be stored (str, int, float or None)", field
    )


@contextmanager
def busy_is_retryable() -> Iterator[None]:
    """Turn SQLite's "database is locked" (another writer held on too long) into
    ``RetryableError``; every other error passes unchanged."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise RetryableError(f"the hub database is busy ({exc})") from exc
        raise


def same_value(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


class BatchWriter:
    """Writes one batch of operations to one table.

    Args:
        connection: an autocommit connection (``isolation_level=None``); the batch is one
            ``BEGIN IMMEDIATE`` ... ``COMMIT``.
        spec: the table.
        columns: folded name → column, for every vendor column the table has.
        clock: the current time.
    """

    def __init__(
        self,
        connection: sqlite3.Connection,
        spec: TableSpec,
        columns: Mapping[str, str],
        clock: Clock,
    ) -> None:
        self.connection = connection
        self.spec = spec
        self.columns = columns
        self.clock = clock
        self.table = quote(spec.name)

    def write(self, operations: Sequence[WriteOp]) -> list[WriteResult]:
        """One result per operation, in order, all committed together.

        Raises:
            RetryableError: when the database is locked by another writer.
        """
        with busy_is_retryable():
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                stamp = self._stamp()
                current = self._current({op.key for op in operations})
                results = [self._apply(op, stamp, current) for op in operations]
                self.connection.execute("COMMIT")
            except BaseException:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise
        return results

    def _stamp(self) -> str:
        now = self.clock()
        newest = self.connection.execute(f"SELECT MAX({MODIFIED_AT}) FROM {self.table}").fetchone()[
            0
        ]
        if newest is not None:
            floor = parse_stamp(newest) + timedelta(microseconds=1)
            if floor > now:
                now = floor
        return format_stamp(now)

    def _current(self, keys: set[str]) -> dict[str, Row]:
        found: dict[str, Row] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), _SELECT_CHUNK):
            chunk = ordered[start : start + _SELECT_CHUNK]
            marks = ", ".join("?" * len(chunk))
            cursor = self.connection.execute(
                f"SELECT * FROM {self.table} WHERE {RECORD_ID} IN ({marks})", chunk
            )
            names = [description[0] for description in cursor.description]
            for row in cursor.fetchall():
                record = dict(zip(names, row, strict=True))
                found[str(record[RECORD_ID])] = record
        return found

    def _apply(self, op: WriteOp, stamp: str, current: dict[str, Row]) -> WriteResult:
        if not op.key.strip():
            return _failed(op, "INVALID_KEY", "an operation needs a contactsync key")
        try:
            self._adopt(op, current)
            if op.action == "archive":
                return self._archive(op, stamp, current)
            return self._upsert(op, stamp, current)
        except RecordProblem as exc:
            fields = (exc.field,) if exc.field else ()
            return _failed(op, "INVALID_VALUE", str(exc), fields)
        except (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.DataError) as exc:
            return _failed(op, "WRITE_FAILED", f"SQLite refused the record: {exc}")
        except OverflowError as exc:
            return _failed(op, "INVALID_VALUE", f"SQLite cannot bind a value: {exc}")

    def _adopt(self, op: WriteOp, current: dict[str, Row]) -> None:
        """A row someone wrote without a key (its record id is not the key) takes the key as
        its record id, so the update lands on it instead of inserting a second row."""
        if not op.record_id or op.record_id == op.key or op.key in current:
            return
        moved = self.connection.execute(
            f"UPDATE {self.table} SET {RECORD_ID} = ? WHERE {RECORD_ID} = ?",
            [op.key, op.record_id],
        ).rowcount
        if moved:
            current.update(self._current({op.key}))

    def _archive(self, op: WriteOp, stamp: str, current: dict[str, Row]) -> WriteResult:
        row = current.get(op.key)
        if row is None:
            return _failed(op, "NOT_FOUND", f"no record with key {op.key!r}")
        if row[ARCHIVED_AT] is None:
            self.connection.execute(
                f"UPDATE {self.table} SET {MODIFIED_AT} = ?, {ARCHIVED_AT} = ? "
                f"WHERE {RECORD_ID} = ?",
                [stamp, stamp, op.key],
            )
            row[ARCHIVED_AT] = row[MODIFIED_AT] = stamp
        return _ok(op)

    def _upsert(self, op: WriteOp, stamp: str, current: dict[str, Row]) -> WriteResult:
        values = self._values(op)
        row = current.get(op.key)
        if (
            row is not None
            and row[ARCHIVED_AT] is None
            and all(same_value(row.get(column), value) for column, value in values.items())
        ):
            return _ok(op)  # nothing changed: no write, modified_at stays
        names = [RECORD_ID, *values, MODIFIED_AT, ARCHIVED_AT]
        updates = [f"{quote(column)} = excluded.{quote(column)}" for column in values]
        updates += [f"{MODIFIED_AT} = excluded.{MODIFIED_AT}", f"{ARCHIVED_AT} = NULL"]
        self.connection.execute(
            f"INSERT INTO {self.table} ({', '.join(map(quote, names))}) "
            f"VALUES ({', '.join('?' * len(names))}) "
            f"ON CONFLICT({RECORD_ID}) DO UPDATE SET {', '.join(updates)}",
            [op.key, *values.values(), stamp, None],
        )
        merged: Row = dict(row) if row is not None else {RECORD_ID: op.key}
        merged.update(values)
        merged[MODIFIED_AT], merged[ARCHIVED_AT] = stamp, None
        current[op.key] = merged
        return _ok(op)

    def _values(self, op: WriteOp) -> dict[str, Any]:
        """Column → storable value; the key column always holds ``op.key``."""
        values: dict[str, Any] = {}
        for name, value in op.values.items():
            if name == RECORD_ID and self.spec.key_field == RECORD_ID:
                continue
            if fold(name) in BOOKKEEPING:
                raise RecordProblem(f"{name}: the hub keeps this column itself", name)
            column = self.columns.get(fold(name))
            if column is None:  # the connector adds columns before the batch
                raise RecordProblem(f"{name}: the table has no such column", name)
            if column in values:
                raise RecordProblem(f"{name}: names column {column!r} twice", name)
            values[column] = storable(value, name)
        key_column = self.spec.key_column
        if key_column is not None:
            values[self.columns.get(fold(key_column), key_column)] = op.key
        return values


def _ok(op: WriteOp) -> WriteResult:
    return WriteResult(key=op.key, ok=True, action=op.action, record_id=op.key)


def _failed(op: WriteOp, code: str, message: str, fields: tuple[str, ...] = ()) -> WriteResult:
    return WriteResult(
        key=op.key,
        ok=False,
        action=op.action,
        record_id=op.record_id,
        error=VendorError(code=code, message=message, fields=fields),
    )

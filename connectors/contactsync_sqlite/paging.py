"""Pulling a table page by page in ``(modified_at, record_id)`` order.

Paging is by keyset: each page starts strictly after the last row of the one before, so
rows that share one ``modified_at`` across a page boundary are neither skipped nor
repeated. ``Cursor.page_state`` holds that position; a pull started again with it goes on
exactly where it stopped.

* A full pull (no watermark) reads live rows only and ends ``complete``.
* An incremental pull reads every row with ``modified_at >= watermark - lookback``,
  archived rows included (as deletions). With a lookback the window is read again on the
  next pull and the reconciler de-duplicates by id; with ``lookback_seconds = 0`` it
  starts strictly after ``(watermark, last_id)``.

The cursor's watermark is the highest ``(modified_at, record_id)`` read so far, never
lower than the one the pull started from.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, Literal

from contactsync.connector import (
    Cursor,
    PullFull,
    PullPage,
    PullResume,
    VendorRecord,
    pull_start,
)
from contactsync.errors import ConfigError
from contactsync_sqlite.schema import ARCHIVED_AT, MODIFIED_AT, RECORD_ID, quote
from contactsync_sqlite.stamps import format_stamp, parse_stamp

Mode = Literal["full", "changes"]
Position = tuple[str, str]
_VERSION = 1


@dataclass(frozen=True)
class PageState:
    """Where a pull is between two pages.

    Attributes:
        table: the table being read (a state is refused for another table).
        mode: ``full`` (live rows, complete) or ``changes`` (incremental, with deletions).
        lower: ``changes`` only: the lowest ``modified_at`` read (watermark - lookback).
        after: the last row read; the next page starts strictly after it.
        mark: the high-water mark so far, for the cursor.
    """

    table: str
    mode: Mode
    lower: str | None = None
    after: Position | None = None
    mark: Position | None = None

    @classmethod
    def start(cls, table: str, since: Cursor | None, lookback: timedelta) -> PageState:
        """The state a pull from ``since`` starts in (resuming when it has a page state)."""
        start = pull_start(since, lookback)
        if isinstance(start, PullResume):
            return cls.decode(start.page_state, table)
        if isinstance(start, PullFull):
            return cls(table, "full")
        mark = (format_stamp(start.watermark), start.last_id)
        if start.strictly_after:
            return cls(table, "changes", after=mark, mark=mark)
        return cls(table, "changes", lower=format_stamp(start.lower), mark=mark)

    def advanced(self, last: Position) -> PageState:
        mark = last if self.mark is None or last > self.mark else self.mark
        return replace(self, after=last, mark=mark)

    def cursor(self, *, final: bool) -> Cursor:
        watermark = parse_stamp(self.mark[0]) if self.mark else None
        last_id = self.mark[1] if self.mark else None
        return Cursor(watermark, last_id, None if final else self.encode())

    def encode(self) -> str:
        return json.dumps(
            {
                "v": _VERSION,
                "table": self.table,
                "mode": self.mode,
                "lower": self.lower,
                "after": list(self.after) if self.after else None,
                "mark": list(self.mark) if self.mark else None,
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    @classmethod
    def decode(cls, text: str, table: str) -> PageState:
        """Read a page state written by ``encode``.

        Raises:
            ConfigError: when it is not one, or belongs to another table.
        """
        try:
            data = json.loads(text)
            if data.get("v") != _VERSION or data["mode"] not in ("full", "changes"):
                raise ValueError("unknown version or mode")
            state = cls(
                table=str(data["table"]),
                mode=data["mode"],
                lower=data.get("lower"),
                after=_position(data.get("after")),
                mark=_position(data.get("mark")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"cursor page_state is not a sqlite page state ({exc})") from None
        if state.table != table:
            raise ConfigError(f"cursor page_state belongs to table {state.table!r}, not {table!r}")
        return state


def _position(value: Any) -> Position | None:
    if value is None:
        return None
    stamp, record_id = value
    return (str(stamp), str(record_id))


def read_pages(
    connection: sqlite3.Connection,
    state: PageState,
    columns: Sequence[str],
    page_size: int,
) -> Iterator[PullPage]:
    """Pages from ``state`` on; each runs one short query (no read held open between)."""
    vendor = [column for column in columns if column != RECORD_ID]
    selected = ", ".join([RECORD_ID, MODIFIED_AT, ARCHIVED_AT, *map(quote, vendor)])
    while True:
        where, params = _conditions(state)
        rows = connection.execute(
            f"SELECT {selected} FROM {quote(state.table)}{where} "
            f"ORDER BY {MODIFIED_AT}, {RECORD_ID} LIMIT ?",
            [*params, page_size + 1],
        ).fetchall()
        more = len(rows) > page_size
        rows = rows[:page_size]
        records = [_record(row, columns, vendor, state.table) for row in rows]
        if rows:
            state = state.advanced((rows[-1][1], rows[-1][0]))
        if more:
            yield PullPage(records=records, cursor=state.cursor(final=False))
            continue
        yield PullPage(
            records=records,
            cursor=state.cursor(final=True),
            last=True,
            complete=state.mode == "full",
        )
        return


def _conditions(state: PageState) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if state.mode == "full":
        clauses.append(f"{ARCHIVED_AT} IS NULL")
    if state.lower is not None:
        clauses.append(f"{MODIFIED_AT} >= ?")
        params.append(state.lower)
    if state.after is not None:
        stamp, record_id = state.after
        clauses.append(f"({MODIFIED_AT} > ? OR ({MODIFIED_AT} = ? AND {RECORD_ID} > ?))")
        params.extend([stamp, stamp, record_id])
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _record(
    row: Sequence[Any], columns: Sequence[str], vendor: Sequence[str], table: str
) -> VendorRecord:
    record_id, modified_at, archived_at = str(row[0]), str(row[1]), row[2]
    by_name = dict(zip(vendor, row[3:], strict=True))
    values = {column: record_id if column == RECORD_ID else by_name[column] for column in columns}
    return VendorRecord(
        record_id=record_id,
        values=values,
        object=table,
        modified_at=parse_stamp(modified_at),
        deleted=archived_at is not None,
    )

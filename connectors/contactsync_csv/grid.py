"""Rows as a spreadsheet shows them, and finding the header among them.

Both file formats are read as a stream of ``ScannedRow``: the row number a person sees
in a spreadsheet (a CSV record with an embedded newline is still one row) and its cells.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contactsync_csv.cells import header_name, is_blank, is_blank_row

HEADER_SCAN_ROWS = 30
"""Auto-detection looks for the header within this many rows (instructions sit above it)."""


@dataclass(frozen=True)
class ScannedRow:
    """One row of a file.

    Attributes:
        number: the 1-based row number, as a spreadsheet shows it.
        cells: the cells as read (CSV: strings; xlsx: what openpyxl gives).
        problem: why the row could not be read at all (a CSV syntax error), if it could not.
        raw: the row's text exactly as in the file, line ending included (CSV rows read
            for writing only; ``None`` otherwise).
    """

    number: int
    cells: list[Any]
    problem: str | None = None
    raw: str | None = None


@dataclass(frozen=True)
class Header:
    """The header row's column names.

    Attributes:
        names: one name per column, ``""`` for an empty header cell.
        index: each name's first column (a duplicated name reads from its first column).
        duplicates: each name used more than once, with all its columns.
    """

    names: tuple[str, ...]
    index: Mapping[str, int] = field(default_factory=dict)
    duplicates: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @classmethod
    def from_cells(cls, cells: Sequence[Any]) -> Header:
        names = tuple(header_name(cell) for cell in cells)
        index: dict[str, int] = {}
        columns: dict[str, list[int]] = {}
        for column, name in enumerate(names):
            if not name:
                continue
            index.setdefault(name, column)
            columns.setdefault(name, []).append(column)
        duplicates = tuple((name, tuple(cols)) for name, cols in columns.items() if len(cols) > 1)
        return cls(names, index, duplicates)


def first_value_beyond(cells: Sequence[Any], width: int) -> int | None:
    """The first column at or after ``width`` that holds a value, if any.

    A row with a value beyond its header's ``width`` columns does not fit the header (a
    name with an unquoted comma shifts every later cell): the reader refuses it, and a
    write must neither change it nor add a column that would give its stray values a name.
    """
    for column in range(width, len(cells)):
        if not is_blank(cells[column]):
            return column
    return None


def column_label(column: int) -> str:
    """The spreadsheet letter of a 0-based column (0 → A, 26 → AA)."""
    label = ""
    column += 1
    while column:
        column, rest = divmod(column - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


@dataclass
class HeaderSplit:
    """A file's rows cut at the header.

    Attributes:
        above: the rows above the header (instructions), kept when the file is written.
        header: the header row, or ``None`` when the file has none (it is empty).
        rows: the rows below the header, still a stream.
    """

    above: list[ScannedRow]
    header: ScannedRow | None
    rows: Iterator[ScannedRow]


def split_header(
    rows: Iterable[ScannedRow], vendor_fields: Sequence[str], header_row: int | None
) -> HeaderSplit:
    """Find the header row.

    With ``header_row`` set, that row is the header. Otherwise it is the first row within
    the first ``HEADER_SCAN_ROWS`` whose cells include at least two of the mapping's
    ``vendor_fields`` (one, when the mapping names only one); failing that, the first
    non-empty row (row 1 in any file that does not start with blank lines).
    """
    stream = iter(rows)
    if header_row is not None:
        above: list[ScannedRow] = []
        for row in stream:
            if row.number == header_row:
                return HeaderSplit(above, row, stream)
            above.append(row)
        return HeaderSplit(above, None, iter(()))

    buffered = list(itertools.islice(stream, HEADER_SCAN_ROWS))
    wanted = set(vendor_fields)
    need = min(2, len(wanted))
    if need:
        for position, row in enumerate(buffered):
            names = {header_name(cell) for cell in row.cells}
            if len(names & wanted) >= need:
                return _cut(buffered, position, stream)
    for position, row in enumerate(buffered):
        if row.problem is None and not is_blank_row(row.cells):
            return _cut(buffered, position, stream)
    for row in stream:  # the first 30 rows were blank
        if row.problem is None and not is_blank_row(row.cells):
            return HeaderSplit(buffered, row, stream)
        buffered.append(row)
    return HeaderSplit(buffered, None, iter(()))


def _cut(buffered: list[ScannedRow], position: int, stream: Iterator[ScannedRow]) -> HeaderSplit:
    return HeaderSplit(
        buffered[:position], buffered[position], itertools.chain(buffered[position + 1 :], stream)
    )

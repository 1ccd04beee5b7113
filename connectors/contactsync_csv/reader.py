"""Turning a file's rows into pages of ``VendorRecord`` and ``RowError``.

The record id is the key column's value when the row has one, else ``row:N`` (a position,
never a link). The locator is always ``row N``, the row a person finds in a spreadsheet.
A row that cannot be read is a ``RowError`` naming its row number; the others still load.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from contactsync.connector import POSITIONAL_ID_PREFIX, Cursor, PullPage, RowError, VendorRecord
from contactsync.errors import ConfigError
from contactsync.mapping.model import ObjectMapping
from contactsync_csv.cells import (
    has_undecodable,
    is_blank_row,
    key_text,
    row_has_undecodable,
    unneutralise,
)
from contactsync_csv.grid import (
    Header,
    ScannedRow,
    column_label,
    first_value_beyond,
    split_header,
)


@dataclass(frozen=True)
class ReadOptions:
    """How to read one file.

    Attributes:
        header_row: the configured header row, or ``None`` to detect it.
        page_size: records per page.
        missing: the value of a cell beyond a short row's end (CSV ``""``, xlsx ``None``).
        encoding: the codec the text was decoded with (for messages), if it is text.
    """

    header_row: int | None
    page_size: int
    missing: Any
    encoding: str | None = None


def read_pages(
    rows: Iterable[ScannedRow], mapping: ObjectMapping, options: ReadOptions, where: str
) -> Iterator[PullPage]:
    """Pages of the records in ``rows``; the last one is ``last`` and ``complete``.

    Raises:
        ConfigError: when the configured header row is not in a non-empty file.
    """
    reader = _RowReader(mapping, options)
    split = split_header(rows, mapping.vendor_fields, options.header_row)
    if split.header is None:
        if options.header_row is not None and any(
            not is_blank_row(row.cells) for row in split.above
        ):
            raise ConfigError(f"{where}: header_row {options.header_row} is not in the file")
        yield PullPage(records=[], cursor=Cursor(), last=True, complete=True)
        return
    errors = reader.start(split.header)
    records: list[VendorRecord] = []
    for row in split.rows:
        record, error = reader.read(row)
        if record is not None and len(records) >= options.page_size:
            # Sent only now that another record follows, so no page after the last is empty.
            yield PullPage(records=records, cursor=Cursor(), errors=errors)
            records, errors = [], []
        if error is not None:
            errors.append(error)
        if record is not None:
            records.append(record)
    yield PullPage(records=records, cursor=Cursor(), errors=errors, last=True, complete=True)


class _RowReader:
    def __init__(self, mapping: ObjectMapping, options: ReadOptions) -> None:
        self.object = mapping.object
        self.key_field = mapping.key_field
        self.options = options
        self.header = Header(())
        self.key_column: int | None = None
        self.seen: dict[str, int] = {}

    def start(self, header_row: ScannedRow) -> list[RowError]:
        """Take the header; problems with it (duplicate names) are reported once."""
        self.header = Header.from_cells(header_row.cells)
        self.key_column = self.header.index.get(self.key_field)
        where = f"{POSITIONAL_ID_PREFIX}{header_row.number}"
        errors = [
            RowError(
                self.object,
                where,
                f"header row {header_row.number}: column {name!r} appears "
                f"{len(columns)} times ({', '.join(column_label(c) for c in columns)}); "
                f"values are read from column {column_label(columns[0])}",
                name,
            )
            for name, columns in self.header.duplicates
        ]
        for column, cell in enumerate(header_row.cells):
            if has_undecodable(cell):
                errors.append(
                    RowError(
                        self.object,
                        where,
                        f"header row {header_row.number}: column {column_label(column)} "
                        f"has bytes that are not valid {self.options.encoding}",
                    )
                )
        return errors

    def read(self, row: ScannedRow) -> tuple[VendorRecord | None, RowError | None]:
        number = row.number
        position = f"{POSITIONAL_ID_PREFIX}{number}"
        if row.problem is not None:
            return None, RowError(self.object, position, f"row {number} {row.problem}")
        cells = row.cells
        if is_blank_row(cells):
            return None, None
        text = self.options.encoding is not None
        undecodable = text and row_has_undecodable(cells)
        key_cell = self._cell(cells, self.key_column)
        key = "" if has_undecodable(key_cell) else key_text(key_cell)
        record_id = key or position

        width = len(self.header.names)
        extra = first_value_beyond(cells, width)
        if extra is not None:
            return None, RowError(
                self.object,
                record_id,
                f"row {number} has a value in column {column_label(extra)}, beyond "
                f"the {width} columns of the header (a value with an unquoted comma, or a "
                "cell typed past the last column?); the row is not read and contactsync "
                "leaves it as it is until it is fixed",
            )
        if undecodable:
            for name, column in self.header.index.items():
                if has_undecodable(self._cell(cells, column)):
                    return None, RowError(
                        self.object,
                        record_id,
                        f"row {number}: column {name!r} has bytes that are not valid "
                        f"{self.options.encoding}; the row is not read",
                        name,
                    )
        if key:
            first = self.seen.setdefault(key, number)
            if first != number:
                return None, RowError(
                    self.object,
                    position,
                    f"row {number}: key {key!r} is already used by row {first}; "
                    "the row is not read",
                    self.key_field,
                )
        columns = self.header.index.items()
        if len(cells) >= width:
            values = {name: cells[column] for name, column in columns}
        else:
            values = {name: self._cell(cells, column) for name, column in columns}
        for name, value in values.items():
            if isinstance(value, str) and value.startswith("'"):
                values[name] = unneutralise(value)
        record = VendorRecord(
            record_id=record_id, values=values, object=self.object, locator=f"row {number}"
        )
        return record, None

    def _cell(self, cells: list[Any], column: int | None) -> Any:
        if column is None or column >= len(cells):
            return self.options.missing
        return cells[column]

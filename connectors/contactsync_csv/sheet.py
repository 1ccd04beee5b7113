"""A file loaded for writing: the part both formats share.

``CsvSheet`` and ``XlsxSheet`` keep every cell they were loaded with (the rows above the
header, columns the mapping does not know, rows that could not be read), so a write
changes only the cells an operation names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from contactsync.errors import ConfigError
from contactsync_csv.files import replace_atomically
from contactsync_csv.grid import Header, column_label

Handle = int
"""A row of a loaded sheet; stable until the sheet is saved."""


class Overflow(NamedTuple):
    """A data row with a value beyond the header's last cell (see ``grid.first_value_beyond``).

    Attributes:
        number: the row number a spreadsheet shows.
        handle: the row.
        column: the first column beyond the header that holds a value.
    """

    number: int
    handle: Handle
    column: int


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same type (``1`` and ``"1"`` and ``1.0`` are all different cells)."""
    return type(a) is type(b) and a == b


class EditableSheet(ABC):
    """A file's header and data rows, edited in memory and saved atomically.

    Attributes:
        path: the file.
        header: the column names, updated when a column is added.
        changed: whether an operation changed anything since loading (no change, no
            write: a new file appears only when a first record is written to it).
    """

    empty: Any = None
    """The value of an empty cell in this format."""

    def __init__(self, path: Path, header_cells: list[Any]) -> None:
        self.path = path
        self._header_cells = list(header_cells)
        self.header = Header.from_cells(self._header_cells)
        self.changed = False
        self._removed: set[Handle] = set()
        self._beyond: list[Overflow] | None = None  # rows_beyond_header, once computed
        self._free: list[int] | None = None  # _free_columns, once computed

    # -- columns ------------------------------------------------------------------------

    @property
    def header_cells(self) -> list[Any]:
        return list(self._header_cells)

    def ensure_column(self, name: str) -> int:
        """The first column named ``name``, added when missing (see ``add_column``)."""
        column = self.header.index.get(name)
        return column if column is not None else self.add_column(name)

    def add_column(self, name: str) -> int:
        """Add a column named ``name``; its index.

        It takes the first nameless column after the last named one that no data row uses,
        else it goes right after the header's last cell: never further, so the header never
        gets a nameless column in between.

        Raises:
            ConfigError: when it would go after the header's last cell while a row has a
                value there (``column_problem``): the row's stray value would get the name.
        """
        free = self._free_columns() if name else []
        prepared = self.prepare(name) if name else self.empty
        if free:
            column = free[0]
            self._header_cells[column] = prepared
        else:
            problem = self._append_problem()
            if problem is not None:
                raise ConfigError(f"{self.path}: cannot add column {name!r}: {problem}")
            column = len(self._header_cells)
            self._header_cells.append(prepared)
        self.header = Header.from_cells(self._header_cells)
        self._free = None
        self._header_changed(column)
        self.changed = True
        return column

    def column_problem(self, count: int) -> str | None:
        """Why ``count`` new columns cannot be added, or ``None`` when they can.

        A new column that goes after the header's last cell would sit above the stray
        values of rows wider than the header (``rows_beyond_header``): the next read would
        take those rows as valid, every cell shifted. So no column is added there until
        those rows are fixed; the rows themselves are never changed.
        """
        if count <= len(self._free_columns()):
            return None
        return self._append_problem()

    def _append_problem(self) -> str | None:
        beyond = self.rows_beyond_header()
        if not beyond:
            return None
        first = beyond[0]
        more = f" (and {len(beyond) - 1} more rows)" if len(beyond) > 1 else ""
        return (
            f"row {first.number}{more} has a value in column {column_label(first.column)}, "
            f"beyond the {len(self._header_cells)} columns of the header; a new column there "
            "would give that value a name. Fix the row, then sync again"
        )

    def rows_beyond_header(self) -> list[Overflow]:
        """The data rows with a value beyond the header's last cell, in file order.

        The reader refuses them (``reader._RowReader.read``); a write leaves them as they
        are and finds no record in them.
        """
        if self._beyond is None:
            width = len(self._header_cells)
            self._beyond = sorted(self._rows_beyond(width))
        return self._beyond

    def _free_columns(self) -> list[int]:
        """Nameless header columns after the last named one that no data row uses."""
        if self._free is None:
            names = self.header.names
            last_named = max((column for column, name in enumerate(names) if name), default=-1)
            self._free = [
                column
                for column in range(last_named + 1, len(names))
                if self._column_is_blank(column)
            ]
        return self._free

    # -- cells --------------------------------------------------------------------------

    def set_cell(self, handle: Handle, column: int, value: Any) -> None:
        """Store an already prepared value; a cell that already holds it is left alone."""
        if not same_value(self.cell(handle, column), value):
            self._store(handle, column, value)
            self.changed = True
            if column >= len(self._header_cells):
                self._beyond = None
            if self._free and column in self._free:
                self._free = None

    def remove(self, handle: Handle) -> None:
        """Drop a row when the sheet is saved (rows keep their handles until then)."""
        self._removed.add(handle)
        self.changed = True

    def live_rows(self) -> Iterator[tuple[int, Handle]]:
        """``(row number, handle)`` of every data row not removed."""
        for number, handle in self.data_rows():
            if handle not in self._removed:
                yield number, handle

    def save(self) -> None:
        """Write the file back atomically (temporary file, then ``os.replace``)."""
        replace_atomically(self.path, self._write)
        self.changed = False

    # -- what each format provides ------------------------------------------------------

    @abstractmethod
    def data_rows(self) -> Iterator[tuple[int, Handle]]:
        """``(row number, handle)`` of every non-empty row below the header, in order."""

    @abstractmethod
    def cell(self, handle: Handle, column: int) -> Any:
        """The stored value of one cell (``empty`` beyond the row's end)."""

    @abstractmethod
    def row_cells(self, handle: Handle) -> list[Any]:
        """Every stored cell of a row, as in the file."""

    @abstractmethod
    def append_row(self) -> Handle:
        """A new empty row after the last one."""

    @abstractmethod
    def _rows_beyond(self, width: int) -> Iterator[Overflow]:
        """Every live data row with a value at or after column ``width``."""

    @abstractmethod
    def _column_is_blank(self, column: int) -> bool:
        """Whether no live data row has a value in ``column``."""

    @abstractmethod
    def prepare(self, value: Any) -> Any:
        """``value`` as this format stores it (neutralised, encodable).

        Raises:
            CellError: when this format cannot hold it.
        """

    @abstractmethod
    def _store(self, handle: Handle, column: int, value: Any) -> None: ...

    @abstractmethod
    def _header_changed(self, column: int) -> None: ...

    @abstractmethod
    def _write(self, target: Path) -> None:
        """Write the whole file, without the removed rows, to ``target``."""

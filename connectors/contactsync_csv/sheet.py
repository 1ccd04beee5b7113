"""A file loaded for writing: the part both formats share.

``CsvSheet`` and ``XlsxSheet`` keep every cell they were loaded with (the rows above the
header, columns the mapping does not know, rows that could not be read), so a write
changes only the cells an operation names.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from contactsync_csv.files import replace_atomically
from contactsync_csv.grid import Header

Handle = int
"""A row of a loaded sheet; stable until the sheet is saved."""


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

    # -- columns ------------------------------------------------------------------------

    @property
    def header_cells(self) -> list[Any]:
        return list(self._header_cells)

    def ensure_column(self, name: str) -> int:
        """The first column named ``name``, added after every used column when missing."""
        column = self.header.index.get(name)
        return column if column is not None else self.add_column(name)

    def add_column(self, name: str) -> int:
        """Add a column named ``name`` to the right of every cell in use; its index."""
        column = max(len(self._header_cells), self.width())
        self._header_cells.extend([self.empty] * (column - len(self._header_cells)))
        self._header_cells.append(self.prepare(name) if name else self.empty)
        self.header = Header.from_cells(self._header_cells)
        self._header_changed(column)
        self.changed = True
        return column

    # -- cells --------------------------------------------------------------------------

    def set_cell(self, handle: Handle, column: int, value: Any) -> None:
        """Store an already prepared value; a cell that already holds it is left alone."""
        if not same_value(self.cell(handle, column), value):
            self._store(handle, column, value)
            self.changed = True

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
    def width(self) -> int:
        """The number of columns any row uses."""

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

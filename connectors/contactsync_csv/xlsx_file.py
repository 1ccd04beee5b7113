"""Reading ``.xlsx`` sheets as a stream of rows, and loading one for writing (``XlsxSheet``).

Reading uses openpyxl's read-only mode (it streams, so 100k rows stay cheap) with the
sheet's ``<dimension>`` reset: real exports carry ``<dimension ref="A1"/>`` on a 115 x 84
sheet, and a reader that trusts it sees one cell. Writing loads the workbook in normal
mode, so the other sheets, styles and formulas are kept.
"""

from __future__ import annotations

import warnings
from bisect import bisect_left
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl

from contactsync.errors import ConfigError
from contactsync_csv.cells import CellError, is_blank, is_blank_row, to_xlsx_value
from contactsync_csv.grid import ScannedRow, column_label, split_header
from contactsync_csv.sheet import EditableSheet, Handle, Overflow

DEFAULT_SHEET_TITLE = "Sheet1"


def open_workbook(path: Path, *, read_only: bool) -> Any:
    """Open ``path``; in read-only mode cached formula results are read, not formulas.

    Raises:
        ConfigError: naming the file when it is not a readable xlsx workbook.
    """
    try:
        with warnings.catch_warnings():
            # "Workbook contains no default style": harmless, and said for many real files.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            return openpyxl.load_workbook(path, read_only=read_only, data_only=read_only)
    except Exception as exc:  # openpyxl raises zip, XML, key and value errors alike
        raise ConfigError(
            f"{path}: cannot be read as an xlsx workbook ({_describe(exc)})"
        ) from None


def pick_sheet(workbook: Any, name: str | None, path: Path) -> Any:
    """The sheet named ``name``, or the first worksheet.

    Raises:
        ConfigError: naming the file and the sheets it has.
    """
    sheets = list(workbook.worksheets)
    if name is None:
        if not sheets:
            raise ConfigError(f"{path}: the workbook has no worksheet")
        return sheets[0]
    for sheet in sheets:
        if sheet.title == name:
            return sheet
    known = ", ".join(repr(sheet.title) for sheet in sheets) or "none"
    raise ConfigError(f"{path}: no sheet named {name!r} (sheets: {known})")


def iter_xlsx_rows(path: Path, sheet_name: str | None) -> Generator[ScannedRow, None, None]:
    """Every row of the sheet, with the values openpyxl gives (str, int, float, datetime)."""
    workbook = open_workbook(path, read_only=True)
    try:
        sheet = pick_sheet(workbook, sheet_name, path)
        sheet.reset_dimensions()
        try:
            # Read-only mode yields an empty row for every row missing from the XML, so
            # counting from 1 gives the row numbers a spreadsheet shows.
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield ScannedRow(number, list(values))
        except Exception as exc:  # a damaged sheet part: same as an unreadable file
            raise ConfigError(
                f"{path}: sheet {sheet.title!r} cannot be read ({_describe(exc)})"
            ) from None
    finally:
        workbook.close()


class XlsxSheet(EditableSheet):
    """One sheet of a workbook loaded in normal mode; handles are sheet row numbers."""

    empty = None

    def __init__(
        self,
        path: Path,
        workbook: Any,
        sheet: Any,
        header_row: int,
        data: list[int],
        header_width: int | None = None,
    ) -> None:
        """``header_width``: the header row's cells in the file (``_row_widths``); by
        default the cells the sheet has in that row now."""
        self._workbook = workbook
        self._sheet = sheet
        self._header_row = header_row
        self._data = data
        self._last_row = data[-1] if data else header_row
        if header_width is None:
            header_width = _row_widths(sheet).get(header_row, 0)
        cells = [sheet.cell(row=header_row, column=c).value for c in range(1, header_width + 1)]
        super().__init__(path, cells)

    @property
    def title(self) -> str:
        return str(self._sheet.title)

    @classmethod
    def load(
        cls,
        path: Path,
        sheet_name: str | None,
        vendor_fields: Sequence[str],
        header_row: int | None,
    ) -> XlsxSheet:
        """Load an existing workbook for writing.

        Raises:
            ConfigError: when it cannot be read, or the configured header row is missing.
        """
        workbook = open_workbook(path, read_only=False)
        sheet = pick_sheet(workbook, sheet_name, path)
        widths = _row_widths(sheet)  # before iter_rows, which fills every row with cells
        rows = (
            ScannedRow(number, list(values))
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        split = split_header(rows, vendor_fields, header_row)
        if split.header is None:
            if any(not is_blank_row(row.cells) for row in split.above):
                raise ConfigError(f"{path}: header_row {header_row} is not in the sheet")
            for column, name in enumerate(vendor_fields, start=1):
                sheet.cell(row=1, column=column).value = to_xlsx_value(name)
            width = max(widths.get(1, 0), len(vendor_fields))
            return cls(path, workbook, sheet, 1, [], width)
        data = [row.number for row in split.rows if not is_blank_row(row.cells)]
        number = split.header.number
        return cls(path, workbook, sheet, number, data, widths.get(number, 0))

    @classmethod
    def new(
        cls, path: Path, sheet_name: str | None, header: Sequence[Any], *, raw: bool = False
    ) -> XlsxSheet:
        """A workbook that does not exist yet: one sheet, ``header`` in row 1.

        ``raw`` says the header cells are already as stored (copied from another sheet).
        """
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = sheet_name or DEFAULT_SHEET_TITLE
        for column, name in enumerate(header, start=1):
            sheet.cell(row=1, column=column).value = name if raw else to_xlsx_value(name)
        return cls(path, workbook, sheet, 1, [])

    def data_rows(self) -> Iterator[tuple[int, Handle]]:
        for number in self._data:
            yield number, number

    def cell(self, handle: Handle, column: int) -> Any:
        return self._sheet.cell(row=handle, column=column + 1).value

    def row_cells(self, handle: Handle) -> list[Any]:
        return _trim([cell.value for cell in self._sheet[handle]])

    def append_row(self) -> Handle:
        self._last_row += 1
        self._data.append(self._last_row)
        return self._last_row

    def _rows_beyond(self, width: int) -> Iterator[Overflow]:
        live = {handle: number for number, handle in self.live_rows()}
        first: dict[Handle, int] = {}  # row: its first 0-based column beyond the header
        for (row, column), cell in self._sheet._cells.items():  # private, as in _remove_rows
            if column > width and row in live and not is_blank(cell.value):
                first[row] = min(first.get(row, column - 1), column - 1)
        for handle, column in first.items():
            yield Overflow(live[handle], handle, column)

    def _column_is_blank(self, column: int) -> bool:
        live = {handle for _, handle in self.live_rows()}
        return not any(
            row in live and not is_blank(cell.value)
            for (row, col), cell in self._sheet._cells.items()
            if col == column + 1
        )

    def prepare(self, value: Any) -> Any:
        return to_xlsx_value(value)

    def _store(self, handle: Handle, column: int, value: Any) -> None:
        cell = self._sheet.cell(row=handle, column=column + 1)
        try:
            cell.value = value
        except AttributeError:  # a MergedCell has a read-only value
            raise CellError(
                f"cell {column_label(column)}{handle} is part of a merged range"
            ) from None

    def _header_changed(self, column: int) -> None:
        self._sheet.cell(row=self._header_row, column=column + 1).value = self._header_cells[column]

    def _write(self, target: Path) -> None:
        if self._removed:
            self._remove_rows()
        self._workbook.save(target)

    def _remove_rows(self) -> None:
        """Delete the removed rows and move the rows below them up, in one pass.

        ``Worksheet.delete_rows`` moves every cell below the deleted row on each call, so
        deleting k rows of an n-row sheet one by one is O(k * n). Here every cell moves once,
        through the same private ``_move_cell`` that ``delete_rows`` uses (openpyxl has no
        public call for this). Merged ranges and validations below are not moved, as with
        ``delete_rows``.
        """
        removed = sorted(self._removed)
        cells = self._sheet._cells  # private, see the docstring
        affected = sorted(key for key in cells if key[0] >= removed[0])
        gone = set(removed)
        for row, column in affected:
            if row in gone:
                del cells[row, column]
                continue
            shift = bisect_left(removed, row)
            self._sheet._move_cell(row, column, -shift, 0)
        self._data = [
            number - bisect_left(removed, number) for number in self._data if number not in gone
        ]
        self._removed = set()
        self._beyond = self._free = None  # the rows moved


def _row_widths(sheet: Any) -> dict[int, int]:
    """Each row's last cell in the file (an empty but formatted one included), 1-based.

    That is where ``iter_xlsx_rows`` ends the row, so the header is as wide here as the
    reader sees it. Read from the worksheet's private ``_cells``, as ``_remove_rows`` does.
    """
    widths: dict[int, int] = {}
    for row, column in sheet._cells:
        if column > widths.get(row, 0):
            widths[row] = column
    return widths


def _trim(cells: list[Any]) -> list[Any]:
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

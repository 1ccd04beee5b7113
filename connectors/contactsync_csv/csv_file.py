"""Reading CSV files as a stream of rows, and loading one for writing (``CsvSheet``)."""

from __future__ import annotations

import csv
import re
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from contactsync.errors import ConfigError
from contactsync_csv.cells import is_blank, is_blank_row, row_has_undecodable, to_csv_text
from contactsync_csv.encoding import TextFormat
from contactsync_csv.grid import ScannedRow, first_value_beyond, split_header
from contactsync_csv.sheet import EditableSheet, Handle, Overflow


def _open_text(path: Path, text_format: TextFormat) -> TextIO:
    try:
        handle = path.open("r", encoding=text_format.codec, errors="surrogateescape", newline="")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if text_format.bom:
        handle.read(1)  # the BOM, so that it never leaks into the first header name
    return handle


class _LineTap:
    """The lines of a text file, each also kept until ``take`` (a record's exact text)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines
        self._taken: list[str] = []

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self._taken.append(line)
        return line

    def take(self) -> str:
        text = "".join(self._taken)
        self._taken.clear()
        return text


def iter_csv_rows(
    path: Path, text_format: TextFormat, delimiter: str, *, keep_raw: bool = False
) -> Generator[ScannedRow, None, None]:
    """Every row of ``path`` as read, numbered as a spreadsheet numbers them.

    A record the CSV parser refuses (a field over the size limit) comes back as a row
    with a ``problem`` and reading goes on with the next one. Undecodable bytes become
    lone surrogates (see ``cells.has_undecodable``). ``keep_raw`` gives each row its
    text as in the file (``ScannedRow.raw``), so that writing can copy unchanged rows.
    """
    with _open_text(path, text_format) as handle:
        # The csv module reads a line at a time and stops at the end of a record, so the
        # lines taken since the last record are exactly this record's text.
        tap = _LineTap(iter(handle)) if keep_raw else None
        # strict: an unclosed quote is an error at the end of the file, not a silent cell
        # that swallowed every row after it.
        reader = csv.reader(
            tap if tap is not None else handle,
            delimiter=delimiter,
            quotechar='"',
            doublequote=True,
            strict=True,
        )
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if tap is not None:
                    tap.take()
                number += 1
                hint = (
                    "; a quote opened here is never closed, so the rows after it are unread"
                    if "unexpected end of data" in str(exc)
                    else ""
                )
                yield ScannedRow(number, [], f"cannot be parsed as CSV ({exc}){hint}")
                continue
            except OSError as exc:
                raise ConfigError(f"{path}: cannot be read ({exc})") from None
            number += 1
            yield ScannedRow(number, cells, raw=tap.take() if tap is not None else None)


class CsvSheet(EditableSheet):
    """A CSV file in memory: every row as read, the header located, edits applied.

    Rows are lists of cell text; writing keeps the file's encoding, BOM, line ending and
    delimiter. A row no operation changed is written back as it was read, byte for byte
    (its quoting, its line ending); the others are formatted: cells are quoted when they
    hold the delimiter, a quote, CR or LF (the ``csv`` module leaves a lone CR unquoted
    when the line ending is LF, which would not read back).
    """

    empty = ""

    def __init__(
        self,
        path: Path,
        text_format: TextFormat,
        delimiter: str,
        rows: list[list[str]],
        header_index: int,
        raw: list[str | None] | None = None,
    ) -> None:
        super().__init__(path, rows[header_index])
        self.text_format = text_format
        self.delimiter = delimiter
        self._rows = rows
        self._raw: list[str | None] = list(raw) if raw is not None else [None] * len(rows)
        self._header_index = header_index
        self._needs_quotes = re.compile(f'[{re.escape(delimiter)}"\r\n]')

    @classmethod
    def load(
        cls,
        path: Path,
        text_format: TextFormat,
        delimiter: str,
        vendor_fields: Sequence[str],
        header_row: int | None,
    ) -> CsvSheet:
        """Load an existing file.

        Raises:
            ConfigError: when a row cannot be parsed (writing would lose it) or the
                configured header row is not in the file.
        """
        rows: list[ScannedRow] = []
        for row in iter_csv_rows(path, text_format, delimiter, keep_raw=True):
            if row.problem:
                raise ConfigError(
                    f"{path}: row {row.number} {row.problem}; "
                    "fix it before contactsync writes to this file"
                )
            if row_has_undecodable(row.cells):  # rewriting would mix two encodings
                raise ConfigError(
                    f"{path}: row {row.number} is not valid {text_format.codec} text; fix the "
                    "file or the 'encoding' setting before contactsync writes to it"
                )
            rows.append(row)
        split = split_header(rows, vendor_fields, header_row)
        if split.header is None:
            if any(not is_blank_row(row.cells) for row in rows):
                raise ConfigError(f"{path}: header_row {header_row} is not in the file")
            return cls.new(path, text_format, delimiter, list(vendor_fields))
        return cls(
            path,
            text_format,
            delimiter,
            [row.cells for row in rows],
            split.header.number - 1,
            [row.raw for row in rows],
        )

    @classmethod
    def new(
        cls,
        path: Path,
        text_format: TextFormat,
        delimiter: str,
        header: Sequence[Any],
        *,
        raw: bool = False,
    ) -> CsvSheet:
        """A file that does not exist yet, with ``header`` as its first row.

        ``raw`` says the header cells are already as stored (copied from another file).
        """
        cells = [str(name) if raw else to_csv_text(name, text_format.codec) for name in header]
        return cls(path, text_format, delimiter, [cells], 0)

    def data_rows(self) -> Iterator[tuple[int, Handle]]:
        for index in range(self._header_index + 1, len(self._rows)):
            if not is_blank_row(self._rows[index]):
                yield index + 1, index

    def cell(self, handle: Handle, column: int) -> Any:
        row = self._rows[handle]
        return row[column] if column < len(row) else ""

    def row_cells(self, handle: Handle) -> list[Any]:
        return list(self._rows[handle])

    def append_row(self) -> Handle:
        self._rows.append([""] * len(self._header_cells))  # a full row, like a spreadsheet's
        self._raw.append(None)
        return len(self._rows) - 1

    def prepare(self, value: Any) -> Any:
        return to_csv_text(value, self.text_format.codec)

    def _rows_beyond(self, width: int) -> Iterator[Overflow]:
        for number, handle in self.live_rows():
            cells = self._rows[handle]
            if len(cells) > width:
                column = first_value_beyond(cells, width)
                if column is not None:
                    yield Overflow(number, handle, column)

    def _column_is_blank(self, column: int) -> bool:
        return all(is_blank(self.cell(handle, column)) for _, handle in self.live_rows())

    def _store(self, handle: Handle, column: int, value: Any) -> None:
        row = self._rows[handle]
        if column >= len(row):
            row.extend([""] * (column + 1 - len(row)))
        row[column] = value
        self._raw[handle] = None

    def _header_changed(self, column: int) -> None:
        self._rows[self._header_index] = self.header_cells
        self._raw[self._header_index] = None

    def _write(self, target: Path) -> None:
        newline = self.text_format.newline
        with target.open(
            "w", encoding=self.text_format.codec, errors="surrogateescape", newline=""
        ) as handle:
            if self.text_format.bom:
                handle.write("\ufeff")
            for index, row in enumerate(self._rows):
                if index in self._removed:
                    continue
                raw = self._raw[index]
                if raw is None:
                    handle.write(self._format_row(row) + newline)
                else:
                    handle.write(raw if raw.endswith(("\n", "\r")) else raw + newline)

    def _format_row(self, cells: list[str]) -> str:
        if len(cells) == 1 and cells[0] == "":
            return '""'  # a bare empty line would read back as no cell at all
        return self.delimiter.join(
            '"' + cell.replace('"', '""') + '"' if self._needs_quotes.search(cell) else cell
            for cell in cells
        )

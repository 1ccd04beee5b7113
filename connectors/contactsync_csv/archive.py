"""The ``.archived`` sibling file that archived rows move to, so nothing is lost."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from contactsync_csv.cells import key_text
from contactsync_csv.sheet import EditableSheet


class ArchiveFile:
    """Rows archived from one file, appended with all their cells.

    The file is opened only when needed: to append rows, or to tell whether a key was
    archived already (a retried archive is then a success, not ``NOT_FOUND``). A row
    already present with the same cells is not appended again, so an archive retried
    after a crash between the two file writes leaves one copy.
    """

    def __init__(self, open_sheet: Callable[[], EditableSheet], key_field: str) -> None:
        self._open_sheet = open_sheet
        self._key_field = key_field
        self._sheet: EditableSheet | None = None
        self._keys: set[str] | None = None
        self._rows: set[tuple[Any, ...]] | None = None
        self.appended = 0

    @property
    def sheet(self) -> EditableSheet:
        if self._sheet is None:
            self._sheet = self._open_sheet()
        return self._sheet

    def has_key(self, key: str) -> bool:
        """Whether a row with contactsync key ``key`` was archived before."""
        if self._keys is None:
            column = self.sheet.header.index.get(self._key_field)
            self._keys = set()
            if column is not None:
                for _, handle in self.sheet.live_rows():
                    self._keys.add(key_text(self.sheet.cell(handle, column)))
        return key in self._keys

    def append(self, source_names: Sequence[str], rows: Sequence[list[Any]]) -> None:
        """Append ``rows`` (cells in the source file's column order) by column name."""
        sheet = self.sheet
        used = {position for row in rows for position, value in enumerate(row) if not _empty(value)}
        width = max(used, default=-1) + 1
        names = list(source_names) + [""] * max(0, width - len(source_names))
        columns = self._column_map(names, used)
        existing = self._existing_rows()
        for row in rows:
            placed: dict[int, Any] = {
                columns[position]: value for position, value in enumerate(row) if not _empty(value)
            }
            signature = tuple(sorted((column, repr(value)) for column, value in placed.items()))
            if signature in existing:
                continue
            existing.add(signature)
            handle = sheet.append_row()
            for column, value in placed.items():
                sheet.set_cell(handle, column, value)
            self.appended += 1

    def save(self) -> None:
        if self.appended and self._sheet is not None:
            self._sheet.save()

    def _column_map(self, names: Sequence[str], used: set[int]) -> list[int]:
        """The archive column of each source column: the k-th column named N goes to the
        archive's k-th column named N, added when the archive has fewer and a row has a
        value in it (so blank cells past a row's last value add no nameless column)."""
        sheet = self.sheet
        positions: dict[str, list[int]] = {}
        for column, name in enumerate(sheet.header.names):
            positions.setdefault(name, []).append(column)
        seen: dict[str, int] = {}
        result: list[int] = []
        for position, name in enumerate(names):
            occurrence = seen.get(name, 0)
            seen[name] = occurrence + 1
            columns = positions.setdefault(name, [])
            if occurrence >= len(columns):
                if position not in used:
                    result.append(-1)  # no row has a value here
                    continue
                while occurrence >= len(columns):
                    columns.append(sheet.add_column(name))
            result.append(columns[occurrence])
        return result

    def _existing_rows(self) -> set[tuple[Any, ...]]:
        if self._rows is None:
            sheet = self.sheet
            self._rows = set()
            for _, handle in sheet.live_rows():
                cells = sheet.row_cells(handle)
                self._rows.add(
                    tuple(
                        sorted(
                            (column, repr(value))
                            for column, value in enumerate(cells)
                            if not _empty(value)
                        )
                    )
                )
        return self._rows


def _empty(value: Any) -> bool:
    return value is None or value == ""

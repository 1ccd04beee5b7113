"""``CsvConnector``: one CSV or xlsx file per kind."""

from __future__ import annotations

import stat
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from pathlib import Path

from contactsync.connector import (
    Capabilities,
    Connector,
    ConnectorContext,
    Cursor,
    FieldSchema,
    ObjectSchema,
    PullPage,
    WriteOp,
    WriteResult,
    local_file_problem,
)
from contactsync.errors import ConfigError
from contactsync.mapping.model import ObjectMapping
from contactsync.models import Kind
from contactsync_csv.archive import ArchiveFile
from contactsync_csv.csv_file import CsvSheet, iter_csv_rows
from contactsync_csv.encoding import TextFormat, detect_format, new_file_format, wrong_codec
from contactsync_csv.files import archive_path, file_type
from contactsync_csv.grid import Header, ScannedRow, split_header
from contactsync_csv.reader import ReadOptions, read_pages
from contactsync_csv.settings import AUTO, CsvSettings
from contactsync_csv.sheet import EditableSheet
from contactsync_csv.writer import OperationWriter
from contactsync_csv.xlsx_file import XlsxSheet, iter_xlsx_rows

CAPABILITIES = Capabilities(
    kinds=frozenset(Kind),
    incremental=False,
    deletes="enumeration",
    batch_size=500,
    upsert_by_external_id=True,
    archive=True,
)


class CsvConnector(Connector):
    """Reads and writes the file each kind's mapping names (``.csv``, ``.txt``, ``.xlsx``).

    Paths are relative to the configuration's folder. A missing file is an empty system;
    the first push creates it with the mapping's fields as its header.
    """

    capabilities = CAPABILITIES

    def __init__(self, context: ConnectorContext) -> None:
        super().__init__(context)
        self.settings = CsvSettings.from_settings(context.settings, f"system {context.system!r}")
        self._formats: dict[Path, TextFormat] = {}
        seen: dict[Path, Kind] = {}
        for kind in sorted(context.mapping.kinds):
            path = self.path_for(kind)
            file_type(path)
            for used in (path, archive_path(path)):  # archived rows must not land in the other
                other = seen.setdefault(used.resolve(), kind)
                if other != kind:
                    raise ConfigError(
                        f"system {context.system!r}: {other.value} and {kind.value} contacts "
                        f"would share {used}; each kind needs its own file"
                    )

    def path_for(self, kind: Kind) -> Path:
        """The file holding ``kind``."""
        return self.context.base_dir / self.object_for(kind)

    def check_offline(self) -> list[str]:
        """Files that cannot be used, found without reading them: a kind's file (or its
        ``.archived`` file) that is a folder, unreadable, or under a "folder" that is a
        file. A missing file is no problem: it is an empty system, created on first write.
        """
        problems: list[str] = []
        for kind in sorted(self.context.mapping.kinds):
            path = self.path_for(kind)
            for used in (path, archive_path(path)):
                problem = local_file_problem(used)
                if problem is not None:
                    problems.append(f"{kind.value} file {problem}")
        return problems

    # -- describe -------------------------------------------------------------------------

    def describe(self) -> dict[Kind, ObjectSchema]:
        """Each kind's columns: the file's header plus the mapping's columns it lacks,
        which the first write adds (the mapping's fields alone for a new file)."""
        schemas: dict[Kind, ObjectSchema] = {}
        for kind in sorted(self.context.mapping.kinds):
            mapping = self.context.mapping.for_kind(kind)
            names = self._header_names(kind, mapping)
            fields = {
                name: FieldSchema(name=name, type="string", external_id=name == mapping.key_field)
                for name in names
            }
            schemas[kind] = ObjectSchema(name=mapping.object, fields=fields)
        return schemas

    def _header_names(self, kind: Kind, mapping: ObjectMapping) -> list[str]:
        path = self.path_for(kind)
        if not _has_content(path):
            return list(mapping.vendor_fields)
        with closing(self._rows(path)) as rows:
            split = split_header(rows, mapping.vendor_fields, self.settings.header_row)
            if split.header is None:
                return list(mapping.vendor_fields)
            present = list(Header.from_cells(split.header.cells).index)
            return present + [name for name in mapping.vendor_fields if name not in present]

    # -- pull -----------------------------------------------------------------------------

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        """Every row of the kind's file; always a full read (``since`` is ignored)."""
        mapping = self.context.mapping.for_kind(kind)
        path = self.path_for(kind)
        if not _has_content(path):
            yield PullPage(records=[], cursor=Cursor(), last=True, complete=True)
            return
        if file_type(path) == "xlsx":
            rows = iter_xlsx_rows(path, self.settings.sheet)
            options = ReadOptions(self.settings.header_row, self.settings.page_size, None)
        else:
            text_format = self._format(path)
            if self.settings.encoding != AUTO and wrong_codec(path, text_format.codec):
                raise ConfigError(
                    f"{path}: is not valid {self.settings.encoding} text; "
                    "check the system's 'encoding' setting (or set it to 'auto')"
                )
            rows = iter_csv_rows(path, text_format, self.settings.delimiter)
            options = ReadOptions(
                self.settings.header_row, self.settings.page_size, "", text_format.codec
            )
        with closing(rows):
            yield from read_pages(rows, mapping, options, str(path))

    def _rows(self, path: Path) -> Generator[ScannedRow, None, None]:
        if file_type(path) == "xlsx":
            return iter_xlsx_rows(path, self.settings.sheet)
        return iter_csv_rows(path, self._format(path), self.settings.delimiter)

    def _format(self, path: Path) -> TextFormat:
        """The file's text format; a plain-ASCII file keeps the one seen before."""
        try:
            found = detect_format(path, self.settings.encoding)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        remembered = self._formats.get(path)
        if found.guessed and remembered is not None:
            found = TextFormat(remembered.codec, remembered.bom, found.newline)
        self._formats[path] = found
        return found

    # -- push -----------------------------------------------------------------------------

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        """Apply ``operations`` to the kind's file and write it back atomically.

        The work is done before this returns (results are not lazy): archived rows are
        written to the ``.archived`` file first, then the file itself, each through a
        temporary file and ``os.replace``. Nothing is written when nothing changed.
        """
        mapping = self.context.mapping.for_kind(kind)
        sheet = self._open_for_write(self.path_for(kind), mapping)
        archive = ArchiveFile(lambda: self._open_archive(sheet, mapping), mapping.key_field)
        writer = OperationWriter(sheet, mapping.key_field, archive)
        results = writer.apply(operations)
        if writer.archived:
            archive.append(sheet.header.names, writer.archived)
            archive.save()
        if sheet.changed:
            sheet.save()
            if isinstance(sheet, CsvSheet):
                self._formats[sheet.path] = sheet.text_format
        return iter(results)

    def _open_for_write(self, path: Path, mapping: ObjectMapping) -> EditableSheet:
        fields = mapping.vendor_fields
        header_row = self.settings.header_row
        if file_type(path) == "xlsx":
            if _has_content(path):
                return XlsxSheet.load(path, self.settings.sheet, fields, header_row)
            return XlsxSheet.new(path, self.settings.sheet, fields)
        delimiter = self.settings.delimiter
        if _has_content(path):
            return CsvSheet.load(path, self._format(path), delimiter, fields, header_row)
        text_format = self._formats.get(path) or new_file_format(self.settings.encoding)
        return CsvSheet.new(path, text_format, delimiter, fields)

    def _open_archive(self, sheet: EditableSheet, mapping: ObjectMapping) -> EditableSheet:
        path = archive_path(sheet.path)
        if isinstance(sheet, XlsxSheet):
            if _has_content(path):
                return XlsxSheet.load(path, None, mapping.vendor_fields, None)
            return XlsxSheet.new(path, sheet.title, sheet.header_cells, raw=True)
        if not isinstance(sheet, CsvSheet):
            raise TypeError(f"no archive format for {type(sheet).__name__}")
        if _has_content(path):
            found = self._format(path)
            if found.guessed:  # plain ASCII so far: write it like the file it comes from
                found = TextFormat(sheet.text_format.codec, sheet.text_format.bom, found.newline)
            return CsvSheet.load(path, found, sheet.delimiter, mapping.vendor_fields, None)
        return CsvSheet.new(path, sheet.text_format, sheet.delimiter, sheet.header_cells, raw=True)


def _has_content(path: Path) -> bool:
    """Whether ``path`` is a file with something in it; missing or 0 bytes is a new file.

    Raises:
        ConfigError: when ``path`` is something other than a file (a folder).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path}: is not a file")
    return info.st_size > 0


__all__ = ["CAPABILITIES", "CsvConnector"]

"""The settings a ``csv`` system reads from its table in ``contactsync.toml``."""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contactsync.connector import refuse_unknown_settings
from contactsync.errors import ConfigError

AUTO = "auto"
DEFAULT_PAGE_SIZE = 1000


@dataclass(frozen=True)
class CsvSettings:
    """How to read and write the files of one system.

    Attributes:
        encoding: ``auto`` (detect per file) or a Python codec name (``gbk``, ``utf-8-sig``).
        delimiter: the CSV field separator (one character).
        sheet: the xlsx sheet to use; ``None`` means the first sheet.
        header_row: the 1-based header row; ``None`` means detect it.
        page_size: records per ``PullPage``.
    """

    encoding: str = AUTO
    delimiter: str = ","
    sheet: str | None = None
    header_row: int | None = None
    page_size: int = DEFAULT_PAGE_SIZE

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], where: str) -> CsvSettings:
        """Validate the settings; ``where`` names the system in error messages.

        Raises:
            ConfigError: naming the setting and what it must be.
        """
        refuse_unknown_settings(
            settings, {"encoding", "delimiter", "sheet", "header_row", "page_size"}, where
        )
        encoding = settings.get("encoding", AUTO)
        if not isinstance(encoding, str) or not encoding.strip():
            raise ConfigError(f"{where}: setting 'encoding' must be 'auto' or a codec name")
        encoding = encoding.strip()
        if encoding.lower() != AUTO:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ConfigError(
                    f"{where}: setting 'encoding' names an unknown encoding {encoding!r}"
                ) from None
        else:
            encoding = AUTO

        delimiter = settings.get("delimiter", ",")
        if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
            raise ConfigError(
                f"{where}: setting 'delimiter' must be one character (not a quote or newline)"
            )

        sheet = settings.get("sheet")
        if sheet is not None and (not isinstance(sheet, str) or not sheet):
            raise ConfigError(f"{where}: setting 'sheet' must be a sheet name")

        header_row = settings.get("header_row")
        if isinstance(header_row, str) and header_row.strip().lower() == AUTO:
            header_row = None
        if header_row is not None and (
            not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1
        ):
            raise ConfigError(f"{where}: setting 'header_row' must be 'auto' or a row number >= 1")

        page_size = settings.get("page_size", DEFAULT_PAGE_SIZE)
        if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 1:
            raise ConfigError(f"{where}: setting 'page_size' must be a whole number >= 1")

        return cls(encoding, delimiter, sheet, header_row, page_size)

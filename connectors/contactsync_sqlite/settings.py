"""The settings a ``sqlite`` system reads from its table in ``contactsync.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contactsync.connector import read_number, refuse_unknown_settings
from contactsync.errors import ConfigError

DEFAULT_PATH = "contactsync_hub.db"
DEFAULT_PAGE_SIZE = 1000
DEFAULT_LOOKBACK_SECONDS = 5.0
MAX_PAGE_SIZE = 1_000_000
"""SQLite's ``LIMIT`` takes a 64-bit integer; a page of a million rows is plenty."""
MAX_LOOKBACK_SECONDS = 366 * 86_400.0
"""A year: a longer lookback is a full read, and one of centuries cannot be computed."""


@dataclass(frozen=True)
class SqliteSettings:
    """Where the hub is and how it is paged.

    Attributes:
        path: the database file, relative to the configuration's folder.
        page_size: records per ``PullPage``.
        lookback_seconds: an incremental pull reads again from this long before the
            cursor's watermark, so a write that committed late is not missed.
    """

    path: str = DEFAULT_PATH
    page_size: int = DEFAULT_PAGE_SIZE
    lookback_seconds: float = DEFAULT_LOOKBACK_SECONDS

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], where: str) -> SqliteSettings:
        """Validate the settings; ``where`` names the system in error messages.

        Raises:
            ConfigError: naming the setting and what it must be.
        """
        refuse_unknown_settings(settings, {"path", "page_size", "lookback_seconds"}, where)
        path = settings.get("path", DEFAULT_PATH)
        if not isinstance(path, str) or not path.strip():
            raise ConfigError(f"{where}: setting 'path' must be a file name")
        page_size = settings.get("page_size", DEFAULT_PAGE_SIZE)
        if (
            not isinstance(page_size, int) or isinstance(page_size, bool)
            or not 1 <= page_size <= MAX_PAGE_SIZE
        ):
            raise ConfigError(
                f"{where}: setting 'page_size' must be a whole number from 1 to "
                f"{MAX_PAGE_SIZE:,}"
            )
        lookback = read_number(
            settings, "lookback_seconds", DEFAULT_LOOKBACK_SECONDS, where,
            low=0.0, high=MAX_LOOKBACK_SECONDS,
        )
        return cls(path.strip(), page_size, lookback)

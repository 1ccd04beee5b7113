"""A misspelt setting is refused by name instead of being silently ignored."""

from __future__ import annotations

import pytest

from contactsync.errors import ConfigError
from contactsync_csv.settings import CsvSettings
from contactsync_sqlite.settings import SqliteSettings


def test_csv_refuses_unknown_settings() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown setting\(s\) 'encodng'.*reads delimiter, encoding"
    ):
        CsvSettings.from_settings({"encodng": "gbk"}, "system 'legacy'")


def test_sqlite_refuses_unknown_settings() -> None:
    with pytest.raises(ConfigError, match=r"system 'hub': unknown setting\(s\) 'pth'"):
        SqliteSettings.from_settings({"pth": "hub.db"}, "system 'hub'")


def test_known_settings_and_credentials_pass() -> None:
    settings = CsvSettings.from_settings({"encoding": "gbk", "credentials": {}}, "system 'x'")
    assert settings.encoding == "gbk"
    assert SqliteSettings.from_settings({"path": "h.db", "credentials": {}}, "x").path == "h.db"

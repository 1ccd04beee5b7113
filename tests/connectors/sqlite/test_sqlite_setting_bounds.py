"""Numeric sqlite settings: NaN, infinities and values SQLite or a clock cannot take are
configuration errors naming the setting, not a crash at the first pull."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from connector_helpers import FakeClock, create, hub

from contactsync.connector import Cursor
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync_sqlite.settings import SqliteSettings

WHERE = "system 'hub'"


@pytest.mark.parametrize("text", ["nan", "inf", "-inf"])
def test_toml_nan_and_infinities_are_config_errors(tmp_path: Path, text: str) -> None:
    value = tomllib.loads(f"lookback_seconds = {text}")["lookback_seconds"]
    assert not math.isfinite(value)
    with pytest.raises(ConfigError) as caught:
        SqliteSettings.from_settings({"lookback_seconds": value}, WHERE)
    assert str(caught.value) == (
        f"{WHERE}: setting 'lookback_seconds' must be a number from 0 to 31,622,400, "
        f"not {value}"
    )
    with pytest.raises(ConfigError, match="lookback_seconds"):
        hub(tmp_path, FakeClock(), lookback_seconds=value)


@pytest.mark.parametrize(
    "settings",
    [
        {"lookback_seconds": 1e300},  # timedelta cannot hold it
        {"lookback_seconds": 1e11},  # the watermark minus it is before year 1
        {"page_size": 2**63 - 1},  # SQLite's LIMIT cannot take it plus one
        {"page_size": 10**30},
    ],
)
def test_numbers_too_large_to_use_are_config_errors(settings: dict[str, Any]) -> None:
    key = next(iter(settings))
    with pytest.raises(ConfigError, match=f"setting '{key}' must be a .*number from "):
        SqliteSettings.from_settings(settings, WHERE)


def test_the_largest_numbers_taken_work(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock, lookback_seconds=366 * 86_400, page_size=1_000_000)
    list(connector.push(Kind.EMERGENCY, [create("e1", {"name": "A"})]))
    pages = list(connector.pull(Kind.EMERGENCY, Cursor(watermark=clock.now)))
    assert [r.record_id for page in pages for r in page.records] == ["e1"]
    connector.close()

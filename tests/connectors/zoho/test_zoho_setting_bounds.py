"""Numeric Zoho settings: NaN, infinities and out-of-range values are configuration errors
naming the setting, never a ValueError or OverflowError in the middle of a run."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from contactsync.errors import ConfigError
from contactsync.quota import QUOTA_SHARE_RULE
from contactsync_zoho import ZohoSettings
from contactsync_zoho.emulator import RunningOrg

WHERE = "system 'zoho'"
SHARE_MESSAGE = (
    "setting 'quota_share' must be a number greater than 0 and at most 1 (a share: 0.9 is 90%)"
)


def parse(**settings: Any) -> ZohoSettings:
    return ZohoSettings.from_settings(settings, WHERE, Path("."))


@pytest.mark.parametrize("key", ["timeout_seconds", "lookback_seconds", "quota_share"])
@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "+inf", "-nan"])
def test_toml_nan_and_infinities_are_config_errors(key: str, text: str) -> None:
    value = tomllib.loads(f"{key} = {text}")[key]
    assert not math.isfinite(value)
    with pytest.raises(ConfigError, match=f"setting '{key}' must be a number") as caught:
        parse(**{key: value})
    assert str(caught.value).startswith(f"{WHERE}: ")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timeout_seconds", 1e10),  # a socket refuses it (OverflowError)
        ("timeout_seconds", 0.05),
        ("lookback_seconds", 1e300),  # timedelta cannot hold it (OverflowError)
        ("lookback_seconds", 1e11),  # the watermark minus it is before year 1
        ("lookback_seconds", -1),
    ],
)
def test_numbers_out_of_range_are_config_errors(key: str, value: float) -> None:
    with pytest.raises(ConfigError, match=f"setting '{key}' must be a number from"):
        parse(**{key: value})


def test_the_range_is_written_so_masking_leaves_it_readable() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(lookback_seconds=float("inf"))
    assert "from 0 to 31,622,400, not inf" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        parse(timeout_seconds=float("nan"))
    assert "from 0.1 to 86,400, not nan" in str(caught.value)


def test_numbers_in_range_are_kept() -> None:
    settings = parse(timeout_seconds=86_400, lookback_seconds=0, quota_share=1)
    assert (settings.timeout_seconds, settings.lookback_seconds) == (86_400.0, 0.0)
    assert settings.quota_share == 1.0 and isinstance(settings.quota_share, float)
    assert parse(quota_share=0.05).quota_share == 0.05
    assert parse().quota_share == 0.9


@pytest.mark.parametrize(
    "value", [0, 0.0, -0.0, -0.5, -1, 1.5, 2, 90, float("nan"), float("inf"), True, [0.5]]
)
def test_every_bad_quota_share_gets_one_message(value: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(quota_share=value)
    assert str(caught.value) == f"{WHERE}: {SHARE_MESSAGE}"


@pytest.mark.parametrize("text", ["0.5", "90%", "", "0,9"])
def test_a_quota_share_given_as_text_says_so(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(quota_share=text)
    assert str(caught.value) == f"{WHERE}: {SHARE_MESSAGE}; got text {text!r}"


def test_the_rule_is_the_one_the_module_exports() -> None:
    assert QUOTA_SHARE_RULE == SHARE_MESSAGE


@pytest.mark.parametrize(
    "settings",
    [
        {"quota_share": float("nan")},  # was a ValueError building the quota gate
        {"quota_share": 0},  # was accepted: every run stopped after one call
        {"timeout_seconds": float("nan")},  # was "ValueError: Invalid value NaN" at a call
        {"timeout_seconds": float("inf")},  # was an OverflowError at a call
        {"lookback_seconds": float("nan")},  # was a ValueError at an incremental pull
        {"lookback_seconds": float("inf")},  # was an OverflowError at an incremental pull
    ],
)
def test_the_connector_refuses_them_when_built(
    connect: Any, org: RunningOrg, settings: dict[str, Any]
) -> None:
    with pytest.raises(ConfigError, match=next(iter(settings))):
        connect(**settings)
    assert org.accounts.granted == 0

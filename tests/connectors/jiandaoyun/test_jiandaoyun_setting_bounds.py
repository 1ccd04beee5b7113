"""Numeric Jiandaoyun settings: NaN, infinities and values no socket or clock can take are
configuration errors naming the setting."""

from __future__ import annotations

import math
import tomllib

import pytest
from jiandaoyun_helpers import settings

from contactsync.errors import ConfigError
from contactsync_jiandaoyun.settings import DEFAULT_BASE_URL, JiandaoyunSettings

WHERE = "system 'crm'"
NUMBERS = [
    "timeout_seconds", "connect_timeout_seconds", "lookback_seconds", "max_wait_seconds",
    "rate_share",
]


def parse(**overrides: object) -> JiandaoyunSettings:
    return JiandaoyunSettings.from_settings(settings(DEFAULT_BASE_URL, **overrides), WHERE)


@pytest.mark.parametrize("key", NUMBERS)
@pytest.mark.parametrize("text", ["nan", "inf", "-inf"])
def test_toml_nan_and_infinities_are_config_errors(key: str, text: str) -> None:
    value = tomllib.loads(f"{key} = {text}")[key]
    assert not math.isfinite(value)
    with pytest.raises(ConfigError, match=f"setting '{key}' must be a number"):
        parse(**{key: value})


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timeout_seconds", 1e10),  # a socket refuses it
        ("connect_timeout_seconds", 1e10),
        ("max_wait_seconds", 1e300),  # time.sleep refuses it
        ("lookback_seconds", 1e300),  # timedelta cannot hold it
        ("lookback_seconds", 1e11),  # the watermark minus it is before year 1
    ],
)
def test_numbers_too_large_to_use_are_config_errors(key: str, value: float) -> None:
    with pytest.raises(ConfigError, match=f"setting '{key}' must be a number from .* to "):
        parse(**{key: value})


def test_bounds_are_written_so_masking_leaves_them_readable() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(lookback_seconds=float("inf"))
    assert str(caught.value) == (
        f"{WHERE}: setting 'lookback_seconds' must be a number from 0 to 31,622,400, not inf"
    )
    with pytest.raises(ConfigError, match=r"'timeout_seconds' must be a number from 0.001 to "
                                          r"86,400$"):
        parse(timeout_seconds=0)


def test_numbers_in_range_are_kept() -> None:
    parsed = parse(timeout_seconds=86_400, connect_timeout_seconds=0.5, max_wait_seconds=0,
                   lookback_seconds=366 * 86_400, rate_share=1)
    assert parsed.timeout == (0.5, 86_400.0)
    assert (parsed.max_wait_seconds, parsed.rate_share) == (0.0, 1.0)
    assert parsed.lookback_seconds == 31_622_400.0

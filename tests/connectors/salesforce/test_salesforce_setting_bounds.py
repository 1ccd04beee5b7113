"""Numeric Salesforce settings: NaN, infinities and values no socket or clock can take
are configuration errors naming the setting; ``quota_share`` says what Zoho's says."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from contactsync.errors import ConfigError
from contactsync.quota import QUOTA_SHARE_RULE
from contactsync_salesforce.settings import SalesforceSettings

WHERE = "system 'crm'"
SHARE_MESSAGE = (
    "setting 'quota_share' must be a number greater than 0 and at most 1 (a share: 0.9 is 90%)"
)
BASE = {"instance_url": "https://acme.my.salesforce.com", "credentials": {"session_id": "s"}}


def parse(**settings: Any) -> SalesforceSettings:
    return SalesforceSettings.from_settings({**BASE, **settings}, WHERE, Path("."))


@pytest.mark.parametrize(
    "key", ["timeout_seconds", "lookback_seconds", "max_wait_seconds", "quota_share"]
)
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
        ("max_wait_seconds", 1e300),  # time.sleep refuses it
        ("lookback_seconds", 1e300),  # timedelta cannot hold it
        ("lookback_seconds", 1e11),  # the watermark minus it is before year 1
    ],
)
def test_numbers_too_large_to_use_are_config_errors(key: str, value: float) -> None:
    pattern = f"setting '{key}' must be a number (from|greater than) .* (to|and at most) "
    with pytest.raises(ConfigError, match=pattern):
        parse(**{key: value})


def test_bounds_are_written_so_masking_leaves_them_readable() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(lookback_seconds=float("inf"))
    assert str(caught.value) == (
        f"{WHERE}: setting 'lookback_seconds' must be a number from 0 to 31,622,400, not inf"
    )
    with pytest.raises(ConfigError, match=r"must be a number greater than 0 and at most 86,400$"):
        parse(timeout_seconds=0)


def test_numbers_in_range_are_kept() -> None:
    settings = parse(timeout_seconds=86_400, max_wait_seconds=0, lookback_seconds=0,
                     quota_share=1)
    assert (settings.timeout_seconds, settings.max_wait_seconds) == (86_400.0, 0.0)
    assert (settings.lookback_seconds, settings.quota_share) == (0.0, 1.0)
    assert parse().quota_share == 0.8


@pytest.mark.parametrize(
    "value", [0, 0.0, -0.5, 1.5, 80, float("nan"), float("inf"), False, {"share": 1}]
)
def test_every_bad_quota_share_gets_one_message(value: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(quota_share=value)
    assert str(caught.value) == f"{WHERE}: {SHARE_MESSAGE}"


@pytest.mark.parametrize("text", ["0.5", "90%"])
def test_a_quota_share_given_as_text_says_so(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(quota_share=text)
    assert str(caught.value) == f"{WHERE}: {SHARE_MESSAGE}; got text {text!r}"


def test_salesforce_and_zoho_say_the_same_about_quota_share() -> None:
    assert QUOTA_SHARE_RULE == SHARE_MESSAGE  # one rule, in contactsync.quota, for both

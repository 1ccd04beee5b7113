"""Response-time limits: what a bad one is told as, and the longest one read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from mapping_helpers import MISSING, emergency, emergency_om, read

from contactsync.mapping import UnmappableValue, to_vendor
from contactsync.mapping.converters import LONGEST_TIME_LIMIT

RT = "response_time_limit"


def limit_om(convert: str) -> Any:
    return emergency_om({RT: {"field": "limit", "convert": convert}})


def refused(convert: str, cell: Any) -> str:
    value, problems = read(limit_om(convert), RT, {"limit": cell})
    assert value is MISSING
    assert [(p.field, p.vendor_field) for p in problems] == [(RT, "limit")]
    return str(problems[0].reason)


@pytest.mark.parametrize(
    ("convert", "unit"), [("minutes", "minutes"), ("hours", "hours"), ("duration", "minutes")]
)
def test_text_that_is_no_duration_says_what_was_expected(convert: str, unit: str) -> None:
    reason = refused(convert, "abc")
    assert reason.startswith(f"'abc' is not a number of {unit} (write e.g. ")
    assert "PT1H30M" in reason


@pytest.mark.parametrize("cell", ["138 0013 8000", "zhang.san@example.com", "tel 13800138000"])
def test_a_refused_value_that_may_be_personal_data_is_not_shown(cell: str) -> None:
    reason = refused("minutes", cell)
    assert reason.startswith("the value is not a number of minutes")
    assert "138" not in reason and "@" not in reason


def test_thirty_days_is_the_longest_limit_read() -> None:
    assert timedelta(days=30) == LONGEST_TIME_LIMIT
    assert read(limit_om("minutes"), RT, {"limit": "43200"})[0] == timedelta(days=30)
    assert read(limit_om("hours"), RT, {"limit": 720})[0] == timedelta(days=30)
    assert read(limit_om("duration"), RT, {"limit": "P30D"})[0] == timedelta(days=30)
    assert refused("minutes", 43201) == (
        "43201 is longer than 30 days (43200 minutes), the longest time limit contactsync "
        "accepts"
    )
    assert "(720 hours)" in refused("hours", "721")
    assert "30 days" in refused("duration", "P31D")


def test_an_absurd_limit_is_refused_without_showing_its_digits() -> None:
    reason = refused("minutes", "99999999999")
    assert reason.startswith("the value is longer than 30 days (43200 minutes)")
    assert "9999" not in reason


@pytest.mark.parametrize(
    "cell",
    ["1e30", 1e30, "99999999999999999999", "P99999999999D", "P999999999W", "1e999999",
     "99999999999999999999分钟"],
)
def test_limits_beyond_any_duration_are_refused_not_raised(cell: Any) -> None:
    for convert in ("minutes", "hours", "duration"):
        assert "is longer than 30 days" in refused(convert, cell)


def test_a_hugely_negative_limit_is_refused_as_not_positive() -> None:
    assert refused("minutes", "-1e30") == "'-1e30' is negative: a time limit must be positive"


@pytest.mark.parametrize("cell", [float("inf"), float("nan")])
def test_infinite_and_nan_numbers_are_refused(cell: float) -> None:
    assert "is not a number of minutes" in refused("minutes", cell)


def test_a_json_limit_is_held_to_the_same_longest() -> None:
    assert "is longer than 30 days" in refused("json", '"P31D"')
    assert read(limit_om("json"), RT, {"limit": '"P30D"'})[0] == timedelta(days=30)


@pytest.mark.parametrize("convert", ["minutes", "hours", "duration"])
def test_a_limit_beyond_the_longest_is_not_written(convert: str) -> None:
    om = limit_om(convert)
    assert to_vendor(om, emergency(response_time_limit=LONGEST_TIME_LIMIT))["limit"]
    with pytest.raises(UnmappableValue, match=r"longer than 30 days.*would not read back"):
        to_vendor(om, emergency(response_time_limit=timedelta(days=31)))

"""Review due dates: calendar months, month-end clipping, business time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactsync.review import add_months, next_review_due

SHANGHAI = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("reviewed", "months", "due"),
    [
        (datetime(2026, 11, 30, 12, tzinfo=SHANGHAI), 3, date(2027, 2, 28)),
        (datetime(2027, 11, 30, 12, tzinfo=SHANGHAI), 3, date(2028, 2, 29)),
        (datetime(2026, 1, 31, 9, tzinfo=SHANGHAI), 1, date(2026, 2, 28)),
        (datetime(2026, 3, 15, 9, tzinfo=SHANGHAI), 12, date(2027, 3, 15)),
        (datetime(2026, 8, 31, 9, tzinfo=SHANGHAI), 6, date(2027, 2, 28)),
    ],
)
def test_calendar_months_with_month_end_clipping(
    reviewed: datetime, months: int, due: date
) -> None:
    assert next_review_due(reviewed, months, "Asia/Shanghai") == due


def test_date_is_taken_in_the_business_time_zone() -> None:
    # 2026-11-30 17:00 UTC is already 2026-12-01 in Shanghai.
    reviewed = datetime(2026, 11, 30, 17, tzinfo=UTC)
    assert next_review_due(reviewed, 3, "Asia/Shanghai") == date(2027, 3, 1)
    assert next_review_due(reviewed, 3, "UTC") == date(2027, 2, 28)


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_review_due(datetime(2026, 1, 1), 3)


def test_interval_below_one_month_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        next_review_due(datetime(2026, 1, 1, tzinfo=UTC), 0)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2900, 1, 1)), st.integers(1, 48))
def test_add_months_lands_in_the_right_month_and_never_later_day(day: date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    if result.day < day.day:  # clipped: it must be the month's last day
        assert (result + timedelta(days=1)).month != result.month

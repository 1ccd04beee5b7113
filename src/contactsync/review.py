"""Review due dates (DESIGN invariant 3).

A review interval is counted in calendar months with month-end clipping, on the date the
review happened in the business time zone: reviewed 2026-11-30 in Shanghai with a
3-month interval is due 2027-02-28 (2028-02-29 in a leap year).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clipped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def next_review_due(
    last_reviewed_at: datetime, interval_months: int = 3, tz: str = "Asia/Shanghai"
) -> date:
    """The date the next review is due.

    Args:
        last_reviewed_at: when the contact was last reviewed; must be timezone-aware.
        interval_months: the review interval in calendar months.
        tz: the business time zone in which the review's date is taken.

    Raises:
        ValueError: for a naive datetime or an interval below one month.
    """
    if last_reviewed_at.tzinfo is None or last_reviewed_at.utcoffset() is None:
        raise ValueError("last_reviewed_at must be timezone-aware")
    if interval_months < 1:
        raise ValueError("interval_months must be at least 1")
    local_day = last_reviewed_at.astimezone(ZoneInfo(tz)).date()
    return add_months(local_day, interval_months)


@dataclass(frozen=True)
class ReviewDue:
    """An emergency contact whose review is due (``due`` on or before ``as_of``).

    ``due`` is ``None`` for a contact that was never reviewed (always overdue).
    """

    customer: str
    key: str
    name: str
    due: date | None
    last_reviewed_at: datetime | None
    reviewed_by: str | None

    @property
    def sort_key(self) -> tuple[date, str, str]:
        return (self.due or date.min, self.customer, self.key)

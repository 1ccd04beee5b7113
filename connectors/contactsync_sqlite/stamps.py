"""``modified_at`` stamps: UTC, fixed width, so that text order is time order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware (injected in tests)."""

_FORMAT = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_stamp(moment: datetime) -> str:
    """``2024-05-01T08:00:00.000000+00:00``: always microseconds, always UTC.

    ``datetime.isoformat`` drops a zero microsecond part, and then ``...:00+00:00`` sorts
    after ``...:00.5+00:00``; the fixed width keeps ``ORDER BY modified_at`` right.
    A naive datetime is taken as UTC.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(_FORMAT)


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text)

"""``pull_start``: where a pull starts (resume, full read or changes), before any stamp format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from contactsync.connector import (
    Cursor,
    PullChanges,
    PullFull,
    PullResume,
    PullStart,
    pull_start,
)

MARK = datetime(2024, 5, 1, 8, 0, 0, 250000, tzinfo=UTC)
LOOKBACK = timedelta(seconds=5)


def test_no_cursor_is_a_full_read() -> None:
    assert pull_start(None, LOOKBACK) == PullFull()


@pytest.mark.parametrize("cursor", [Cursor(), Cursor(last_id="003A"), Cursor(page_state="")])
def test_a_cursor_without_a_watermark_is_a_full_read(cursor: Cursor) -> None:
    assert pull_start(cursor, LOOKBACK) == PullFull()


def test_a_page_state_resumes_whatever_else_the_cursor_holds() -> None:
    assert pull_start(Cursor(page_state='{"v": 1}'), LOOKBACK) == PullResume('{"v": 1}')
    with_mark = Cursor(watermark=MARK, last_id="003A", page_state="state")
    assert pull_start(with_mark, timedelta(0)) == PullResume("state")


def test_a_watermark_with_a_lookback_reads_changes_from_watermark_minus_lookback() -> None:
    start = pull_start(Cursor(watermark=MARK, last_id="003A"), LOOKBACK)
    assert start == PullChanges(
        watermark=MARK, last_id="003A", lower=MARK - LOOKBACK, strictly_after=False
    )
    assert start.mark == (MARK, "003A")


@pytest.mark.parametrize("lookback", [timedelta(0), timedelta(seconds=-1)])
def test_without_a_positive_lookback_the_pull_starts_strictly_after_the_mark(
    lookback: timedelta,
) -> None:
    start = pull_start(Cursor(watermark=MARK, last_id="003A"), lookback)
    assert isinstance(start, PullChanges)
    assert start.strictly_after
    assert start.mark == (MARK, "003A")
    assert start.lower == MARK - lookback  # a time-only filter reads from here


def test_a_watermark_without_a_last_id_marks_an_empty_id() -> None:
    start = pull_start(Cursor(watermark=MARK), LOOKBACK)
    assert isinstance(start, PullChanges)
    assert start.last_id == ""
    assert start.mark == (MARK, "")


def test_the_watermark_is_passed_on_unconverted() -> None:
    """Each connector writes stamps its own way (and decides what a naive one means)."""
    shanghai = datetime(2024, 5, 1, 16, 0, tzinfo=timezone(timedelta(hours=8)))
    naive = datetime(2024, 5, 1, 8, 0)
    for watermark in (shanghai, naive):
        start = pull_start(Cursor(watermark=watermark, last_id="7"), LOOKBACK)
        assert isinstance(start, PullChanges)
        assert start.watermark is watermark
        assert start.lower.tzinfo is watermark.tzinfo
        assert start.lower == watermark - LOOKBACK


def test_the_starts_are_frozen_values() -> None:
    start: PullStart = pull_start(Cursor(watermark=MARK, last_id="003A"), LOOKBACK)
    assert isinstance(start, PullChanges)
    with pytest.raises(AttributeError):
        start.lower = MARK  # type: ignore[misc]
    assert hash(start) == hash(pull_start(Cursor(watermark=MARK, last_id="003A"), LOOKBACK))

"""Incremental pulls: the compound cursor, its lookback, resuming, and the delete feed."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from connector_helpers import FakeClock, archive, create, hub, records, update

from contactsync.connector import Cursor, PullPage, VendorRecord
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync_sqlite.stamps import format_stamp

KIND = Kind.BUSINESS


def seed(connector: Any, keys: list[str], **values: Any) -> None:
    results = list(connector.push(KIND, [create(k, {"name": k, **values}) for k in keys]))
    assert all(r.ok for r in results)


def ids(pages: list[PullPage]) -> list[str]:
    return [r.record_id for r in records(pages)]


def final_cursor(pages: list[PullPage]) -> Cursor:
    assert pages[-1].last and all(not p.last for p in pages[:-1])
    return pages[-1].cursor


def test_records_sharing_a_stamp_across_page_boundaries(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock, page_size=2)
    keys = ["k1", "k2", "k3", "k4", "k5"]
    seed(connector, keys)  # one batch: one modified_at for all five

    pages = list(connector.pull(KIND))
    assert [len(p.records) for p in pages] == [2, 2, 1]
    assert ids(pages) == keys  # none skipped, none repeated
    assert {r.modified_at for r in records(pages)} == {clock.now}
    assert [p.cursor.page_state is not None for p in pages] == [True, True, False]
    assert [p.complete for p in pages] == [False, False, True]
    cursor = final_cursor(pages)
    assert (cursor.watermark, cursor.last_id) == (clock.now, "k5")

    # The next pull reads the lookback window again: the same five, once each by id.
    again = list(connector.pull(KIND, cursor))
    assert ids(again) == keys and not again[-1].complete


def test_lookback_catches_a_write_that_committed_late(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock, lookback_seconds=5)
    seed(connector, ["a1", "a2"])
    clock.advance(60)
    seed(connector, ["b1"])
    cursor = final_cursor(list(connector.pull(KIND)))
    assert cursor.watermark == clock.now

    # A writer stamped its row 2 s before our watermark but committed after our pull.
    late = format_stamp(clock.now - timedelta(seconds=2))
    with sqlite3.connect(tmp_path / "hub.db") as connection:
        connection.execute(
            "INSERT INTO business_contacts (record_id, contactsync_key, name, modified_at) "
            "VALUES ('late', 'late', 'late', ?)",
            [late],
        )
    clock.advance(60)
    seed(connector, ["c1"])

    pages = list(connector.pull(KIND, cursor))
    assert ids(pages) == ["late", "b1", "c1"]  # a1/a2 are older than the lookback window
    assert final_cursor(pages).watermark == clock.now


def test_without_lookback_the_cursor_is_strictly_compound(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock, lookback_seconds=0, page_size=2)
    seed(connector, ["k1", "k2", "k3"])
    first = list(connector.pull(KIND))
    middle = Cursor(watermark=clock.now, last_id="k2")
    assert ids(list(connector.pull(KIND, middle))) == ["k3"]
    assert ids(list(connector.pull(KIND, final_cursor(first)))) == []
    clock.advance(1)
    seed(connector, ["k0"])
    assert ids(list(connector.pull(KIND, final_cursor(first)))) == ["k0"]


def test_an_interrupted_full_pull_resumes_exactly(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock, page_size=3)
    for batch in (["a", "b"], ["c", "d", "e"], ["f", "g"]):
        seed(connector, batch)
        clock.advance(1)

    stream = connector.pull(KIND)
    first = next(stream)
    stream.close()  # the process stopped after one page
    assert [r.record_id for r in first.records] == ["a", "b", "c"]
    assert first.cursor.page_state is not None

    stored = Cursor.from_json(first.cursor.to_json())  # as the state store keeps it
    resumed_connector = hub(tmp_path, clock, page_size=3)
    rest = list(resumed_connector.pull(KIND, stored))
    assert ids(rest) == ["d", "e", "f", "g"]
    assert rest[-1].complete  # with the first page, every live record was enumerated
    assert final_cursor(rest).last_id == "g"


def test_an_interrupted_incremental_pull_resumes_with_its_window(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock, page_size=2)
    seed(connector, ["old"])
    cursor = final_cursor(list(connector.pull(KIND)))
    clock.advance(600)
    seed(connector, ["n1", "n2", "n3"])
    list(connector.push(KIND, [archive("old")]))

    first = next(iter(connector.pull(KIND, cursor)))
    rest = list(connector.pull(KIND, first.cursor))
    pulled = [*first.records, *records(rest)]
    assert [r.record_id for r in pulled] == ["n1", "n2", "n3", "old"]
    assert [r.deleted for r in pulled] == [False, False, False, True]
    assert not rest[-1].complete


def test_a_page_state_from_elsewhere_is_refused(tmp_path: Path) -> None:
    connector = hub(tmp_path, FakeClock(), page_size=1)
    seed(connector, ["k1", "k2"])
    state = next(iter(connector.pull(KIND))).cursor
    with pytest.raises(ConfigError, match="belongs to table 'business_contacts'"):
        list(connector.pull(Kind.EMERGENCY, state))
    with pytest.raises(ConfigError, match="not a sqlite page state"):
        list(connector.pull(KIND, Cursor(page_state='{"v": 99}')))


def test_archived_rows_come_back_as_deletions(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock)
    seed(connector, ["k1", "k2", "k3"], phone="1")
    cursor = final_cursor(list(connector.pull(KIND)))
    clock.advance(60)
    list(connector.push(KIND, [archive("k2")]))

    pages = list(connector.pull(KIND, cursor))
    deleted = [r for r in records(pages) if r.deleted]
    assert [r.record_id for r in deleted] == ["k2"]
    assert deleted[0].values["phone"] == "1" and deleted[0].modified_at == clock.now
    assert not pages[-1].complete

    full = list(connector.pull(KIND))
    assert ids(full) == ["k1", "k3"] and full[-1].complete


def test_unchanged_writes_leave_the_cursor_alone(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock)
    seed(connector, ["a1", "a2"], phone="1")
    clock.advance(60)
    seed(connector, ["b1"], phone="2")
    cursor = final_cursor(list(connector.pull(KIND)))
    before = {r.record_id: r.modified_at for r in records(connector.pull(KIND))}

    clock.advance(600)
    again = [create(k, {"name": k, "phone": "1"}) for k in ("a1", "a2")]
    again.append(update("b1", {"phone": "2"}))
    results = list(connector.push(KIND, again))
    assert all(r.ok for r in results)

    after = {r.record_id: r.modified_at for r in records(connector.pull(KIND))}
    assert after == before
    pages = list(connector.pull(KIND, cursor))
    assert ids(pages) == ["b1"]  # only the lookback window, nothing "changed"
    assert final_cursor(pages) == cursor

    clock.advance(60)
    list(connector.push(KIND, [update("a1", {"phone": 1})]))  # int 1 is not text "1"
    assert ids(list(connector.pull(KIND, cursor))) == ["b1", "a1"]


def test_stamps_never_go_backwards_when_the_clock_does(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock)
    seed(connector, ["k1"])
    first = clock.now
    clock.advance(-3600)
    seed(connector, ["k2"])
    got: dict[str, VendorRecord] = {r.record_id: r for r in records(connector.pull(KIND))}
    assert got["k2"].modified_at == first + timedelta(microseconds=1)
    cursor = Cursor(watermark=first, last_id="k1")
    assert "k2" in ids(list(connector.pull(KIND, cursor)))


def test_an_empty_incremental_pull_keeps_its_cursor(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock, lookback_seconds=0)
    empty = list(connector.pull(KIND))
    assert len(empty) == 1 and empty[0].complete and empty[0].cursor == Cursor()
    seed(connector, ["k1"])
    cursor = final_cursor(list(connector.pull(KIND)))
    pages = list(connector.pull(KIND, cursor))
    assert pages == [PullPage(records=[], cursor=cursor, last=True, complete=False)]

"""Pull: ``data/list`` with ``limit`` and the ``data_id`` cursor, incremental by an inclusive
``updateTime`` range from the watermark minus the lookback, the ``dataModifyTime`` skip, a
form changed between pages, resuming, and the field shapes read."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from jiandaoyun_helpers import (
    FakeTime,
    create,
    emergency_values,
    keys,
    make_connector,
    records,
)

from contactsync.connector import Cursor
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.testing.emulator import RunningEmulator
from contactsync_jiandaoyun import JiandaoyunConnector
from contactsync_jiandaoyun.emulator import EMERGENCY_ENTRY, JiandaoyunEmulator

LIST = "/api/v5/app/entry/data/list"


def seed(connector: JiandaoyunConnector, count: int, start: int = 0) -> None:
    ops = [create(f"k{i:03d}", emergency_values(i)) for i in range(start, start + count)]
    assert all(r.ok for r in connector.push(Kind.EMERGENCY, ops))


def list_bodies(server: RunningEmulator, entry: str = EMERGENCY_ENTRY) -> list[dict[str, object]]:
    bodies = [json.loads(r.body) for r in server.requests if r.path == LIST]
    return [b for b in bodies if b["entry_id"] == entry and "fields" not in b]


def test_a_full_pull_pages_by_data_id_with_limit_100_and_ends_complete(
    connector: JiandaoyunConnector, server: RunningEmulator
) -> None:
    seed(connector, 100)
    seed(connector, 50, start=100)
    pages = list(connector.pull(Kind.EMERGENCY))
    assert [len(p.records) for p in pages] == [100, 50]
    assert [(p.last, p.complete) for p in pages] == [(False, False), (True, True)]
    assert keys(pages) == [f"k{i:03d}" for i in range(150)]
    bodies = list_bodies(server)
    assert [b.get("limit") for b in bodies] == [100, 100]
    assert "data_id" not in bodies[0] and "filter" not in bodies[0]
    assert bodies[1]["data_id"] == pages[0].records[-1].record_id


def test_a_full_page_at_the_end_is_followed_by_an_empty_last_page(
    server: RunningEmulator, fake_time: FakeTime
) -> None:
    connector = make_connector(f"{server.url}/api", fake_time, page_size=2)
    seed(connector, 4)
    pages = list(connector.pull(Kind.EMERGENCY))
    assert [len(p.records) for p in pages] == [2, 2, 0]
    assert pages[-1].complete and not pages[1].last


def test_an_incremental_pull_filters_updatetime_from_the_watermark_minus_the_lookback(
    connector: JiandaoyunConnector, server: RunningEmulator, emulator: JiandaoyunEmulator
) -> None:
    seed(connector, 3)
    cursor = list(connector.pull(Kind.EMERGENCY))[-1].cursor
    assert cursor.watermark == emulator.data_modify_time(EMERGENCY_ENTRY)
    seed(connector, 1, start=10)
    pages = list(connector.pull(Kind.EMERGENCY, Cursor.from_json(cursor.to_json())))
    body = list_bodies(server)[-1]
    assert cursor.watermark is not None
    lower = cursor.watermark - timedelta(seconds=5)
    assert body["filter"] == {
        "rel": "and",
        "cond": [{
            "field": "updateTime", "type": "datetime", "method": "range",
            "value": [f"{lower:%Y-%m-%dT%H:%M:%S}.000Z", None],
        }],
    }  # fmt: skip
    # The boundary rows (stamped at the watermark) are read again; the core de-duplicates.
    assert keys(pages) == ["k000", "k001", "k002", "k010"]
    assert pages[-1].last and not pages[-1].complete
    assert pages[-1].cursor.watermark is not None and pages[-1].cursor.watermark > cursor.watermark


def test_an_unchanged_form_is_skipped_without_reading_data(
    connector: JiandaoyunConnector, server: RunningEmulator
) -> None:
    seed(connector, 3)
    cursor = list(connector.pull(Kind.EMERGENCY))[-1].cursor
    before = len(list_bodies(server))
    pages = list(connector.pull(Kind.EMERGENCY, cursor))
    assert len(list_bodies(server)) == before  # widget/list only
    assert [(len(p.records), p.last, p.complete) for p in pages] == [(0, True, False)]
    assert pages[0].cursor == cursor


def test_a_late_commit_stamped_before_the_watermark_is_still_read(
    connector: JiandaoyunConnector, emulator: JiandaoyunEmulator
) -> None:
    seed(connector, 2)
    cursor = list(connector.pull(Kind.EMERGENCY))[-1].cursor
    assert cursor.watermark is not None
    [late] = list(connector.push(Kind.EMERGENCY, [create("late", emergency_values(9))]))
    assert late.record_id is not None
    emulator.restamp(EMERGENCY_ENTRY, late.record_id, cursor.watermark - timedelta(seconds=3))
    assert "late" in keys(list(connector.pull(Kind.EMERGENCY, cursor)))


def test_a_form_changed_between_pages_loses_nothing(
    server: RunningEmulator, fake_time: FakeTime, emulator: JiandaoyunEmulator
) -> None:
    # No lookback: only the watermark (dataModifyTime at the start) keeps the change.
    connector = make_connector(f"{server.url}/api", fake_time, page_size=2, lookback_seconds=0)
    seed(connector, 6)
    first_pull = connector.pull(Kind.EMERGENCY)
    first = next(first_pull)
    passed, ahead = first.records[0], emulator.live(EMERGENCY_ENTRY)[4]
    # Between pages: a row already read changes, a row ahead is deleted, one is created.
    changed = [create("k000", emergency_values(0, role="董事长"))]
    assert all(r.ok for r in connector.push(Kind.EMERGENCY, changed))
    emulator.store.delete(EMERGENCY_ENTRY, ahead.id)
    seed(connector, 1, start=50)
    rest = list(first_pull)
    pulled = [first, *rest]
    assert keys(pulled) == ["k000", "k001", "k002", "k003", "k005", "k050"]  # no repeat
    assert pulled[-1].complete
    # The row changed behind the pull comes with the next incremental pull.
    again = list(connector.pull(Kind.EMERGENCY, pulled[-1].cursor))
    fresh = {r.values["contactsync_key"]: r for r in records(again)}
    assert fresh["k000"].record_id == passed.record_id
    assert fresh["k000"].values["role"] == "董事长"


def test_a_pull_resumed_from_its_page_state_goes_on_after_the_last_row(
    server: RunningEmulator, fake_time: FakeTime
) -> None:
    connector = make_connector(f"{server.url}/api", fake_time, page_size=2)
    seed(connector, 5)
    first = next(iter(connector.pull(Kind.EMERGENCY)))
    assert first.cursor.page_state is not None and not first.last
    fresh = make_connector(f"{server.url}/api", fake_time, page_size=2)
    rest = list(fresh.pull(Kind.EMERGENCY, Cursor.from_json(first.cursor.to_json())))
    assert keys([first]) + keys(rest) == [f"k{i:03d}" for i in range(5)]
    assert rest[-1].complete


def test_a_page_state_of_another_form_is_refused(
    connector: JiandaoyunConnector, server: RunningEmulator, fake_time: FakeTime
) -> None:
    small = make_connector(f"{server.url}/api", fake_time, page_size=1)
    seed(connector, 3)
    state = next(iter(small.pull(Kind.EMERGENCY))).cursor
    with pytest.raises(ConfigError, match="belongs to form"):
        list(connector.pull(Kind.BUSINESS, state))


def test_fields_read_as_plain_values_and_unknown_fields_are_ignored(
    connector: JiandaoyunConnector, emulator: JiandaoyunEmulator
) -> None:
    values = emergency_values(
        1, name="张示例", responsibility="负责“应急”联络；24小时值守", mobile="+8613800138999"
    )
    assert all(r.ok for r in connector.push(Kind.EMERGENCY, [create("cn", values)]))
    [record] = records(list(connector.pull(Kind.EMERGENCY)))
    shown = emulator.render(emulator.forms[EMERGENCY_ENTRY], emulator.live(EMERGENCY_ENTRY)[0])
    assert shown["phone"] == {"verified": False, "phone": "13800138001"}
    assert "creator" in shown and "creator" not in record.values  # not mapped: ignored
    assert record.values["phone"] == "13800138001"
    assert record.values["mobile"] == "13800138999"
    assert record.values["name"] == "张示例"
    assert record.values["responsibility"] == "负责“应急”联络；24小时值守"
    assert record.values["customer"] == "C001"  # the link, read as the customer's key
    assert record.values["preferred_channels"] == ["电话", "微信"]
    assert record.values["last_reviewed_at"] == "2026-01-02T09:30:00.000Z"
    assert record.modified_at is not None and record.values["updateTime"].endswith("Z")


def test_a_link_to_a_record_outside_the_customer_form_is_a_row_error(
    connector: JiandaoyunConnector, emulator: JiandaoyunEmulator
) -> None:
    assert all(r.ok for r in connector.push(Kind.EMERGENCY, [create("lost", emergency_values(2))]))
    record = emulator.live(EMERGENCY_ENTRY)[0]
    record.values["customer"] = "65a00000000000000d999999"
    pages = list(connector.pull(Kind.EMERGENCY))
    assert records(pages) == []
    [error] = [e for p in pages for e in p.errors]
    assert (error.record_id, error.field) == (record.id, "customer")
    assert "not in the customer form" in error.reason


def test_a_customer_link_without_the_customer_form_setting_is_refused(
    server: RunningEmulator, fake_time: FakeTime
) -> None:
    connector = make_connector(f"{server.url}/api", fake_time, customer_form=None)
    with pytest.raises(ConfigError, match="links to another form; set customer_form"):
        list(connector.pull(Kind.EMERGENCY))


def test_without_the_customer_form_a_text_customer_field_holds_the_key(
    server: RunningEmulator, fake_time: FakeTime, emulator: JiandaoyunEmulator
) -> None:
    form = emulator.forms[EMERGENCY_ENTRY]
    link = next(w for w in form.widgets if w.alias == "customer")
    form.widgets[form.widgets.index(link)] = type(link)(
        link.widget_id, "text", "客户编号", "customer"
    )
    connector = make_connector(f"{server.url}/api", fake_time, customer_form=None)
    assert all(r.ok for r in connector.push(Kind.EMERGENCY, [create("t", emergency_values(1))]))
    assert emulator.live(EMERGENCY_ENTRY)[0].values["customer"] == "C001"
    assert records(list(connector.pull(Kind.EMERGENCY)))[0].values["customer"] == "C001"

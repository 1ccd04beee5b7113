"""Push: ``batch_create`` (at most 100, with a ``transaction_id``), upsert by key,
``data/update`` of the given fields only (subform rows never dropped), ``batch_delete``,
per-record errors isolated, passing faults retried or reported as retryable."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jiandaoyun_helpers import FakeTime, create, emergency_values, make_connector

from contactsync.connector import WriteOp
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.testing.emulator import CommitThenDrop, RunningEmulator
from contactsync_jiandaoyun import JiandaoyunConnector
from contactsync_jiandaoyun.emulator import (
    EMERGENCY_ENTRY,
    JiandaoyunEmulator,
    WidgetDef,
    api_error,
)
from contactsync_jiandaoyun.writer import transaction_id

BATCH_CREATE = r".*/data/batch_create"


def bodies(server: RunningEmulator, endpoint: str) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in server.requests if r.path.endswith(endpoint)]


def ops(count: int, start: int = 0) -> list[WriteOp]:
    return [create(f"k{i:03d}", emergency_values(i)) for i in range(start, start + count)]


def test_creates_go_in_batch_create_calls_of_at_most_100_with_a_transaction_id(
    connector: JiandaoyunConnector, server: RunningEmulator, emulator: JiandaoyunEmulator
) -> None:
    results = list(connector.push(Kind.EMERGENCY, ops(150)))
    assert [r.ok for r in results] == [True] * 150
    assert len({r.record_id for r in results}) == 150
    sent = bodies(server, "/data/batch_create")
    assert [len(b["data_list"]) for b in sent] == [100, 50]
    assert [c.size for c in emulator.writes] == [100, 50]
    first = ops(150)[:100]
    assert sent[0]["transaction_id"] == transaction_id(connector.forms[Kind.EMERGENCY], first)
    row = sent[0]["data_list"][0]
    assert row["phone"] == {"value": {"phone": "13800138000"}}  # no verified, no +86
    assert row["last_reviewed_at"] == {"value": "2026-01-02T09:30:00.000Z"}
    assert row["preferred_channels"] == {"value": ["电话", "微信"]}
    assert row["priority"] == {"value": 1}
    assert "updateTime" not in row and "mobile" not in row  # system field; empty on create


def test_the_transaction_id_is_a_uuid_stable_across_retries_of_the_same_batch() -> None:
    from contactsync_jiandaoyun.settings import FormRef

    form = FormRef("65a0000000000000000a0001", EMERGENCY_ENTRY)
    batch = ops(3)
    assert transaction_id(form, batch) == transaction_id(form, list(reversed(batch)))
    assert transaction_id(form, batch) != transaction_id(form, batch[:2])
    assert len(transaction_id(form, batch)) == 36


def test_a_lost_batch_create_answer_is_retried_under_the_same_transaction_id(
    connector: JiandaoyunConnector, server: RunningEmulator, emulator: JiandaoyunEmulator
) -> None:
    server.faults.add(CommitThenDrop(hold=False), path=BATCH_CREATE)
    results = list(connector.push(Kind.EMERGENCY, ops(3)))
    assert [r.ok for r in results] == [True] * 3
    sent = bodies(server, "/data/batch_create")
    assert len(sent) == 2 and sent[0]["transaction_id"] == sent[1]["transaction_id"]
    assert sent[0]["data_list"] == sent[1]["data_list"]
    live = emulator.live(EMERGENCY_ENTRY)
    assert sorted(r.values["contactsync_key"] for r in live) == ["k000", "k001", "k002"]
    assert {r.record_id for r in results} == {r.id for r in live}


def test_sending_the_same_creates_again_updates_instead_of_duplicating(
    connector: JiandaoyunConnector, server: RunningEmulator, emulator: JiandaoyunEmulator
) -> None:
    first = list(connector.push(Kind.EMERGENCY, ops(2)))
    again = list(connector.push(Kind.EMERGENCY, ops(2)))
    assert [r.record_id for r in again] == [r.record_id for r in first]
    assert len(emulator.live(EMERGENCY_ENTRY)) == 2
    assert len(bodies(server, "/data/batch_create")) == 1
    assert len(bodies(server, "/data/update")) == 2


def test_an_update_sends_only_the_fields_given(
    connector: JiandaoyunConnector, server: RunningEmulator, emulator: JiandaoyunEmulator
) -> None:
    [made] = list(connector.push(Kind.EMERGENCY, ops(1)))
    update = WriteOp(
        "update",
        "k000",
        {"contactsync_key": "k000", "role": "董事长", "mobile": None},
        made.record_id,
        "update:k000",
    )
    [result] = list(connector.push(Kind.EMERGENCY, [update]))
    assert result.ok and result.record_id == made.record_id
    [body] = bodies(server, "/data/update")
    assert body["data_id"] == made.record_id
    assert body["data"] == {
        "contactsync_key": {"value": "k000"},
        "role": {"value": "董事长"},
        "mobile": {"value": {"phone": ""}},  # an emptied field is cleared
    }
    [record] = emulator.live(EMERGENCY_ENTRY)
    assert record.values["role"] == "董事长" and record.values["name"] == "测试甲"


def test_a_subform_update_keeps_the_rows_it_was_not_given(
    connector: JiandaoyunConnector, emulator: JiandaoyunEmulator
) -> None:
    form = emulator.forms[EMERGENCY_ENTRY]
    form.widgets.append(
        WidgetDef(
            "_widget_1700000009001",
            "subform",
            "值班表",
            "duty",
            (WidgetDef("_widget_1700000009002", "text", "值班人", "who"),),
        )
    )
    [made] = list(connector.push(Kind.EMERGENCY, ops(1)))
    record = emulator.live(EMERGENCY_ENTRY)[0]
    record.values["duty"] = [
        {"_id": "65a000000000000005000901", "who": "测试乙"},
        {"_id": "65a000000000000005000902", "who": "测试丙"},
    ]
    connector.schema(Kind.EMERGENCY, fresh=True)
    rows = [{"_id": "65a000000000000005000902", "who": "测试丁"}, {"who": "样例戊"}]
    update = WriteOp("update", "k000", {"duty": rows}, made.record_id, "update:k000")
    [result] = list(connector.push(Kind.EMERGENCY, [update]))
    assert result.ok
    duty = emulator.live(EMERGENCY_ENTRY)[0].values["duty"]
    assert [(row["_id"], row["who"]) for row in duty[:1]] == [
        ("65a000000000000005000902", "测试丁")
    ]
    assert duty[1]["who"] == "样例戊" and duty[1]["_id"].startswith("65a0000000000000050000")
    assert ("65a000000000000005000901", "测试乙") in [(r["_id"], r["who"]) for r in duty]


def test_archives_go_in_batch_delete_calls_and_a_missing_record_is_already_archived(
    connector: JiandaoyunConnector, server: RunningEmulator, emulator: JiandaoyunEmulator
) -> None:
    made = list(connector.push(Kind.EMERGENCY, ops(3)))
    archives = [WriteOp("archive", r.key, {}, r.record_id, f"archive:{r.key}") for r in made]
    archives.append(WriteOp("archive", "never", {}, None, "archive:never"))
    results = list(connector.push(Kind.EMERGENCY, archives))
    assert [r.ok for r in results] == [True] * 4
    [body] = bodies(server, "/data/batch_delete")
    assert body["data_ids"] == [r.record_id for r in made]
    assert emulator.live(EMERGENCY_ENTRY) == []
    again = list(connector.push(Kind.EMERGENCY, archives[:1]))  # sent twice: still ok
    assert again[0].ok


def test_a_refused_record_is_isolated_and_the_rest_written(
    connector: JiandaoyunConnector, emulator: JiandaoyunEmulator
) -> None:
    emulator.reject("k002", "17025", "数据校验失败")
    results = list(connector.push(Kind.EMERGENCY, ops(5)))
    by_key = {r.key: r for r in results}
    assert [k for k, r in by_key.items() if not r.ok] == ["k002"]
    error = by_key["k002"].error
    assert error is not None and error.code == "17025"
    assert error.message == "jiandaoyun error 17025 on app/entry/data/batch_create: 数据校验失败"
    assert len(emulator.live(EMERGENCY_ENTRY)) == 4


def test_a_customer_not_in_the_customer_form_fails_that_record_only(
    connector: JiandaoyunConnector,
) -> None:
    batch = [*ops(1), create("stray", emergency_values(5, customer="C999"))]
    first, stray = list(connector.push(Kind.EMERGENCY, batch))
    assert first.ok and not stray.ok and stray.error is not None
    assert stray.error.code == "CUSTOMER_NOT_FOUND" and stray.error.fields == ("customer",)
    assert "'C999' is not in the customer form" in stray.error.message


def test_an_8303_burst_in_the_middle_of_a_push_is_waited_out(
    connector: JiandaoyunConnector, server: RunningEmulator, fake_time: FakeTime
) -> None:
    server.faults.add(api_error(8303), api_error(8303), path=BATCH_CREATE)
    results = list(connector.push(Kind.EMERGENCY, ops(3)))
    assert all(r.ok for r in results)
    assert len(fake_time.slept) == 2 and min(fake_time.slept) >= 1.0


def test_a_fault_that_outlasts_the_retries_stops_the_push_with_retryable_results(
    server: RunningEmulator, fake_time: FakeTime, emulator: JiandaoyunEmulator
) -> None:
    connector = make_connector(f"{server.url}/api", fake_time, max_attempts=2)
    list(connector.push(Kind.EMERGENCY, ops(1)))
    server.faults.add(api_error(8304), api_error(8304), path=BATCH_CREATE)
    update = WriteOp("update", "k000", {"role": "董事长"}, None, "update:k000")
    results = list(connector.push(Kind.EMERGENCY, [update, *ops(2, start=1)]))
    assert results[0].ok  # sent before the fault
    assert [r.ok for r in results[1:]] == [False, False]
    assert all(r.error and r.error.retryable and r.error.code == "8304" for r in results[1:])
    assert len(emulator.live(EMERGENCY_ENTRY)) == 1


def test_a_field_the_form_lacks_is_a_configuration_error(
    server: RunningEmulator, fake_time: FakeTime
) -> None:
    connector = make_connector(
        f"{server.url}/api",
        fake_time,
        mapping_overrides={"emergency": {"fields": {"role": "角色"}}},
    )
    with pytest.raises(ConfigError, match="has no field '角色'"):
        list(connector.push(Kind.EMERGENCY, [create("k", emergency_values(1, 角色="总经理"))]))

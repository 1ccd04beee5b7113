"""The emulator against the published examples (``shared/fixtures/real/cn/jiandaoyun``):
the real requests are sent to it as they are, and its answers must have the real answers'
keys, value types, status codes and error bodies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from jiandaoyun_helpers import real_sample

from contactsync.testing.emulator import RunningEmulator, serve
from contactsync.testing.shapes import shape_differences
from contactsync_jiandaoyun.emulator import (
    TEST_API_KEY,
    FormDef,
    JiandaoyunEmulator,
    WidgetDef,
    api_error,
)

DOC_APP = "fa4e000000000000000a0001"
DOC_ENTRY = "fa4e000000000000000e0001"
SUBFORM_APP = "fa4e000000000000000a0002"
SUBFORM_ENTRY = "fa4e000000000000000e0002"
OBJECT_ID = re.compile(r"[0-9a-f]{24}")
UTC_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")

# The example form's fields and their types, from the create and get examples.
DOC_WIDGETS = [
    ("_widget_1432728651402", "text"), ("_widget_1432728651403", "number"),
    ("_widget_1432728651404", "textarea"), ("_widget_1432728651405", "radiogroup"),
    ("_widget_1432728651406", "checkboxgroup"), ("_widget_1432728651407", "datetime"),
    ("_widget_1432728651408", "image"), ("_widget_1432728651412", "address"),
    ("_widget_1432728651413", "location"), ("_widget_1652345009097", "phone"),
    ("_widget_1652345009126", "user"), ("_widget_1652345009143", "usergroup"),
    ("_widget_1652345009157", "dept"), ("_widget_1652345009174", "deptgroup"),
    ("_widget_1432728652567", "upload"), ("_widget_1432728651528", "richtext"),
    ("_widget_1725969783950", "linkdata"),
]  # fmt: skip
SUBFORM = WidgetDef(
    "_widget_1528854613291", "subform", "子表单",
    items=tuple(
        WidgetDef(f"_widget_{n}", kind)
        for n, kind in [(1528854614409, "text"), (1528854615499, "number"),
                        (1528854614410, "text"), (1528854615419, "number")]
    ),
)  # fmt: skip
# Fields of the get example and the created field of the same type shown beside them.
SAME_TYPE = {
    "_widget_1432728651409": "_widget_1432728651408",  # image list
    "_widget_1432728651410": "_widget_1432728652567",  # upload list
    "_widget_1432728651414": "_widget_1652345009126",  # member
    "_widget_1432728651415": "_widget_1652345009143",  # members
    "_widget_1432728651416": "_widget_1652345009157",  # department
    "_widget_1432728651417": "_widget_1652345009174",  # departments
}
NOT_WRITABLE = {
    "_widget_1432728651411",  # a signature: cannot be written through the API
    "_widget_1432728651408",  # shown as a link in the get example, an image in create
}


def doc_form() -> FormDef:
    widgets = [WidgetDef(name, kind) for name, kind in DOC_WIDGETS] + [SUBFORM]
    return FormDef(DOC_APP, DOC_ENTRY, "示例表单", widgets, wechat=True)


def subform_form() -> FormDef:
    rows = WidgetDef(
        "_widget_1615777739673", "subform", items=(WidgetDef("_widget_1615777739744", "text"),)
    )
    widgets = [
        WidgetDef("_widget_1615777739654", "text"),
        WidgetDef("_widget_1725969783950", "linkdata"),
        rows,
    ]
    return FormDef(SUBFORM_APP, SUBFORM_ENTRY, "子表单示例", widgets)


def widget_form() -> FormDef:
    listed = real_sample("v5_widget_list_response.json")["widgets"]
    widgets = [
        WidgetDef(
            w["widgetName"],
            w["type"],
            w["label"],
            None if w["name"] == w["widgetName"] else w["name"],
        )
        for w in listed
    ]
    return FormDef(
        DOC_APP, "fa4e000000000000000e0009", "字段示例", widgets, flow=True, wechat=True, ext=True
    )


@pytest.fixture
def doc_server() -> Iterator[tuple[JiandaoyunEmulator, RunningEmulator]]:
    app = JiandaoyunEmulator([doc_form(), subform_form(), widget_form()])
    with serve(app) as server:
        yield app, server


def post(
    server: RunningEmulator, endpoint: str, body: Any, key: str = TEST_API_KEY
) -> requests.Response:
    return requests.post(
        f"{server.url}/api/v5/app/entry/{endpoint}",
        json=body,
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )


def test_the_create_example_is_taken_and_data_get_answers_like_the_get_example(
    doc_server: tuple[JiandaoyunEmulator, RunningEmulator],
) -> None:
    _, server = doc_server
    created = post(server, "data/create", real_sample("v5_data_create_request.json"))
    assert created.status_code == 200, created.text
    record_id = created.json()["data"]["_id"]
    got = post(server, "data/get", {"app_id": DOC_APP, "entry_id": DOC_ENTRY, "data_id": record_id})
    assert got.status_code == 200
    mine, real = got.json()["data"], real_sample("v5_data_get_response.json")["data"]
    assert set(got.json()) == {"data"}
    for key, value in real.items():
        if key in NOT_WRITABLE:
            continue
        ours = mine.get(SAME_TYPE.get(key, key))
        assert ours is not None, f"no {key} in the emulator's answer"
        assert shape_differences(ours, value, path=key) == []
    assert OBJECT_ID.fullmatch(mine["_id"])
    assert UTC_MS.fullmatch(mine["createTime"]) and UTC_MS.fullmatch(mine["updateTime"])
    assert mine["_widget_1432728651402"] == "简道云"
    assert mine["_widget_1652345009097"] == {"verified": False, "phone": "13800000000"}
    assert mine["_widget_1432728651407"] == real["_widget_1432728651407"]


def test_the_batch_create_example_gets_the_example_answer(
    doc_server: tuple[JiandaoyunEmulator, RunningEmulator],
) -> None:
    app, server = doc_server
    exchange = real_sample("v5_batch_create_exchange.json")
    answer = post(server, "data/batch_create", exchange["request"])
    assert answer.status_code == 200
    assert shape_differences(answer.json(), exchange["response"]) == []
    assert answer.json()["success_count"] == exchange["response"]["success_count"] == 3
    assert all(OBJECT_ID.fullmatch(i) for i in answer.json()["success_ids"])
    again = post(server, "data/batch_create", exchange["request"])  # same transaction_id
    assert again.json()["success_count"] == 3 and again.json()["success_ids"] == []
    assert len(app.live(DOC_ENTRY)) == 3


def test_the_subform_update_example_replaces_the_subform_whole(
    doc_server: tuple[JiandaoyunEmulator, RunningEmulator],
) -> None:
    app, server = doc_server
    record = app.store.insert(SUBFORM_ENTRY, {"_widget_1615777739673": [
        {"_id": "fa4e00000000000000000501", "_widget_1615777739744": "旧乙"},
        {"_id": "fa4e00000000000000000502", "_widget_1615777739744": "旧丙"},
        {"_id": "fa4e00000000000000000503", "_widget_1615777739744": "旧丁"},
    ]})  # fmt: skip
    request = real_sample("v5_data_update_subform_request.json")
    request["data_id"] = record.id
    answer = post(server, "data/update", request)
    assert answer.status_code == 200, answer.text
    rows = answer.json()["data"]["_widget_1615777739673"]
    assert [row["_widget_1615777739744"] for row in rows] == ["测试甲", "测试乙", "测试丙"]
    assert [row["_id"] for row in rows[1:]] == [
        "fa4e00000000000000000501",
        "fa4e00000000000000000502",
    ]
    assert OBJECT_ID.fullmatch(rows[0]["_id"])  # a row without _id gets a new one
    assert "fa4e00000000000000000503" not in {row["_id"] for row in rows}  # omitted: deleted


def test_widget_list_answers_like_the_example(
    doc_server: tuple[JiandaoyunEmulator, RunningEmulator],
) -> None:
    _, server = doc_server
    real = real_sample("v5_widget_list_response.json")
    answer = post(
        server, "widget/list", {"app_id": DOC_APP, "entry_id": "fa4e000000000000000e0009"}
    )
    mine = answer.json()
    assert answer.status_code == 200
    assert mine["widgets"] == real["widgets"]
    assert mine["sysWidgets"] == real["sysWidgets"]
    assert shape_differences(mine, real) == []
    assert UTC_MS.fullmatch(mine["dataModifyTime"])


def test_the_8303_error_is_the_examples_body_with_http_400(
    doc_server: tuple[JiandaoyunEmulator, RunningEmulator],
) -> None:
    _, server = doc_server
    server.faults.add(api_error(8303))
    answer = post(server, "widget/list", {"app_id": DOC_APP, "entry_id": DOC_ENTRY})
    assert answer.status_code == 400
    assert answer.json() == real_sample("v5_error_8303_rate_limit.json")


@pytest.mark.parametrize(
    ("endpoint", "body", "code"),
    [
        ("data/list", {"limit": 101}, 1),
        ("data/batch_create", {"data_list": [{}] * 101}, 17024),
        (
            "data/create",
            {"data": {"_widget_1652345009097": {"value": {"phone": "1", "verified": True}}}},
            1,
        ),
        ("data/create", {"data": {"_widget_1432728651407": {"value": "2018-01-01 10:10:10"}}}, 1),
        ("data/create", {"data": {"_widget_1432728651402": "简道云"}}, 1),
    ],
    ids=["limit", "batch-too-large", "phone-verified", "local-time", "unwrapped"],
)
def test_errors_are_http_400_with_code_and_msg(
    doc_server: tuple[JiandaoyunEmulator, RunningEmulator],
    endpoint: str,
    body: dict[str, Any],
    code: int,
) -> None:
    _, server = doc_server
    answer = post(server, endpoint, {"app_id": DOC_APP, "entry_id": DOC_ENTRY, **body})
    assert answer.status_code == 400
    assert set(answer.json()) == {"code", "msg"} and answer.json()["code"] == code


def test_a_crm_template_form_answers_30002(
    doc_server: tuple[JiandaoyunEmulator, RunningEmulator],
) -> None:
    app, server = doc_server
    app.forms[DOC_ENTRY].template = True
    answer = post(server, "data/list", {"app_id": DOC_APP, "entry_id": DOC_ENTRY})
    assert (answer.status_code, answer.json()["code"]) == (400, 30002)


def test_a_wrong_key_is_refused(doc_server: tuple[JiandaoyunEmulator, RunningEmulator]) -> None:
    _, server = doc_server
    answer = post(server, "widget/list", {"app_id": DOC_APP, "entry_id": DOC_ENTRY}, key="nope")
    assert answer.status_code == 401

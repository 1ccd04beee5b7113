"""Field shapes, one value at a time: what is read from each field type and what is
written to it; and a mapping that names fields by ``_widget_`` id instead of alias."""

from __future__ import annotations

import pytest
from jiandaoyun_helpers import FakeTime, create, emergency_values, make_connector, records

from contactsync.errors import ConfigError
from contactsync.mapping import load_mapping
from contactsync.models import Kind
from contactsync.testing.emulator import RunningEmulator
from contactsync_jiandaoyun.emulator import EMERGENCY_ENTRY, JiandaoyunEmulator
from contactsync_jiandaoyun.forms import FormSchema, Widget, format_time, parse_time
from contactsync_jiandaoyun.settings import FormRef
from contactsync_jiandaoyun.shapes import (
    Shaper,
    Unwritable,
    national_phone,
    read_value,
    write_value,
)


def widget(kind: str, name: str = "f", items: tuple[Widget, ...] = ()) -> Widget:
    return Widget(name, f"_widget_{name}", name, kind, items)


@pytest.mark.parametrize(
    ("kind", "raw", "plain"),
    [
        ("phone", {"verified": True, "phone": "13800138000"}, "13800138000"),
        ("phone", {"verified": False, "phone": ""}, None),
        ("linkdata", {"id": "65a00000000000000d000001"}, "65a00000000000000d000001"),
        ("user", {"name": "测试甲", "username": "fake_user_01"}, "fake_user_01"),
        (
            "usergroup",
            [{"username": "fake_user_01"}, {"username": "fake_user_02"}],
            ["fake_user_01", "fake_user_02"],
        ),
        ("dept", {"name": "经理部", "dept_no": 1}, 1),
        ("deptgroup", [{"dept_no": 1}, {"dept_no": 3}], [1, 3]),
        ("datetime", "2018-01-01T10:10:10.000Z", "2018-01-01T10:10:10.000Z"),
        ("checkboxgroup", ["选项一", "选项二"], ["选项一", "选项二"]),
        ("text", "简道云", "简道云"),
    ],
)
def test_read_shapes(kind: str, raw: object, plain: object) -> None:
    assert read_value(widget(kind), raw) == plain


@pytest.mark.parametrize(
    ("kind", "value", "written"),
    [
        ("phone", "+8613800138000", {"phone": "13800138000"}),
        ("phone", "+85291234567", {"phone": "+85291234567"}),
        ("datetime", "2026-01-01T09:30:00+08:00", "2026-01-01T01:30:00.000Z"),
        ("datetime", "2026-01-01T01:30:00Z", "2026-01-01T01:30:00.000Z"),
        ("number", "30", 30),
        ("number", 1.5, 1.5),
        ("checkboxgroup", "电话、微信", ["电话", "微信"]),
        ("checkboxgroup", ["电话"], ["电话"]),
        ("text", 3.0, "3"),
        ("radiogroup", "是", "是"),
    ],
)
def test_write_shapes(kind: str, value: object, written: object) -> None:
    assert write_value(widget(kind), value) == written


def test_a_list_is_split_on_the_mappings_own_separator() -> None:
    assert write_value(widget("combocheck"), "a|b", "|") == ["a", "b"]


@pytest.mark.parametrize(
    ("kind", "value"), [("number", "thirty"), ("number", True), ("datetime", "soon")]
)
def test_a_value_a_field_cannot_take_fails_the_record(kind: str, value: object) -> None:
    with pytest.raises(Unwritable):
        write_value(widget(kind), value)


def test_national_phone_keeps_what_is_not_a_mainland_mobile() -> None:
    assert national_phone("+86 138-0013-8000") == "13800138000"
    assert national_phone("+861065529988") == "+861065529988"
    assert national_phone("010-65529988 ext 12") == "010-65529988 ext 12"


def test_times_are_written_in_utc_with_milliseconds_and_z() -> None:
    parsed = parse_time("2021-09-08T03:40:26.586Z")
    assert parsed is not None and format_time(parsed) == "2021-09-08T03:40:26.586Z"
    assert parse_time("") is None and parse_time("not a time") is None


def test_system_fields_are_never_written_and_read_only_fields_refused() -> None:
    mapping = load_mapping(
        "jiandaoyun",
        objects={Kind.EMERGENCY: EMERGENCY_ENTRY, Kind.BUSINESS: "65a0000000000000000e0002"},
    )
    form = FormSchema(
        FormRef("65a0000000000000000a0001", EMERGENCY_ENTRY),
        {"name": widget("text", "name"), "photo": widget("image", "photo")},
        (),
    )
    shaper = Shaper(form, mapping.for_kind(Kind.EMERGENCY))
    assert shaper.write({"name": "测试甲", "updateTime": "x", "_id": "y"}, clear_empty=False) == {
        "name": {"value": "测试甲"}
    }
    with pytest.raises(ConfigError, match="image field, which the API cannot write"):
        shaper.write({"photo": ["k"]}, clear_empty=False)


def test_fields_may_be_named_by_widget_id(
    server: RunningEmulator, fake_time: FakeTime, emulator: JiandaoyunEmulator
) -> None:
    form = emulator.forms[EMERGENCY_ENTRY]
    role = next(w for w in form.widgets if w.alias == "role")
    form.widgets[form.widgets.index(role)] = type(role)(role.widget_id, role.type, role.label)
    connector = make_connector(
        f"{server.url}/api",
        fake_time,
        mapping_overrides={"emergency": {"fields": {"role": role.widget_id}}},
    )
    values = emergency_values(1)
    values[role.widget_id] = values.pop("role")
    assert all(r.ok for r in connector.push(Kind.EMERGENCY, [create("w", values)]))
    [record] = records(list(connector.pull(Kind.EMERGENCY)))
    assert record.values[role.widget_id] == "总经理"
    schema = connector.describe()[Kind.EMERGENCY]
    assert schema.fields[role.widget_id].type == "text"
    assert schema.fields["contactsync_key"].external_id
    assert schema.fields["customer"].reference_to == (
        "65a0000000000000000a0001/65a0000000000000000e0003",
    )

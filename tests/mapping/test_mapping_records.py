"""Whole records: to_canonical, to_vendor, classify and mapping_for_row, incl. legacy mixed
objects and the refusal to write one kind into the other's object."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mapping_helpers import PHONE, business, emergency, kind_table, mapping_data, system

from contactsync.errors import ConfigError, InvariantViolation, RecordLocation, RecordRejected
from contactsync.mapping import (
    FieldProblem,
    ObjectMapping,
    classify,
    load_mapping,
    mapping_for_row,
    to_canonical,
    to_vendor,
)
from contactsync.models import Kind, build_contact

E, B = Kind.EMERGENCY, Kind.BUSINESS
WHERE = RecordLocation("legacy", "contacts.csv", "row:7")


def csv_om(kind: Kind) -> ObjectMapping:
    return load_mapping("csv").for_kind(kind)


def legacy() -> ObjectMapping:
    mixed = {"type_field": "类型", "emergency_values": ["emergency", "紧急联系人"]}
    return system(mapping_data(business=kind_table(B, mixed=mixed))).objects[B]


def test_a_spreadsheet_row_reads_into_canonical_values() -> None:
    row = {
        "contactsync_key": " k-9 ", "customer": 10086.0, "name": " 王芳 ", "phone": 13800138000,
        "mobile": "010-12345678 / 139 0013 9000", "role": "法务总监", "priority": "1",
        "decision_authority": "是", "response_minutes": "30分钟",
        "contactable_hours": "mon-fri 09:00-18:00", "preferred_channels": "phone，wechat",
        "emergency_only": "", "last_reviewed_at": "2024-05-01 09:30", "email": None,
    }
    canonical, problems = to_canonical(csv_om(E), row)
    assert problems == []
    assert canonical["key"] == "k-9"
    assert canonical["customer"] == "10086"
    assert canonical["name"] == "王芳"
    assert canonical["phones"] == [13800138000, "010-12345678", "139 0013 9000"]
    assert canonical["priority"] == 1
    assert canonical["decision_authority"] is True
    assert canonical["response_time_limit"] == timedelta(minutes=30)
    assert canonical["last_reviewed_at"] == datetime(2024, 5, 1, 1, 30, tzinfo=UTC)
    assert canonical["preferred_channels"] == ["phone", "wechat"]
    assert "email" not in canonical and "emergency_only" not in canonical


def test_a_bad_value_never_aborts_the_record() -> None:
    row = {"customer": "C1", "name": "王芳", "phone": "13800138000", "role": "CEO",
           "response_minutes": "soon", "priority": "first", "email": "w@example.com"}
    canonical, problems = to_canonical(csv_om(E), row)
    assert canonical["email"] == "w@example.com"
    assert {p.field for p in problems} == {"response_time_limit", "priority"}
    limit = next(p for p in problems if p.field == "response_time_limit")
    assert limit == FieldProblem("response_time_limit", "response_minutes", "soon", limit.reason)
    assert "'soon' is not a number of minutes" in str(limit)
    # the required field left out is then named by validation
    with pytest.raises(RecordRejected) as caught:
        build_contact("emergency", {**canonical, "phones": (PHONE,)}, WHERE)
    assert caught.value.field == "response_time_limit"


def test_key_comes_from_the_key_field() -> None:
    canonical, _ = to_canonical(csv_om(B), {"contactsync_key": 42})
    assert canonical == {"key": "42"}
    assert to_canonical(csv_om(B), {"contactsync_key": "  "})[0] == {}


def test_to_vendor_writes_every_mapped_field_and_the_key() -> None:
    om = csv_om(B)
    record = to_vendor(om, business(tags=("vip",)))
    assert set(record) == set(om.vendor_fields)
    assert record["contactsync_key"] == "b-1"
    assert record["tags"] == "vip"
    assert record["project"] is None
    assert record["contact_type"] == "business"


def test_to_vendor_refuses_the_other_kind() -> None:
    with pytest.raises(InvariantViolation, match="stored separately"):
        to_vendor(csv_om(B), emergency())
    with pytest.raises(InvariantViolation):
        to_vendor(csv_om(E), business())
    with pytest.raises(InvariantViolation):
        to_vendor(csv_om(E), business(), fields=csv_om(B).fields)


# --------------------------------------------------------------------------- mixed objects


@pytest.mark.parametrize(
    ("marker", "kind"),
    [("emergency", E), (" Emergency ", E), ("ＥＭＥＲＧＥＮＣＹ", E), ("紧急联系人", E),
     ("business", B), ("", B), (None, B), ("紧急", B)],
)
def test_classify_tells_legacy_rows_apart(marker: Any, kind: Kind) -> None:
    assert classify(legacy(), {"类型": marker}) is kind


def test_classify_of_an_unmixed_object_is_its_kind() -> None:
    assert classify(csv_om(B), {"类型": "emergency"}) is B
    assert classify(csv_om(E), {}) is E


def test_mapping_for_row() -> None:
    om = legacy()
    assert om.mixed is not None
    assert mapping_for_row(om, B) is om.fields
    assert mapping_for_row(om, E) is om.mixed.fields
    with pytest.raises(ConfigError, match="holds no emergency rows"):
        mapping_for_row(csv_om(B), E)
    with pytest.raises(ConfigError, match="holds no business rows"):
        mapping_for_row(csv_om(E), B)


def test_a_mixed_emergency_row_reads_with_the_emergency_fields() -> None:
    om = legacy()
    row = {"key": "e-1", "类型": "紧急联系人", "customer": "C1", "name": "赵六",
           "phone": "13800138000", "role": "董事长", "response_minutes": 20,
           "title": "ignored", "department": "ignored"}
    kind = classify(om, row)
    canonical, problems = to_canonical(om, row, kind=kind)
    assert problems == []
    assert canonical["role"] == "董事长"
    assert "title" not in canonical
    contact = build_contact(kind.value, {**canonical, "phones": (PHONE,)}, WHERE)
    assert contact.kind == "emergency"


def test_a_mixed_emergency_row_renders_with_its_type_marker() -> None:
    om = legacy()
    assert om.mixed is not None
    contact = emergency(response_time_limit=timedelta(minutes=20))
    record = to_vendor(om, contact, fields=om.mixed.fields)
    assert record["类型"] == "emergency"
    assert classify(om, record) is E
    back, problems = to_canonical(om, record, kind=E)
    assert problems == []
    assert back["response_time_limit"] == timedelta(minutes=20)
    with pytest.raises(InvariantViolation):
        to_vendor(om, contact)  # only explicitly, never by default


def test_written_phones_normalise_back_to_the_same_numbers() -> None:
    from contactsync.models import Phone
    from contactsync.normalize import normalize_phone

    phones = (
        normalize_phone("138 0013 8000", "CN"),
        normalize_phone("010-1234 5678 转 88", "CN"),
        normalize_phone("8888", "CN"),  # no area code: kept raw
        normalize_phone("+1 650 253 0000", "CN"),
    )
    om = csv_om(E)
    canonical, _ = to_canonical(om, to_vendor(om, emergency(phones=phones)))
    back = [p if isinstance(p, Phone) else normalize_phone(p, "CN") for p in canonical["phones"]]
    assert [p.compare_key for p in back] == [p.compare_key for p in phones]
    assert phones[1].extension == back[1].extension == "88"

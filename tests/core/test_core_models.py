"""The canonical models: required fields per kind, the two kinds kept apart, UTC datetimes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from contactsync.errors import RecordLocation, RecordRejected
from contactsync.models import (
    CONTACT_ADAPTER,
    BusinessContact,
    Channel,
    CustomerRef,
    EmergencyContact,
    Phone,
    Provenance,
    TimeWindow,
    build_contact,
    json_datetime,
)

SHANGHAI = timezone(timedelta(hours=8))
WHERE = RecordLocation("crm", "Emergency_Contact__c", "a01000000000001")
PHONE = {"raw": "138 0013 8000", "e164": "+8613800138000", "kind": "mobile"}

SHARED: dict[str, Any] = {"customer": "C001", "name": "张某一", "phones": [PHONE]}
EMERGENCY: dict[str, Any] = {
    **SHARED,
    "role": "总经理",
    "response_time_limit": timedelta(minutes=30),
}
BUSINESS: dict[str, Any] = {**SHARED, "title": "采购经理", "department": "采购部"}


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    """Failing field (dotted) to error type."""
    return {".".join(map(str, e["loc"])): e["type"] for e in exc.value.errors()}


# ---------------------------------------------------------------------------------------
# required fields
# ---------------------------------------------------------------------------------------


def test_the_minimal_emergency_contact_validates() -> None:
    contact = EmergencyContact.model_validate(EMERGENCY)
    assert contact.kind == "emergency"
    assert contact.role == "总经理"
    assert contact.phones[0].e164 == "+8613800138000"


def test_the_minimal_business_contact_validates() -> None:
    contact = BusinessContact.model_validate(BUSINESS)
    assert contact.kind == "business"
    assert (contact.title, contact.department) == ("采购经理", "采购部")


@pytest.mark.parametrize("field", ["customer", "name", "phones", "role", "response_time_limit"])
def test_an_emergency_contact_requires(field: str) -> None:
    values = {k: v for k, v in EMERGENCY.items() if k != field}
    with pytest.raises(ValidationError) as exc:
        EmergencyContact.model_validate(values)
    assert _errors(exc) == {field: "missing"}


@pytest.mark.parametrize("field", ["customer", "name", "phones", "title", "department"])
def test_a_business_contact_requires(field: str) -> None:
    values = {k: v for k, v in BUSINESS.items() if k != field}
    with pytest.raises(ValidationError) as exc:
        BusinessContact.model_validate(values)
    assert _errors(exc) == {field: "missing"}


@pytest.mark.parametrize("model", [EmergencyContact, BusinessContact])
def test_at_least_one_phone_is_required(model: type[EmergencyContact | BusinessContact]) -> None:
    values = {**(EMERGENCY if model is EmergencyContact else BUSINESS), "phones": []}
    with pytest.raises(ValidationError) as exc:
        model.model_validate(values)
    assert _errors(exc) == {"phones": "too_short"}


@pytest.mark.parametrize(
    ("base", "field"),
    [
        (EMERGENCY, "customer"),
        (EMERGENCY, "name"),
        (EMERGENCY, "role"),
        (BUSINESS, "title"),
        (BUSINESS, "department"),
    ],
)
@pytest.mark.parametrize("blank", ["", "   ", "\u3000"])
def test_blank_text_does_not_count_as_a_required_field(
    base: dict[str, Any], field: str, blank: str
) -> None:
    model = EmergencyContact if base is EMERGENCY else BusinessContact
    with pytest.raises(ValidationError) as exc:
        model.model_validate({**base, field: blank})
    assert list(_errors(exc)) == [field]


def test_the_response_time_limit_must_be_positive() -> None:
    for limit in (timedelta(0), timedelta(minutes=-5)):
        with pytest.raises(ValidationError, match="must be positive"):
            EmergencyContact.model_validate({**EMERGENCY, "response_time_limit": limit})


@pytest.mark.parametrize("priority", [0, 4, -1])
def test_priority_runs_from_one_to_three(priority: int) -> None:
    with pytest.raises(ValidationError) as exc:
        EmergencyContact.model_validate({**EMERGENCY, "priority": priority})
    assert list(_errors(exc)) == ["priority"]
    for ok in (1, 2, 3):
        assert EmergencyContact.model_validate({**EMERGENCY, "priority": ok}).priority == ok


@pytest.mark.parametrize("field", ["priority", "review_interval_months"])
def test_true_is_not_read_as_the_number_one(field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        EmergencyContact.model_validate({**EMERGENCY, field: True})
    assert list(_errors(exc)) == [field]


@pytest.mark.parametrize("months", [0, 25])
def test_the_review_interval_is_bounded(months: int) -> None:
    with pytest.raises(ValidationError):
        EmergencyContact.model_validate({**EMERGENCY, "review_interval_months": months})


def test_the_country_is_an_upper_cased_alpha2_code() -> None:
    assert BusinessContact.model_validate({**BUSINESS, "country": "cn"}).country == "CN"
    assert CustomerRef(key="91310000MA1FL0000X", country="us").country == "US"
    for bad in ("CHN", "12", "C", "中国"):
        with pytest.raises(ValidationError, match="alpha-2"):
            BusinessContact.model_validate({**BUSINESS, "country": bad})


def test_a_customer_ref_needs_a_key() -> None:
    for key in ("", "  "):
        with pytest.raises(ValidationError):
            CustomerRef(key=key)
    ref = CustomerRef(key="C001", account_ids={"salesforce": "001000000000001"})
    assert ref.account_ids == {"salesforce": "001000000000001"}


# ---------------------------------------------------------------------------------------
# extra="forbid", frozen
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [EmergencyContact, BusinessContact, Phone, TimeWindow, CustomerRef, Provenance],
)
def test_unknown_keys_are_refused(model: type[Any]) -> None:
    samples: dict[type[Any], dict[str, Any]] = {
        EmergencyContact: EMERGENCY,
        BusinessContact: BUSINESS,
        Phone: PHONE,
        TimeWindow: {"start": "09:00", "end": "18:00"},
        CustomerRef: {"key": "C001"},
        Provenance: {"system": "crm", "object": "Contact", "record_id": "1"},
    }
    with pytest.raises(ValidationError) as exc:
        model.model_validate({**samples[model], "nickname": "老张"})
    assert _errors(exc) == {"nickname": "extra_forbidden"}


def test_contacts_are_frozen() -> None:
    contact = EmergencyContact.model_validate(EMERGENCY)
    with pytest.raises(ValidationError):
        contact.role = "董事长"  # type: ignore[misc]  # the point: assignment is refused


# ---------------------------------------------------------------------------------------
# the two kinds never validate as each other
# ---------------------------------------------------------------------------------------


def test_a_business_contact_never_validates_as_an_emergency_contact() -> None:
    with pytest.raises(ValidationError) as exc:
        EmergencyContact.model_validate(BUSINESS)
    problems = _errors(exc)
    assert problems["title"] == problems["department"] == "extra_forbidden"
    assert problems["role"] == problems["response_time_limit"] == "missing"


def test_an_emergency_contact_never_validates_as_a_business_contact() -> None:
    with pytest.raises(ValidationError) as exc:
        BusinessContact.model_validate(EMERGENCY)
    problems = _errors(exc)
    assert problems["role"] == problems["response_time_limit"] == "extra_forbidden"
    assert problems["title"] == problems["department"] == "missing"


def test_a_contact_dumped_from_one_kind_is_refused_by_the_other() -> None:
    business = BusinessContact.model_validate(BUSINESS).model_dump()
    emergency = EmergencyContact.model_validate(EMERGENCY).model_dump()
    with pytest.raises(ValidationError):
        EmergencyContact.model_validate(business)
    with pytest.raises(ValidationError):
        BusinessContact.model_validate(emergency)
    with pytest.raises(ValidationError):
        EmergencyContact.model_validate(BusinessContact.model_validate(BUSINESS))


@pytest.mark.parametrize(
    ("values", "claimed"),
    [(BUSINESS, "emergency"), (EMERGENCY, "business")],
)
def test_the_union_refuses_a_contact_claiming_the_other_kind(
    values: dict[str, Any], claimed: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        CONTACT_ADAPTER.validate_python({**values, "kind": claimed})
    # Every error is about the claimed kind's model: the union never tries the other one.
    assert {str(e["loc"][0]) for e in exc.value.errors()} == {claimed}


def test_the_union_picks_the_model_by_kind() -> None:
    emergency = CONTACT_ADAPTER.validate_python({**EMERGENCY, "kind": "emergency"})
    business = CONTACT_ADAPTER.validate_python({**BUSINESS, "kind": "business"})
    assert type(emergency) is EmergencyContact
    assert type(business) is BusinessContact


def test_the_union_needs_a_known_kind() -> None:
    with pytest.raises(ValidationError) as exc:
        CONTACT_ADAPTER.validate_python(BUSINESS)
    assert exc.value.errors()[0]["type"] == "union_tag_not_found"
    with pytest.raises(ValidationError) as exc:
        CONTACT_ADAPTER.validate_python({**BUSINESS, "kind": "Business"})
    assert exc.value.errors()[0]["type"] == "union_tag_invalid"


def test_a_model_refuses_the_other_kinds_literal() -> None:
    with pytest.raises(ValidationError) as exc:
        EmergencyContact.model_validate({**EMERGENCY, "kind": "business"})
    assert _errors(exc) == {"kind": "literal_error"}


def test_json_round_trip_through_the_union_keeps_the_kind() -> None:
    for contact in (
        EmergencyContact.model_validate(EMERGENCY),
        BusinessContact.model_validate(BUSINESS),
    ):
        again = CONTACT_ADAPTER.validate_json(contact.model_dump_json())
        assert again == contact
        assert type(again) is type(contact)


# ---------------------------------------------------------------------------------------
# datetimes
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["updated_at", "last_reviewed_at"])
@pytest.mark.parametrize(
    "naive", [datetime(2026, 5, 1, 9, 30), "2026-05-01T09:30:00", date(2026, 5, 1)]
)
def test_a_naive_datetime_is_refused(field: str, naive: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        EmergencyContact.model_validate({**EMERGENCY, field: naive})
    assert _errors(exc) == {field: "timezone_aware"}


def test_the_refusal_of_a_naive_datetime_says_how_to_fix_it() -> None:
    with pytest.raises(RecordRejected) as exc:
        build_contact("emergency", {**EMERGENCY, "updated_at": datetime(2026, 5, 1)}, WHERE)
    assert exc.value.field == "updated_at"
    assert "no time zone" in exc.value.reason
    assert "mapping" in exc.value.reason  # where the zone can be named


@pytest.mark.parametrize(
    "aware",
    [
        datetime(2026, 5, 1, 9, 30, tzinfo=SHANGHAI),
        "2026-05-01T09:30:00+08:00",
        "2026-05-01T01:30:00Z",
    ],
)
def test_an_aware_datetime_is_stored_in_utc(aware: Any) -> None:
    contact = EmergencyContact.model_validate(
        {**EMERGENCY, "updated_at": aware, "last_reviewed_at": aware}
    )
    expected = datetime(2026, 5, 1, 1, 30, tzinfo=UTC)
    for value in (contact.updated_at, contact.last_reviewed_at):
        assert value == expected
        assert value is not None and value.utcoffset() == timedelta(0)
        assert value.tzinfo is UTC
    assert contact.model_dump(mode="json")["updated_at"] == "2026-05-01T01:30:00Z"


def test_json_datetime_writes_utc() -> None:
    assert json_datetime(datetime(2026, 5, 1, 9, 30, tzinfo=SHANGHAI)) == "2026-05-01T01:30:00Z"
    with pytest.raises(ValidationError):
        json_datetime(datetime(2026, 5, 1, 9, 30))


# ---------------------------------------------------------------------------------------
# build_contact: errors name the record and the field
# ---------------------------------------------------------------------------------------


def test_build_contact_names_system_object_record_and_a_missing_field() -> None:
    values = {k: v for k, v in EMERGENCY.items() if k != "role"}
    with pytest.raises(RecordRejected) as exc:
        build_contact("emergency", values, WHERE)
    error = exc.value
    assert error.location == WHERE
    assert error.field == "role"
    assert error.code == "MISSING_FIELD"
    assert str(error) == (
        "crm/Emergency_Contact__c/a01000000000001 field 'role': required field is missing"
    )


def test_build_contact_names_a_nested_field() -> None:
    bad_phone = {"raw": "12345", "e164": None}  # no e164 and no problem
    with pytest.raises(RecordRejected) as exc:
        build_contact("business", {**BUSINESS, "phones": [PHONE, bad_phone]}, WHERE)
    assert exc.value.field == "phones.1"
    assert exc.value.code == "INVALID_FIELD"
    assert "problem" in exc.value.reason
    assert str(exc.value).startswith("crm/Emergency_Contact__c/a01000000000001 field 'phones.1'")


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"role": "  "}, "role", "must not be blank"),
        ({"nickname": "老张"}, "nickname", "not a field of this kind of contact"),
        ({"title": "采购经理"}, "title", "not a field of this kind of contact"),
        ({"priority": 7}, "priority", "Input should be less than or equal to 3"),
        ({"response_time_limit": timedelta(0)}, "response_time_limit", "must be positive"),
    ],
)
def test_build_contact_reasons_read_as_plain_words(
    change: dict[str, Any], field: str, reason: str
) -> None:
    with pytest.raises(RecordRejected) as exc:
        build_contact("emergency", {**EMERGENCY, **change}, WHERE)
    assert exc.value.field == field
    assert reason in exc.value.reason
    assert not exc.value.reason.startswith("Value error")
    assert exc.value.code == "INVALID_FIELD"


def test_build_contact_refuses_an_unknown_kind() -> None:
    with pytest.raises(RecordRejected) as exc:
        build_contact("vip", BUSINESS, WHERE)
    assert exc.value.field == "kind"
    assert "vip" in exc.value.reason


def test_build_contact_builds_the_kind_it_is_asked_for() -> None:
    assert type(build_contact("emergency", EMERGENCY, WHERE)) is EmergencyContact
    assert type(build_contact("business", BUSINESS, WHERE)) is BusinessContact
    # The kind comes from the object read, not from the values.
    with pytest.raises(RecordRejected):
        build_contact("emergency", BUSINESS, WHERE)


# ---------------------------------------------------------------------------------------
# Phone invariants
# ---------------------------------------------------------------------------------------


def test_a_phone_without_e164_must_say_why() -> None:
    for problem in (None, "", "  "):
        with pytest.raises(ValidationError, match="must say why"):
            Phone(raw="55123456", problem=problem)
    refused = Phone(raw="55123456", problem="local number with no area code")
    assert refused.e164 is None and refused.raw == "55123456"
    assert refused.match_key is None


@pytest.mark.parametrize(
    "e164",
    ["8613800138000", "+", "+0123456", "+86 138 0013 8000", "+86138x", "+8613800138000123456789"],
)
def test_e164_is_plus_and_the_digits_of_the_number(e164: str) -> None:
    with pytest.raises(ValidationError, match="e164"):
        Phone(raw="x", e164=e164)


def test_long_numbers_phonenumbers_accepts_are_kept() -> None:
    # Germany has valid national numbers past E.164's 15 digits; the normalizer keeps them.
    assert Phone(raw="x", e164="+49280000000000000").e164 == "+49280000000000000"


def test_e164_with_a_trailing_newline_is_refused() -> None:
    with pytest.raises(ValidationError):
        Phone(raw="x", e164="+8613800138000\n")


def test_a_phone_read_with_certainty_has_no_problem() -> None:
    with pytest.raises(ValidationError, match="no 'problem'"):
        Phone(raw="13800138000", e164="+8613800138000", problem="precision lost")


def test_an_extension_is_digits_only() -> None:
    for extension in ("转8001", "ext 12", "", "８００１"):
        with pytest.raises(ValidationError, match="extension"):
            Phone(raw="x", e164="+861062345678", extension=extension)
    phone = Phone(raw="010-62345678转8001", e164="+861062345678", extension="8001")
    assert phone.match_key == "+861062345678;ext=8001"


def test_the_raw_value_is_kept_exactly() -> None:
    raw = "０086 138-0013-8000\u200b"
    phone = Phone(raw=raw, e164="+8613800138000")
    assert phone.raw == raw
    assert Phone.model_validate(phone.model_dump(mode="json")) == phone


def test_phones_compare_by_number_not_by_formatting() -> None:
    one = Phone(raw="138 0013 8000", e164="+8613800138000")
    other = Phone(raw="+86-138-0013-8000", e164="+8613800138000")
    assert one.compare_key == other.compare_key
    assert Phone(raw="8 8 8", problem="short").compare_key == "raw:888"


# ---------------------------------------------------------------------------------------
# TimeWindow and channels
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["Asia", "America", "Mars/Olympus", "", "../etc/passwd"])
def test_a_time_window_refuses_an_unknown_zone(zone: str) -> None:
    # "Asia" is a folder of the zone database: ZoneInfo raises IsADirectoryError for it.
    with pytest.raises(ValidationError, match="unknown time zone"):
        TimeWindow(start="09:00", end="18:00", tz=zone)


def test_a_time_window_defaults_to_every_day_in_shanghai() -> None:
    window = TimeWindow(start="22:00", end="06:00")
    assert len(window.days) == 7
    assert window.tz == "Asia/Shanghai"
    with pytest.raises(ValidationError):
        TimeWindow.model_validate({"days": ["monday"], "start": "09:00", "end": "18:00"})


def test_preferred_channels_keep_their_order() -> None:
    contact = EmergencyContact.model_validate(
        {**EMERGENCY, "preferred_channels": ["wechat", "phone", "email"]}
    )
    assert contact.preferred_channels == (Channel.WECHAT, Channel.PHONE, Channel.EMAIL)
    with pytest.raises(ValidationError):
        EmergencyContact.model_validate({**EMERGENCY, "preferred_channels": ["fax"]})

"""canonical -> vendor -> canonical loses nothing, for both kinds, with the shipped mappings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactsync.errors import RecordLocation
from contactsync.mapping import ObjectMapping, load_mapping, to_canonical, to_vendor
from contactsync.mapping.converters import LIST_SEPARATORS, LONGEST_TIME_LIMIT, PHONE_JOINER
from contactsync.mapping.fields import canonical_fields
from contactsync.models import (
    ALL_DAYS,
    BusinessContact,
    Channel,
    ContactType,
    EmergencyContact,
    Kind,
    Phone,
    PhoneKind,
    TimeWindow,
    build_contact,
)

WHERE = RecordLocation("test", "object", "1")
SETTINGS = settings(max_examples=150, deadline=None)

# Text as a mapping keeps it: no outer whitespace (str strips it), never blank.
_chars = st.characters(
    categories=("L", "M", "N", "P", "S", "Zs"),
    include_characters="\u4e00\u5f20\u4e09\u00b7",
)
text = st.text(_chars, min_size=1, max_size=20).map(str.strip).filter(bool)
maybe_text = st.none() | text
tag = text.filter(lambda t: not any(sep in t for sep in LIST_SEPARATORS))
raw_phone = text.filter(lambda t: PHONE_JOINER not in t)
zones = st.sampled_from(["Asia/Shanghai", "UTC", "America/New_York", "Europe/Berlin"])
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")]),
)

phones = st.one_of(
    st.builds(
        Phone, raw=raw_phone, e164=st.from_regex(r"\+861[3-9][0-9]{9}", fullmatch=True),
        extension=st.none() | st.from_regex(r"[0-9]{1,5}", fullmatch=True),
        kind=st.sampled_from(PhoneKind), problem=st.none(),
    ),
    st.builds(
        Phone, raw=raw_phone, e164=st.none(), extension=st.none(),
        kind=st.sampled_from(PhoneKind), problem=st.just("not a valid number"),
    ),
)
windows = st.builds(
    TimeWindow,
    days=st.lists(st.sampled_from(ALL_DAYS), min_size=1, max_size=8).map(tuple),
    start=st.times(), end=st.times(), tz=zones,
)
common: dict[str, Any] = {
    "key": maybe_text, "customer": text, "name": text, "given_name": maybe_text,
    "family_name": maybe_text, "phones": st.lists(phones, min_size=1, max_size=4).map(tuple),
    "email": st.none() | st.emails(), "wechat_id": maybe_text,
    "country": st.none() | st.from_regex(r"[A-Z]{2}", fullmatch=True),
    "updated_at": st.none() | moments,
}
emergency_contacts = st.builds(
    EmergencyContact, **common,
    role=text, relationship=maybe_text, priority=st.none() | st.integers(1, 3),
    decision_authority=st.none() | st.booleans(),
    response_time_limit=st.timedeltas(timedelta(microseconds=1), LONGEST_TIME_LIMIT),
    contactable_hours=st.lists(windows, max_size=3).map(tuple), responsibility=maybe_text,
    emergency_only=st.booleans(),
    preferred_channels=st.lists(st.sampled_from(Channel), max_size=5).map(tuple),
    last_reviewed_at=st.none() | moments, reviewed_by=maybe_text,
    review_interval_months=st.integers(1, 24),
)
business_contacts = st.builds(
    BusinessContact, **common,
    title=text, department=text, contact_type=st.sampled_from(ContactType),
    project=maybe_text, business_line=maybe_text, owner=maybe_text,
    tags=st.lists(tag, max_size=5).map(tuple),
)


def as_csv_cells(record: dict[str, Any]) -> dict[str, Any]:
    """What a CSV file gives back: every cell as text, empty for None."""
    return {k: "" if v is None else str(v) for k, v in record.items()}


def written_phone(phone: Phone) -> str:
    if phone.e164 is None:
        return phone.raw
    return phone.e164 + (f" ext {phone.extension}" if phone.extension else "")


def round_trip(
    om: ObjectMapping, contact: EmergencyContact | BusinessContact, cells: bool
) -> tuple[dict[str, Any], EmergencyContact | BusinessContact]:
    record = to_vendor(om, contact)
    canonical, problems = to_canonical(om, as_csv_cells(record) if cells else record)
    assert problems == []
    return canonical, build_contact(contact.kind, {**canonical, "phones": contact.phones}, WHERE)


@pytest.fixture(scope="module")
def csv_mapping() -> Any:
    return load_mapping("csv", connector="csv")


@pytest.fixture(scope="module")
def sqlite_mapping() -> Any:
    return load_mapping("sqlite", connector="sqlite")


@pytest.mark.parametrize("name", ["csv", "sqlite"])
@pytest.mark.parametrize("kind", list(Kind))
def test_the_shipped_mappings_map_every_canonical_field(name: str, kind: Kind) -> None:
    om = load_mapping(name).for_kind(kind)
    assert set(om.fields) == set(canonical_fields(kind))


@SETTINGS
@given(contact=st.one_of(emergency_contacts, business_contacts), cells=st.booleans())
def test_csv_round_trip_loses_nothing(csv_mapping: Any, contact: Any, cells: bool) -> None:
    om = csv_mapping.for_kind(Kind(contact.kind))
    canonical, back = round_trip(om, contact, cells)
    # phones come back as the text written (E.164 plus extension, else the raw value),
    # for the normalizer to parse again; everything else comes back equal.
    assert canonical["phones"] == [written_phone(p) for p in contact.phones]
    assert back == contact


@SETTINGS
@given(contact=st.one_of(emergency_contacts, business_contacts))
def test_sqlite_round_trip_loses_nothing(sqlite_mapping: Any, contact: Any) -> None:
    om = sqlite_mapping.for_kind(Kind(contact.kind))
    canonical, back = round_trip(om, contact, cells=False)
    assert canonical["phones"] == list(contact.phones)  # structured phones survive whole
    assert back == contact

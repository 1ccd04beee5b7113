"""Free text in the canonical models: invisible characters dropped, whitespace folded,
control characters refused with an error naming the record and the field."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contactsync.errors import RecordLocation, RecordRejected
from contactsync.models import BusinessContact, CustomerRef, EmergencyContact, build_contact
from contactsync.models.text import clean_text
from contactsync.normalize import name_key
from contactsync.normalize.keys import remove_invisible

WHERE = RecordLocation("crm", "Emergency_Contact__c", "a01000000000001")
PHONE = {"raw": "138 0013 8000", "e164": "+8613800138000", "kind": "mobile"}
EMERGENCY: dict[str, Any] = {
    "customer": "C001",
    "name": "张某一",
    "phones": [PHONE],
    "role": "总经理",
    "response_time_limit": timedelta(minutes=30),
}
BUSINESS: dict[str, Any] = {
    "customer": "C001",
    "name": "李某二",
    "phones": [PHONE],
    "title": "采购经理",
    "department": "采购部",
}

# Every free-text field of each kind, with the way to set one value in it.
EMERGENCY_TEXT = ("name", "given_name", "family_name", "role", "relationship",
                  "responsibility", "reviewed_by")
BUSINESS_TEXT = ("name", "given_name", "family_name", "title", "department", "project",
                 "business_line", "owner")

CONTROLS = [chr(c) for c in (*range(0x00, 0x09), 0x0E, 0x1B, 0x1C, 0x1F, 0x7F, 0x85, 0x9F)]

relaxed = settings(deadline=None, max_examples=max(300, settings().max_examples))


def emergency(**changes: Any) -> EmergencyContact:
    return EmergencyContact.model_validate({**EMERGENCY, **changes})


def rejected(kind: str, values: dict[str, Any]) -> RecordRejected:
    with pytest.raises(RecordRejected) as caught:
        build_contact(kind, values, WHERE)
    return caught.value


# ---------------------------------------------------------------------------------------
# refused
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Li\x00Wei", "Wang\x1bLei", "Zhang\u0007", "Li\x7fWei",
                                  "Li\x85Wei", "张\x9f三", "Li\x1cWei"])
def test_a_control_character_in_a_name_is_refused_naming_record_and_field(name: str) -> None:
    error = rejected("emergency", {**EMERGENCY, "name": name})
    assert (error.field, error.code) == ("name", "INVALID_FIELD")
    assert error.location == WHERE
    assert "control character" in error.reason
    bad = next(ch for ch in name if unicodedata.category(ch) == "Cc")
    assert f"U+{ord(bad):04X}" in error.reason
    assert str(error).startswith("crm/Emergency_Contact__c/a01000000000001 field 'name': ")


def test_the_refusal_gives_the_position_and_never_the_value() -> None:
    error = rejected("emergency", {**EMERGENCY, "name": "Wang\x1bLei"})
    assert "U+001B, at position 5" in error.reason
    assert "Wang" not in str(error)
    assert "\x1b" not in str(error)


@pytest.mark.parametrize("field", EMERGENCY_TEXT)
@pytest.mark.parametrize("control", CONTROLS)
def test_every_emergency_text_field_refuses_control_characters(field: str, control: str) -> None:
    error = rejected("emergency", {**EMERGENCY, field: f"abc{control}def"})
    assert error.field == field


@pytest.mark.parametrize("field", BUSINESS_TEXT)
def test_every_business_text_field_refuses_control_characters(field: str) -> None:
    error = rejected("business", {**BUSINESS, field: "abc\x00def"})
    assert error.field == field


def test_a_tag_with_a_control_character_is_refused_naming_the_tag() -> None:
    error = rejected("business", {**BUSINESS, "tags": ["vip", "ke\x00y"]})
    assert error.field == "tags.1"


def test_a_customer_name_refuses_control_characters_too() -> None:
    with pytest.raises(ValidationError, match="control character"):
        CustomerRef(key="C001", name="某\x00公司")


@pytest.mark.parametrize("field", ["name", "role"])
def test_only_invisible_characters_is_as_good_as_blank(field: str) -> None:
    error = rejected("emergency", {**EMERGENCY, field: "\u200b\u200d\ufeff"})
    assert (error.field, error.reason) == (field, "must not be blank")


# ---------------------------------------------------------------------------------------
# cleaned
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Li\tWei", "Li Wei"),
        ("Li\nWei", "Li Wei"),
        ("Li\r\nWei\n", "Li Wei"),
        ("  Li \t\n  Wei  ", "Li Wei"),
        ("Li\u2028Wei", "Li Wei"),  # LINE SEPARATOR
        ("Li\u3000\u3000Wei", "Li Wei"),
        ("Li\u200bWei", "LiWei"),  # ZERO WIDTH SPACE
        ("\ufeff张三", "张三"),  # BOM from a UTF-8 export
        ("Li\u200e Wei\u200f", "Li Wei"),  # LRM, RLM
        ("王\u00ad五", "王五"),  # SOFT HYPHEN
        ("\u202e李四", "李四"),  # RIGHT-TO-LEFT OVERRIDE
        ("金\u3164민수", "金민수"),  # HANGUL FILLER
    ],
)
def test_names_are_cleaned(written: str, stored: str) -> None:
    assert emergency(name=written).name == stored


@pytest.mark.parametrize(
    "name",
    ["张三", "欧阳娜娜", "阿沛·阿旺晋美", "买买提・艾力", "O'Brien", "Jean-Luc Picard",
     "D’Angelo", "김민수", "Zoë Ångström", "J. R. R. Tolkien",
     "ﾔﾏﾀﾞ ﾀﾛｳ", "𠮷野家"],
)
def test_legitimate_names_are_kept_as_written(name: str) -> None:
    assert emergency(name=name).name == name
    assert BusinessContact.model_validate({**BUSINESS, "name": name}).name == name


@pytest.mark.parametrize(
    ("name", "kept"),
    [("山田\u3000太郎", "山田 太郎"), ("Jean\u00a0Dupont", "Jean Dupont"),
     ("ＡＢＣ\u3000Ｃｏｍｐａｎｙ", "ＡＢＣ Ｃｏｍｐａｎｙ")],
)
def test_any_space_between_words_is_an_ordinary_space(name: str, kept: str) -> None:
    # Vendors storing a name in parts join them with U+0020: any other space would not
    # come back as it went, and the name would be updated again on every run.
    assert emergency(name=name).name == kept


def test_other_text_fields_are_cleaned_the_same_way() -> None:
    contact = emergency(role="总\t经理\n", relationship="\u200b配偶", reviewed_by="Li\r\nWei",
                        responsibility="值班  联络", given_name="Wei\t", family_name=" Li")
    assert (contact.role, contact.relationship, contact.reviewed_by) == (
        "总 经理", "配偶", "Li Wei")
    assert (contact.responsibility, contact.given_name, contact.family_name) == (
        "值班 联络", "Wei", "Li")
    business = BusinessContact.model_validate({
        **BUSINESS, "title": "采购\n经理", "department": "\ufeff采购部", "project": "A\tB",
        "business_line": "x  y", "owner": "\u200bowner", "tags": ["v\tip", "\u200bkey"],
    })
    assert (business.title, business.department, business.project) == (
        "采购 经理", "采购部", "A B")
    assert (business.business_line, business.owner, business.tags) == (
        "x y", "owner", ("v ip", "key"))
    assert CustomerRef(key="C001", name="某某\n有限公司").name == "某某 有限公司"


def test_unset_optional_text_stays_unset() -> None:
    contact = emergency()
    assert contact.relationship is None and contact.reviewed_by is None


def test_a_cleaned_contact_validates_again_unchanged() -> None:
    contact = emergency(name=" Li\t\u200bWei ", role="总\n经理")
    again = EmergencyContact.model_validate(contact.model_dump())
    assert again == contact


# ---------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------

# Text weighted towards what breaks names: whitespace of every kind, format characters,
# fillers; and, in FORBIDDEN, the control characters a name may not hold.
FOLDED_OR_DROPPED = st.sampled_from(
    ["\t", "\n", "\v", "\f", "\r", " ", "\u00a0", "\u3000", "\u2028", "\u2029", "\u2003",
     "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u3164"]
)
FORBIDDEN = st.sampled_from(
    [chr(c) for c in (*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0))]
)
LETTERS = st.sampled_from(list("张三李四欧阳·・'-.LiWeiÅ김"))
CLEANISH = st.lists(st.one_of(FOLDED_OR_DROPPED, LETTERS, st.characters()), max_size=24).map(
    "".join
)
NAMES = st.one_of(
    CLEANISH,
    st.lists(st.one_of(FOLDED_OR_DROPPED, LETTERS, FORBIDDEN, st.characters()), max_size=24)
    .map("".join),
)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


def _forbidden(name: str) -> bool:
    """Whether ``name`` holds a control character that is not tab, LF, VT, FF or CR."""
    return any(_is_control(ch) and ch not in "\t\n\v\f\r" for ch in name)


@relaxed
@given(NAMES)
def test_an_accepted_name_holds_no_control_or_invisible_character(name: str) -> None:
    try:
        contact = emergency(name=name)
    except ValidationError as exc:
        (error,) = exc.errors()
        assert error["loc"] == ("name",)
        assert _forbidden(name) or not remove_invisible(name).strip()  # or blank
        return
    stored = contact.name
    assert stored
    assert not any(_is_control(ch) for ch in stored)
    assert not any(unicodedata.category(ch) == "Cf" for ch in stored)
    assert remove_invisible(stored) == stored  # nothing left that the keys would drop
    assert stored == stored.strip()
    assert "  " not in stored
    assert clean_text(stored) == stored  # cleaning is settled after once
    assert name_key(stored) == name_key(name)  # the match key is unchanged by cleaning


@relaxed
@given(NAMES)
def test_a_name_is_refused_exactly_when_it_holds_a_forbidden_control(name: str) -> None:
    try:
        clean_text(name)
    except ValueError as exc:
        assert _forbidden(name)
        assert "control character" in str(exc)
    else:
        assert not _forbidden(name)


@pytest.mark.parametrize(("typed", "key"), [("Ｃ００２", "C002"), (" C002\u3000", "C002"),
                                             ("c004", "c004")])
def test_customer_keys_are_compared_in_compatibility_form(typed: str, key: str) -> None:
    # Full-width digits would otherwise make a second customer, beside the cap.
    assert emergency(customer=typed).customer == key

"""What a reconcile holds per record, and that holding less changes nothing it computes.

A record keeps its contact and makes its values in JSON form from it when asked (held
only while its customer is merged and planned); equal repeated values are kept once; a
contact shares its set of field names with its equals; text that needs no clean-up is
kept as the very object read.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from contactsync.models import EmergencyContact, Kind, Phone, Provenance
from contactsync.models.build import share_fields_set
from contactsync.models.text import INVISIBLE_LETTERS, clean_text, forbidden_character
from contactsync.normalize.keys import remove_invisible
from contactsync.reconcile.canonical import dump_values
from contactsync.reconcile.read import share_values
from contactsync.reconcile.records import SystemRecord
from reconcile_helpers import Scenario, contact, emergency, system_record

relaxed = settings(deadline=None, max_examples=max(300, settings().max_examples))


def _record(item: EmergencyContact) -> SystemRecord:
    return SystemRecord("hub", "hub.emergency", "R1", Kind.EMERGENCY, item)


# ---------------------------------------------------------------------------------------
# values made from the contact
# ---------------------------------------------------------------------------------------


def test_a_record_makes_its_values_from_its_contact_and_keeps_no_copy() -> None:
    item = contact(key="K1")
    record = _record(item)
    assert record.values == dump_values(item)
    assert record.values is not record.values  # made when asked, not kept
    record.hold_values()
    held = record.values
    assert held == dump_values(item) and record.values is held
    record.release_values()
    assert record.values == held and record.values is not held


def test_values_given_are_kept_as_given() -> None:
    item = contact(key="K1")
    given_values = {**dump_values(item), "role": "as the last sync saw it"}
    record = SystemRecord("hub", "hub.emergency", "R1", Kind.EMERGENCY, item, given_values)
    record.hold_values()
    record.release_values()
    assert record.values is given_values
    built = system_record("hub", item)
    assert built.values == dump_values(item) and built.values is built.values


def test_records_compare_and_show_as_before() -> None:
    item = contact(key="K1")
    made, given_values = _record(item), _record(item)
    given_values.values = dump_values(item)
    assert made == given_values
    assert made != _record(contact(key="K2"))
    assert repr(made).startswith("SystemRecord(system='hub', object='hub.emergency'")
    assert "values={" in repr(made) and repr(made).endswith("mixed=False, positional=False)")


def test_after_a_reconcile_no_record_holds_values_it_can_make(
    scenario: Callable[..., Scenario],
) -> None:
    people = [emergency("C1", f"联系人{i}", f"1380013800{i}", key=f"K{i}") for i in range(3)]
    built = scenario().hub(people).csv("crm", [p.but(key=None) for p in people])
    result = built.plan()
    members = [m for g in result.groups for m in g.members.values()]
    assert len(members) == 6
    for member in members:
        assert member.values == dump_values(member.contact)
        assert member.values is not member.values


# ---------------------------------------------------------------------------------------
# one set of field names per combination
# ---------------------------------------------------------------------------------------


def _emergency(record_id: str) -> EmergencyContact:
    return EmergencyContact.model_validate(
        {
            "customer": "C1",
            "name": "张三",
            "role": "总经理",
            "phones": [{"raw": "13800138000", "e164": "+8613800138000"}],
            "response_time_limit": "PT30M",
            "provenance": {"system": "hub", "object": "emergency", "record_id": record_id},
        }
    )


def test_contacts_given_the_same_fields_share_one_set_of_names() -> None:
    first, second = _emergency("R1"), _emergency("R2")
    names = set(first.model_fields_set)
    dumped = [first.model_dump(mode="json", exclude_unset=True), second.model_dump()]
    share_fields_set(first)
    share_fields_set(second)
    assert first.model_fields_set is second.model_fields_set
    assert first.model_fields_set == names
    assert first.phones[0].model_fields_set is second.phones[0].model_fields_set
    assert first.provenance is not None and second.provenance is not None
    assert first.provenance.model_fields_set is second.provenance.model_fields_set
    assert [first.model_dump(mode="json", exclude_unset=True), second.model_dump()] == dumped


def test_a_copy_with_changes_leaves_the_shared_set_alone() -> None:
    first, second = _emergency("R1"), _emergency("R2")
    share_fields_set(first)
    share_fields_set(second)
    names = set(first.model_fields_set)
    changed = first.model_copy(update={"reviewed_by": "审核人"})
    assert "reviewed_by" in changed.model_fields_set
    assert first.model_fields_set == names and second.model_fields_set == names


def test_a_model_that_allows_assignment_keeps_its_own_set() -> None:
    from pydantic import BaseModel

    class Open(BaseModel):
        name: str
        inner: Phone | None = None

    first, second = Open(name="a", inner=Phone(raw="1", problem="x")), Open(name="b")
    own = second.model_fields_set
    share_fields_set(first)
    share_fields_set(second)
    assert second.model_fields_set is own
    other = Phone(raw="2", problem="y")
    share_fields_set(other)
    assert first.inner is not None and first.inner.model_fields_set is other.model_fields_set
    second.inner = other  # assignment adds to the model's own set only
    assert first.model_fields_set == {"name", "inner"} and own == {"name", "inner"}
    assert other.model_fields_set == {"raw", "problem"}


# ---------------------------------------------------------------------------------------
# repeated values kept once
# ---------------------------------------------------------------------------------------


def test_equal_repeated_values_are_kept_once() -> None:
    shared: dict[object, object] = {}
    first = {
        "customer": "C1",
        "role": "".join(["总", "经理"]),
        "last_reviewed_at": datetime(2026, 10, 1, tzinfo=UTC),
        "response_time_limit": timedelta(30),
    }
    second = {
        "customer": "".join(["C", "1"]),
        "role": "".join(["总经", "理"]),
        "last_reviewed_at": datetime(2026, 10, 1, tzinfo=UTC),
        "response_time_limit": timedelta(days=30),
        "name": "".join(["张", "三"]),
    }
    expected = dict(second)
    share_values(first, shared)
    share_values(second, shared)
    assert second == expected
    for name in ("customer", "role", "last_reviewed_at", "response_time_limit"):
        assert second[name] is first[name]
    assert second["name"] is expected["name"]  # a person's own value: not looked up


def test_a_value_an_equal_one_could_be_told_from_is_not_shared() -> None:
    shared: dict[object, object] = {}
    utc = {"last_reviewed_at": datetime(2026, 10, 1, 8, tzinfo=UTC)}
    east = {"last_reviewed_at": datetime(2026, 10, 1, 16, tzinfo=timezone(timedelta(hours=8)))}
    folded = {"last_reviewed_at": datetime(2026, 10, 1, 8, tzinfo=UTC, fold=1)}
    share_values(utc, shared)
    share_values(east, shared)
    share_values(folded, shared)
    assert east["last_reviewed_at"].utcoffset() == timedelta(hours=8)
    assert folded["last_reviewed_at"].fold == 1


def test_shared_values_make_the_same_contact() -> None:
    shared: dict[object, object] = {}
    values = {
        "customer": "C1",
        "name": "张三",
        "role": "总经理",
        "phones": [Phone(raw="13800138000", e164="+8613800138000")],
        "response_time_limit": timedelta(minutes=30),
        "provenance": Provenance(system="hub", object="e", record_id="1"),
    }
    before = EmergencyContact.model_validate(dict(values))
    share_values(values, shared)
    assert EmergencyContact.model_validate(values) == before


# ---------------------------------------------------------------------------------------
# text that needs no clean-up is kept as read
# ---------------------------------------------------------------------------------------


def _reference_clean(value: str) -> str:
    """``clean_text`` without its shortcut: every character looked at."""
    text = "".join(
        ch for ch in value if not (ch in INVISIBLE_LETTERS or unicodedata.category(ch) == "Cf")
    )
    out, run = [], ""
    for ch in [*text, None]:
        if ch is not None and ch.isspace():
            run += ch
            continue
        if run:
            out.append(" ")  # any space, or run of them, is one ordinary space
            run = ""
        if ch is not None:
            out.append(ch)
    return "".join(out).strip()


def _reference_forbidden(text: str) -> tuple[int, str] | None:
    for index, ch in enumerate(text):
        if unicodedata.category(ch) == "Cc" and ch not in "\t\n\v\f\r":
            return index, ch
    return None


def _reference_remove_invisible(text: str) -> str:
    return "".join(
        ch
        for ch in text
        if not (
            ch in INVISIBLE_LETTERS
            or unicodedata.category(ch) == "Cf"
            or (unicodedata.category(ch) == "Cc" and not ch.isspace())
        )
    )


TRICKY = (
    " \u3000\u00a0\u2009\u200b\u200d\ufeff\u00ad\u2028\u2029\u0085\t\n\r\x1c\x7f"
    "\u115f\u1160\u3164\uffa0\u202e\u061c张三·ÅA1"
)


@relaxed
@given(st.text(alphabet=st.sampled_from(TRICKY) | st.characters(), max_size=12))
def test_the_text_shortcuts_change_no_result(text: str) -> None:
    assert forbidden_character(text) == _reference_forbidden(text)
    assert remove_invisible(text) == _reference_remove_invisible(text)
    if forbidden_character(text) is None:
        assert clean_text(text) == _reference_clean(text)


def test_text_with_nothing_to_clean_is_the_object_read() -> None:
    for text in ("总经理", "山田 太郎", "Müller", "Zoë Ångström", "联系人 1"):
        assert clean_text(text) is text
        assert remove_invisible(text) is text
    assert clean_text("山田\u3000太郎") == "山田 太郎"  # any space is an ordinary one
    assert clean_text("张\u200b三") == "张三"
    assert clean_text("山田\u3164太郎") == "山田太郎"
    assert remove_invisible("山田\u3164太郎") == "山田太郎"

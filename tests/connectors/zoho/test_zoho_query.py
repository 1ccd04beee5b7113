"""Escaping in Search API criteria and COQL, read back by the emulator's parsers, and
Zoho's date-times with offsets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contactsync.errors import ConfigError
from contactsync_zoho.emulator.queries import QueryError, parse_coql, parse_criteria
from contactsync_zoho.query import (
    coql_changes_query,
    coql_string,
    criteria_equals,
    criteria_in,
    escape_criteria_value,
)
from contactsync_zoho.timefmt import format_zoho_time, parse_zoho_time

AWKWARD = ["Burns,B", "K\\", "(Lead)", "O'Brien", "a\\,b", "plain", "和记(中国),有限公司"]


def test_criteria_escape_backslash_parentheses_and_commas() -> None:
    assert escape_criteria_value("Burns,B") == "Burns\\,B"
    assert escape_criteria_value("K\\") == "K\\\\"
    assert escape_criteria_value("(x)") == "\\(x\\)"
    assert criteria_equals("Last_Name", "Burns,B") == "(Last_Name:equals:Burns\\,B)"
    assert criteria_in("Account_Number", ["a,b", "c"]) == "(Account_Number:in:a\\,b,c)"


@pytest.mark.parametrize("value", AWKWARD)
def test_escaped_criteria_read_back_to_the_same_value(value: str) -> None:
    predicate = parse_criteria(criteria_in("Account_Number", [value, "other"]))
    assert predicate({"Account_Number": value})
    assert not predicate({"Account_Number": value + "x"})


def test_unescaped_values_break_the_criteria() -> None:
    with pytest.raises(QueryError):
        parse_criteria("(Account_Number:equals:(bad))")
    with pytest.raises(QueryError):
        parse_criteria("(Account_Number:equals:a,b)")


def test_search_equals_matches_like_contains_as_zoho_does() -> None:
    predicate = parse_criteria(criteria_equals("Account_Number", "C001"))
    assert predicate({"Account_Number": "C0012"})  # why clients filter for exact keys


@pytest.mark.parametrize("value", AWKWARD)
def test_coql_literals_read_back_to_the_same_value(value: str) -> None:
    query = parse_coql(f"select Name from Accounts where Name = {coql_string(value)}")
    assert query.where({"Name": value})
    assert not query.where({"Name": value + "!"})


def test_field_and_module_names_are_never_quoted_from_input() -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ConfigError):
        coql_changes_query("Contacts; drop", ["Name"], since=since, after=None, limit=200)
    with pytest.raises(ConfigError):
        coql_changes_query("Contacts", ["Name'--"], since=since, after=None, limit=200)
    with pytest.raises(ValueError, match="record id"):
        coql_changes_query("Contacts", ["Name"], since=since, after=(since, "1 or 1=1"), limit=2)


def test_the_keyset_query_starts_strictly_after_the_last_record() -> None:
    stamp = datetime(2026, 1, 5, 8, 0, 4, tzinfo=UTC)
    text = coql_changes_query(
        "Contacts", ["id", "Modified_Time"], since=stamp, after=(stamp, "9100000000000000007"),
        limit=2,
    )
    assert text.endswith("order by Modified_Time asc, id asc limit 2")
    query = parse_coql(text)
    same = "2026-01-05T08:00:04+00:00"
    assert not query.where({"Modified_Time": same, "id": "9100000000000000007"})
    assert query.where({"Modified_Time": same, "id": "9100000000000000008"})
    assert query.where({"Modified_Time": "2026-01-05T13:30:05+05:30", "id": "1"})  # 08:00:05Z
    assert not query.where({"Modified_Time": "2026-01-05T00:00:03-08:00", "id": "9"})  # 08:00:03Z


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2015-06-19T11:19:38+05:30", datetime(2015, 6, 19, 5, 49, 38, tzinfo=UTC)),
        ("2023-05-10T01:10:47-07:00", datetime(2023, 5, 10, 8, 10, 47, tzinfo=UTC)),
        ("2023-10-15T14:20:00Z", datetime(2023, 10, 15, 14, 20, tzinfo=UTC)),
        ("2023-10-15T14:20:00+00:00", datetime(2023, 10, 15, 14, 20, tzinfo=UTC)),
    ],
)
def test_modified_time_offsets_are_read_aware_and_kept_in_utc(text: str, utc: datetime) -> None:
    parsed = parse_zoho_time(text)
    assert parsed == utc and parsed is not None and parsed.tzinfo is UTC


def test_naive_or_bad_stamps_are_refused_not_guessed() -> None:
    assert parse_zoho_time("2023-10-15T14:20:00") is None
    assert parse_zoho_time("yesterday") is None
    assert parse_zoho_time(None) is None
    assert format_zoho_time(datetime(2023, 5, 10, 1, 10, 47, 123, tzinfo=UTC)) == (
        "2023-05-10T01:10:47+00:00"
    )
    with pytest.raises(ValueError, match="naive"):
        format_zoho_time(datetime(2023, 5, 10))

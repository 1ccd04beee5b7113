"""Every value the connector puts into SOQL is escaped: checked against the emulator's
parser, which is as strict as Salesforce's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactsync.errors import ConfigError
from contactsync_salesforce.emulator.soql import Condition, Group, parse, tokenize
from contactsync_salesforce.soql import (
    after_position,
    api_name,
    datetime_literal,
    quote,
    quote_all,
    record_id,
    select,
)


@given(st.text())
def test_any_text_quoted_reads_back_exactly(text: str) -> None:
    (token,) = tokenize(quote(text))
    assert token.kind == "string" and token.value == text


@pytest.mark.parametrize("text", ["O'Brien", "a\\b", "quote\" and 'both'", "line\nbreak",
                                  "tab\there", "' OR Id != '", "100%_off", "中文'引号"])
def test_an_in_list_of_tricky_keys_parses_to_the_same_keys(text: str) -> None:
    query = parse(f"SELECT Id FROM Contact WHERE Contactsync_Key__c IN {quote_all([text, 'x'])}")
    assert isinstance(query.where, Condition)
    assert [literal.value for literal in query.where.values] == [text, "x"]


def test_date_times_are_written_in_utc_to_the_second() -> None:
    moment = datetime(2026, 1, 5, 16, 0, 1, 999_999, tzinfo=timezone(timedelta(hours=8)))
    assert datetime_literal(moment) == "2026-01-05T08:00:01Z"
    with pytest.raises(ValueError, match="time zone"):
        datetime_literal(datetime(2026, 1, 5))


def test_the_compound_position_parses_as_one_parenthesised_condition() -> None:
    at = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    after = after_position(at, "003EMU000000000001")
    conditions = ["SystemModstamp >= 2026-01-05T07:59:00Z", after]
    soql = select("Contact", ["Id", "Account.Customer_Number__c"], conditions)
    query = parse(soql)
    assert isinstance(query.where, Group) and query.where.connective == "AND"
    assert isinstance(query.where.parts[1], Group) and query.where.parts[1].connective == "OR"
    assert query.fields == ("Id", "Account.Customer_Number__c")
    assert [o.field for o in query.order] == ["SystemModstamp", "Id"]


@pytest.mark.parametrize("name", ["Name; DELETE", "Name, (SELECT Id FROM Contacts)", "", "1abc",
                                  "a..b", "Nope__c'"])
def test_names_that_are_not_api_names_are_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="not a Salesforce API name"):
        api_name(name)


@pytest.mark.parametrize("value", ["003EMU00000000000'", "short", "003EMU000000000001 OR"])
def test_record_ids_must_look_like_record_ids(value: str) -> None:
    with pytest.raises(ConfigError, match="not a Salesforce record id"):
        record_id(value)
    assert record_id("003EMU000000000001") == "'003EMU000000000001'"

"""A phone field's length limit: numbers that would not fit are refused by name, before the
vendor refuses the whole record with a bare INVALID_DATA."""

from __future__ import annotations

import pytest

from contactsync.mapping import load_mapping, to_vendor
from contactsync.mapping.convert import UnmappableValue
from contactsync.models import Kind, Phone
from contactsync.testing.contract.samples import sample_contacts


def _with_phones(count: int) -> object:
    contact = sample_contacts(Kind.BUSINESS, 1, "p")[0]
    phones = [Phone(raw=f"+86138001383{i:02d}", e164=f"+86138001383{i:02d}", kind="mobile")
              for i in range(count)]
    return contact.model_copy(update={"phones": phones})


def test_numbers_that_fit_zohos_30_characters_are_written() -> None:
    om = load_mapping("zoho").for_kind(Kind.BUSINESS)
    values = to_vendor(om, _with_phones(3))  # type: ignore[arg-type]
    assert (values["Phone"], values["Mobile"], values["Other_Phone"]) == (
        "+8613800138300", "+8613800138301", "+8613800138302")


def test_more_numbers_than_zoho_can_hold_are_refused_naming_field_and_limit() -> None:
    om = load_mapping("zoho").for_kind(Kind.BUSINESS)
    with pytest.raises(UnmappableValue, match=r"2 numbers in 'Other_Phone' take 31 "
                                              r"characters, and the field holds 30"):
        to_vendor(om, _with_phones(4))  # type: ignore[arg-type]

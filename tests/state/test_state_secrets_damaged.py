"""``secret_entries`` lists a row whose sealed text is not ``v1:<keyid>:<body>``."""

from __future__ import annotations

import pytest

from contactsync.state import StateStore
from contactsync.state.secrets import UNREADABLE_KEY_ID, sealed_key_id


@pytest.mark.parametrize(
    "sealed", ["garbage", "", "v1", "v1:", "v1:abcd", "v1:abcd:", "v2:abcd:body", "v1::body",
               "v1:ab\ncd:body"],
)
def test_an_unreadable_row_is_listed_with_an_unknown_key(store: StateStore, sealed: str) -> None:
    store.put_secret("zoho", "broken", sealed)
    store.put_secret("zoho", "oauth", "v1:aaaa:body")
    entries = store.secret_entries("zoho")
    assert [(e.name, e.key_id) for e in entries] == [
        ("broken", UNREADABLE_KEY_ID), ("oauth", "aaaa"),
    ]
    assert [e.name for e in store.secret_entries()] == ["broken", "oauth"]


def test_the_key_id_of_sealed_text() -> None:
    assert sealed_key_id("v1:0a1b2c3d:body:with:colons") == "0a1b2c3d"
    assert sealed_key_id(None) == UNREADABLE_KEY_ID

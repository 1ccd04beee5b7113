"""The secrets table: sealed text only, upserted by (system, name), on both backends."""

from __future__ import annotations

from contactsync.secrets import SecretCipher, SystemSecrets, new_key
from contactsync.state import StateStore


def test_put_get_replace_delete(store: StateStore) -> None:
    assert store.get_secret("zoho", "oauth") is None
    store.put_secret("zoho", "oauth", "v1:aaaa:first")
    store.put_secret("zoho", "oauth", "v1:bbbb:second")
    store.put_secret("zoho-eu", "oauth", "v1:aaaa:other")
    assert store.get_secret("zoho", "oauth") == "v1:bbbb:second"
    entries = store.secret_entries()
    assert [(e.system, e.name, e.key_id) for e in entries] == [
        ("zoho", "oauth", "bbbb"), ("zoho-eu", "oauth", "aaaa"),
    ]
    assert [e.system for e in store.secret_entries("zoho-eu")] == ["zoho-eu"]
    assert entries[0].updated_at.tzinfo is not None
    assert store.delete_secret("zoho", "oauth") is True
    assert store.delete_secret("zoho", "oauth") is False
    assert store.get_secret("zoho", "oauth") is None


def test_a_system_secret_through_the_store_never_reaches_sql_in_the_clear(
    store: StateStore,
) -> None:
    key = new_key()
    secrets = SystemSecrets("zoho", lambda: store, lambda: SecretCipher.from_text(key))
    secrets.put("oauth", {"access_token": "1000.plain-token-value"})
    raw = store.get_secret("zoho", "oauth")
    assert raw is not None and "plain-token-value" not in raw
    assert secrets.get("oauth") == {"access_token": "1000.plain-token-value"}

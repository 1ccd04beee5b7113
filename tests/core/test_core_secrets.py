"""Sealed secrets: AES-GCM bound to system and name, keys from the environment, rotation."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactsync.errors import ConfigError
from contactsync.secrets import SECRET_KEY_ENV, SecretCipher, SystemSecrets, new_key


class Rows:
    """The state store's three secret calls, in memory."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], str] = {}

    def get_secret(self, system: str, name: str) -> str | None:
        return self.rows.get((system, name))

    def put_secret(self, system: str, name: str, sealed: str) -> None:
        self.rows[(system, name)] = sealed

    def delete_secret(self, system: str, name: str) -> bool:
        return self.rows.pop((system, name), None) is not None


KEY, OTHER = new_key(), new_key()


@given(st.binary(max_size=2048), st.text(min_size=1, max_size=40))
def test_what_is_sealed_opens_to_the_same_bytes(plain: bytes, context: str) -> None:
    cipher = SecretCipher.from_text(KEY)
    assert cipher.open(cipher.seal(plain, context), context) == plain


def test_a_sealed_value_shows_no_plaintext_and_differs_each_time() -> None:
    cipher = SecretCipher.from_text(KEY)
    first = cipher.seal(b"1000.secret-access-token", "zoho/oauth")
    second = cipher.seal(b"1000.secret-access-token", "zoho/oauth")
    assert first != second  # a fresh nonce each time
    for sealed in (first, second):
        assert "secret-access" not in sealed
        assert b"secret-access" not in base64.urlsafe_b64decode(sealed.split(":")[2])


def test_a_value_copied_to_another_system_or_name_does_not_open() -> None:
    cipher = SecretCipher.from_text(KEY)
    sealed = cipher.seal(b"token", "zoho-eu/oauth")
    for context in ("zoho-us/oauth", "zoho-eu/other"):
        with pytest.raises(ConfigError, match="copied from another system"):
            cipher.open(sealed, context)


def test_an_altered_value_does_not_open() -> None:
    cipher = SecretCipher.from_text(KEY)
    version, key_id, body = cipher.seal(b"token", "s/n").split(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[-1] ^= 1
    altered = f"{version}:{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    with pytest.raises(ConfigError, match="altered"):
        cipher.open(altered, "s/n")
    with pytest.raises(ConfigError, match="not a sealed secret"):
        cipher.open("plain text", "s/n")


def test_rotation_new_key_seals_old_key_still_opens() -> None:
    old = SecretCipher.from_text(OTHER)
    sealed_by_old = old.seal(b"token", "s/n")
    rotated = SecretCipher.from_text(f"{KEY}, {OTHER}")
    assert rotated.open(sealed_by_old, "s/n") == b"token"
    assert rotated.sealing_key_id != old.sealing_key_id
    assert rotated.seal(b"token", "s/n").split(":")[1] == rotated.sealing_key_id
    with pytest.raises(ConfigError, match="does not hold"):
        SecretCipher.from_text(KEY).open(sealed_by_old, "s/n")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "is not set"),
        ("   ", "is not set"),
        ("not base64!", "not base64"),
        (base64.urlsafe_b64encode(b"short").decode(), "5 bytes, not 32"),
        (f"{KEY},{base64.urlsafe_b64encode(b'x' * 16).decode()}", "key 2 is 16 bytes"),
    ],
)
def test_a_missing_or_bad_key_is_a_config_error_naming_the_variable(
    value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        SecretCipher.from_env({SECRET_KEY_ENV: value})
    assert SECRET_KEY_ENV in str(caught.value)
    assert value.strip() == "" or value not in str(caught.value)  # a key is never echoed


def test_system_secrets_round_trip_and_keep_only_sealed_text() -> None:
    rows = Rows()
    secrets = SystemSecrets("zoho", lambda: rows, lambda: SecretCipher.from_text(KEY))
    value: dict[str, Any] = {"access_token": "1000.abc", "expires_at": "2026-12-03T20:00:00+00:00"}
    assert secrets.get("oauth") is None
    secrets.put("oauth", value)
    assert secrets.get("oauth") == value
    stored = rows.rows[("zoho", "oauth")]
    assert "1000.abc" not in stored and stored.startswith("v1:")
    secrets.delete("oauth")
    assert secrets.get("oauth") is None


def test_system_secrets_need_no_key_until_a_secret_is_used() -> None:
    asked: list[str] = []

    def cipher() -> SecretCipher:
        asked.append("cipher")
        return SecretCipher.from_env({})

    secrets = SystemSecrets("zoho", Rows, cipher)
    assert asked == []
    with pytest.raises(ConfigError, match=SECRET_KEY_ENV):
        secrets.get("oauth")  # even with nothing kept: a caller learns before it fetches
    with pytest.raises(ConfigError, match=SECRET_KEY_ENV):
        secrets.put("oauth", {"a": 1})


def test_a_secret_that_is_not_a_table_is_refused() -> None:
    rows = Rows()
    cipher = SecretCipher.from_text(KEY)
    rows.put_secret("zoho", "oauth", cipher.seal(json.dumps([1, 2]).encode(), "zoho/oauth"))
    with pytest.raises(ConfigError, match="not a table"):
        SystemSecrets("zoho", lambda: rows, lambda: cipher).get("oauth")

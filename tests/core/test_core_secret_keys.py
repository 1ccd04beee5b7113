"""CONTACTSYNC_SECRET_KEY is decoded strictly, and no message repeats a key."""

from __future__ import annotations

import base64

import pytest

from contactsync.errors import ConfigError
from contactsync.secrets import SECRET_KEY_ENV, SecretCipher, new_key

KEY = new_key()


def refusal(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        SecretCipher.from_env({SECRET_KEY_ENV: text})
    message = str(caught.value)
    assert SECRET_KEY_ENV in message
    assert KEY.rstrip("=") not in message and text not in message  # never the key
    return message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (KEY[:-1] + "!!!!", "is not base64: character 44 is outside the base64 alphabet"),
        (KEY[:10] + " " + KEY[10:], "character 11 is a space"),
        (f'"{KEY}"', "character 1 is a quote"),
        (f"'{KEY}'", "character 1 is a quote"),
        (KEY[:20] + "=" + KEY[20:], "character 21 is an '=' before the end"),
        (KEY + "==", "too many '='"),
        (KEY[:-1] + "é", "character 44 is outside the base64 alphabet"),
    ],
)
def test_characters_outside_the_alphabet_are_refused(text: str, expected: str) -> None:
    assert expected in refusal(text)


def test_a_key_without_its_padding_is_said_to_miss_padding() -> None:
    assert KEY.endswith("=")
    message = refusal(KEY.rstrip("="))
    assert "missing '=' padding" in message and "not base64" not in message


def test_a_key_of_the_wrong_length_says_its_length() -> None:
    assert "is 5 bytes, not 32" in refusal(base64.urlsafe_b64encode(b"short").decode())
    assert "is 33 bytes, not 32" in refusal(KEY[:-1] + "A")


def test_good_keys_are_taken() -> None:
    standard = base64.b64encode(base64.urlsafe_b64decode(KEY)).decode()
    assert SecretCipher.from_text(standard).sealing_key_id == (
        SecretCipher.from_text(KEY).sealing_key_id
    )
    assert SecretCipher.from_text(f" {KEY} , {new_key()} ").sealing_key_id == (
        SecretCipher.from_text(KEY).sealing_key_id
    )


def test_the_wrong_key_hint_names_the_system_and_the_secret() -> None:
    sealed = SecretCipher.from_text(new_key()).seal(b"token", "zoho-eu/oauth")
    with pytest.raises(ConfigError, match="does not hold") as caught:
        SecretCipher.from_text(KEY).open(sealed, "zoho-eu/oauth")
    assert "`contactsync secrets forget zoho-eu oauth`" in str(caught.value)

"""The literal-secret guard still refuses, and tells a misspelt setting what to check."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactsync.config import parse_config
from contactsync.errors import ConfigError


def refusal(key: str, value: object = "state") -> str:
    data = {"systems": {"crm": {"connector": "zoho", key: value}}}
    with pytest.raises(ConfigError) as caught:
        parse_config(data, Path("/job/contactsync.toml"))
    return str(caught.value)


def test_a_misspelt_setting_is_told_to_check_its_spelling() -> None:
    message = refusal("token_stor")
    assert "looks like a secret" in message  # still refused
    assert "credentials.token_stor" in message
    assert "not a secret but a setting" in message and "spelling" in message
    assert "did you mean 'token_store'?" in message


@pytest.mark.parametrize("key", ["password", "client_secret", "refresh_token", "api_key"])
def test_a_secret_is_refused_without_a_guess(key: str) -> None:
    message = refusal(key, "hunter2")
    assert "looks like a secret" in message and "spelling" in message
    assert "did you mean" not in message
    assert "hunter2" not in message


def test_a_misspelt_file_setting_gets_its_guess() -> None:
    assert "did you mean 'secret_file'?" in refusal("secret_fil", "keys/x.pem")

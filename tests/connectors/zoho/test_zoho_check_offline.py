"""``ZohoConnector.check_offline``: a token store that cannot work, found before any call."""

from __future__ import annotations

import base64
import pickle
from pathlib import Path
from typing import Any

import pytest
from zoho_helpers import write_zcrmsdk_file

from contactsync.secrets import SECRET_KEY_ENV, new_key
from contactsync_zoho.emulator import RunningOrg
from contactsync_zoho.tokens import MemoryTokenStore


class _Secrets:
    """A state store's secrets that check_offline only asks ``problem`` of."""

    def __init__(self, problem: str | None = None) -> None:
        self._problem = problem

    def problem(self, name: str) -> str | None:
        return self._problem

    def get(self, name: str) -> dict[str, Any] | None:
        raise AssertionError("check_offline must not read the state store")

    def put(self, name: str, value: Any) -> None:
        raise AssertionError("check_offline must not write the state store")

    def delete(self, name: str) -> None:
        raise AssertionError("check_offline must not write the state store")


def test_state_tokens_with_a_usable_key_have_no_problem(
    connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_KEY_ENV, new_key())
    assert connect(token_store="state", secrets=_Secrets()).check_offline() == []


def test_state_tokens_without_the_key_are_reported(
    connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    problems = connect(token_store="state", secrets=_Secrets()).check_offline()
    assert len(problems) == 1
    assert "token_store = 'state'" in problems[0]
    assert SECRET_KEY_ENV in problems[0] and "secrets new-key" in problems[0]


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("not base64 at all!", "is not base64"),
        (base64.urlsafe_b64encode(b"sixteen byte key").decode(), "is 16 bytes, not 32"),
        (f"{new_key()},tooshort0000", "key 2 is"),
    ],
)
def test_state_tokens_with_an_unusable_key_are_reported_without_the_key(
    connect: Any, monkeypatch: pytest.MonkeyPatch, key: str, reason: str
) -> None:
    monkeypatch.setenv(SECRET_KEY_ENV, key)
    problems = connect(token_store="state", secrets=_Secrets()).check_offline()
    assert len(problems) == 1 and reason in problems[0], problems
    for part in key.split(","):
        assert part not in problems[0]


def test_memory_tokens_and_injected_stores_have_nothing_to_check(
    connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    assert connect().check_offline() == []
    assert connect(token_store="memory").check_offline() == []
    # An injected store is what is used, whatever the setting says.
    injected = connect(token_store=MemoryTokenStore())
    assert injected.check_offline() == []


def test_a_missing_zcrmsdk_token_file_is_reported(connect: Any, tmp_path: Path) -> None:
    problems = connect(zcrmsdk_token_file="missing/zcrm_oauthtokens.pkl").check_offline()
    assert len(problems) == 1
    assert "zcrmsdk_token_file" in problems[0]
    assert str(tmp_path / "missing" / "zcrm_oauthtokens.pkl") in problems[0]
    assert "cannot read" in problems[0]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"refresh_token = 1000.abc\n", "not a zcrmsdk token file"),
        (pickle.dumps({"refreshToken": "1000.abc"}), "not a zcrmsdk token file"),
        (b"", "holds no tokens"),
    ],
)
def test_a_zcrmsdk_token_file_that_is_not_one_is_reported(
    connect: Any, tmp_path: Path, content: bytes, reason: str
) -> None:
    (tmp_path / "tokens.pkl").write_bytes(content)
    problems = connect(zcrmsdk_token_file="tokens.pkl").check_offline()
    assert len(problems) == 1 and reason in problems[0], problems
    assert "1000.abc" not in problems[0]


def test_a_zcrmsdk_token_file_is_checked_for_the_user_it_is_used_for(
    connect: Any, tmp_path: Path, org: RunningOrg
) -> None:
    write_zcrmsdk_file(tmp_path / "zcrm_oauthtokens.pkl", [
        ("a@example.com", "1000.r1", "1000.access", 0), ("b@example.com", None, "1000.access", 0),
    ])
    assert connect(zcrmsdk_token_file=".", zcrmsdk_user="a@example.com").check_offline() == []
    several = connect(zcrmsdk_token_file="zcrm_oauthtokens.pkl").check_offline()
    assert len(several) == 1 and "zcrmsdk_user" in several[0]
    unknown = connect(zcrmsdk_token_file=".", zcrmsdk_user="c@example.com").check_offline()
    assert len(unknown) == 1 and "no tokens for user 'c@example.com'" in unknown[0]
    no_refresh = connect(zcrmsdk_token_file=".", zcrmsdk_user="b@example.com").check_offline()
    assert len(no_refresh) == 1 and "no refresh token" in no_refresh[0]
    assert "1000.r1" not in " ".join(several + unknown + no_refresh)
    assert org.accounts.granted == 0  # nothing was called

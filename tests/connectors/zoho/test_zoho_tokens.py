"""Token answers, token stores and the zcrmsdk file reader: no network."""

from __future__ import annotations

import pickle
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from zoho_helpers import REAL_FIXTURES, write_zcrmsdk_file

from contactsync.errors import AuthError, ConfigError, RetryableError
from contactsync_zoho import DATA_CENTRES, ZohoSettings
from contactsync_zoho.tokens import (
    AccessToken,
    MemoryTokenStore,
    StoredTokens,
    parse_token_response,
)
from contactsync_zoho.zcrmsdk_store import ZcrmsdkFileTokenStore, read_zcrmsdk_file

NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_every_data_centre_has_its_own_accounts_server() -> None:
    expected = {
        "US": "https://accounts.zoho.com", "EU": "https://accounts.zoho.eu",
        "IN": "https://accounts.zoho.in", "AU": "https://accounts.zoho.com.au",
        "CN": "https://accounts.zoho.com.cn", "JP": "https://accounts.zoho.jp",
        "CA": "https://accounts.zohocloud.ca", "SA": "https://accounts.zoho.sa",
    }
    assert {code: dc.accounts_url for code, dc in DATA_CENTRES.items()} == expected
    for code, url in expected.items():
        settings = ZohoSettings.from_settings({"data_centre": code.lower()}, "t", Path("."))
        assert settings.accounts_url == url


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"data_centre": "UK"}, "data_centre"),
        ({"accounts_url": "http://accounts.example.com"}, "plain http"),
        ({"page_size": 500}, "page_size"),
        ({"incremental": "bulk"}, "incremental"),
        ({"create_with": "merge"}, "create_with"),
        ({"max_concurrency": 0}, "max_concurrency"),
    ],
)
def test_bad_settings_are_config_errors(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ZohoSettings.from_settings(settings, "system 'z'", Path("."))


def test_the_real_legacy_token_answer_is_read_in_seconds() -> None:
    import json

    fixture = REAL_FIXTURES / "oauth_token_response_legacy_expires_in_ms.json"
    body = json.loads(fixture.read_text())
    token = parse_token_response(body, 200, NOW)
    # expires_in is 3,600,000 (ms) there; expires_in_sec wins: one hour, not 41 days.
    assert token.expires_at == NOW + timedelta(hours=1)
    assert token.api_domain == "https://www.zohoapis.com"


def test_the_current_token_answer_is_read_in_seconds() -> None:
    token = parse_token_response(
        {"access_token": "1000.x", "api_domain": "https://www.zohoapis.eu",
         "token_type": "Bearer", "expires_in": 3600}, 200, NOW,
    )
    assert token.expires_at == NOW + timedelta(hours=1)
    assert token.api_domain == "https://www.zohoapis.eu"


@pytest.mark.parametrize("status", [200, 400])
def test_an_answer_without_access_token_fails_whatever_its_status(status: int) -> None:
    with pytest.raises(AuthError, match="invalid_code"):
        parse_token_response({"error": "invalid_code"}, status, NOW)


def test_a_busy_accounts_server_is_retryable() -> None:
    busy = {"error_description": "You have made too many requests continuously.",
            "error": "Access Denied", "status": "failure"}
    with pytest.raises(RetryableError):
        parse_token_response(busy, 400, NOW)
    with pytest.raises(RetryableError):
        parse_token_response(None, 503, NOW)


def test_token_values_never_show_in_repr() -> None:
    token = AccessToken("1000.very-secret-access", NOW, "https://www.zohoapis.com")
    stored = StoredTokens("1000.very-secret-refresh", token)
    text = repr(token) + repr(stored) + repr(MemoryTokenStore(stored))
    assert "very-secret" not in text


# -- zcrmsdk's file store ----------------------------------------------------------------


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_the_zcrmsdk_file_store_is_read_without_the_package(tmp_path: Path, protocol: int) -> None:
    path = tmp_path / "zcrm_oauthtokens.pkl"
    expiry = int((NOW + timedelta(minutes=30)).timestamp() * 1000)
    write_zcrmsdk_file(path, [
        ("admin@example.com", "1000.old-refresh", "1000.old-access", expiry),
        ("other@example.com", "1000.other-refresh", "1000.other-access", expiry),
        ("admin@example.com", "1000.new-refresh", "1000.new-access", expiry),
    ], protocol)
    assert "zcrmsdk" not in sys.modules
    entries = read_zcrmsdk_file(path)
    assert [e.user_email for e in entries] == [
        "admin@example.com", "other@example.com", "admin@example.com"
    ]
    store = ZcrmsdkFileTokenStore(tmp_path, "admin@example.com")  # the folder works too
    tokens = store.load()
    assert tokens is not None and tokens.refresh_token == "1000.new-refresh"
    assert tokens.access is not None and tokens.access.value == "1000.new-access"
    assert tokens.access.expires_at == NOW + timedelta(minutes=30)
    # zcrmsdk never kept api_domain: the token is not usable until refreshed once.
    assert tokens.access.api_domain is None and not tokens.access.usable_at(NOW, timedelta(0))
    before = path.read_bytes()
    store.save(StoredTokens("1000.new-refresh", AccessToken("1000.x", NOW, "https://a")))
    assert store.load() is not None and store.load().access.value == "1000.x"  # type: ignore[union-attr]
    assert path.read_bytes() == before  # never written


def test_a_zcrmsdk_file_with_several_users_needs_the_user(tmp_path: Path) -> None:
    path = tmp_path / "zcrm_oauthtokens.pkl"
    write_zcrmsdk_file(
        path, [("a@example.com", "r1", "a1", 0), ("b@example.com", "r2", "a2", 0)], 4
    )
    with pytest.raises(ConfigError, match="zcrmsdk_user"):
        ZcrmsdkFileTokenStore(path).load()
    with pytest.raises(ConfigError, match="no tokens for user"):
        ZcrmsdkFileTokenStore(path, "c@example.com").load()


class _Exploit:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("pwned",))


def test_a_tampered_zcrmsdk_file_cannot_run_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "zcrm_oauthtokens.pkl"
    path.write_bytes(pickle.dumps(_Exploit()))
    with pytest.raises(ConfigError, match=r"refusing builtins\.print"):
        read_zcrmsdk_file(path)
    assert "pwned" not in capsys.readouterr().out


def test_a_missing_zcrmsdk_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        read_zcrmsdk_file(tmp_path / "nope.pkl")

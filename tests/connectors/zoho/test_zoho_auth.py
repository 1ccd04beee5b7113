"""The refresh-token flow against the emulated accounts server and CRM."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from zoho_helpers import connector_for, records, seed, write_zcrmsdk_file

from contactsync.errors import AuthError, ConfigError
from contactsync.models import Kind
from contactsync.testing.emulator import Respond
from contactsync_zoho.auth import TokenProvider
from contactsync_zoho.client import ZohoClient
from contactsync_zoho.emulator import CREDENTIALS, RunningOrg, serve_org
from contactsync_zoho.retry import RetryPolicy
from contactsync_zoho.tokens import AccessToken, MemoryTokenStore, StoredTokens


class MovableClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def crm_paths(org: RunningOrg) -> list[tuple[str, int | None]]:
    return [(r.path, r.status) for r in org.crm_server.requests]


def test_a_token_is_refreshed_once_and_reused(org: RunningOrg, connect: Any) -> None:
    connector = connect()
    seed(connector, Kind.EMERGENCY, 3)
    assert len(records(list(connector.pull(Kind.EMERGENCY)))) == 3
    assert len(records(list(connector.pull(Kind.BUSINESS)))) == 0
    assert org.accounts.granted == 1
    assert [r.path for r in org.accounts_server.requests] == ["/oauth/v2/token"]


def test_every_api_call_goes_to_the_returned_api_domain(org: RunningOrg, connect: Any) -> None:
    connector = connect()
    seed(connector, Kind.BUSINESS, 2)
    list(connector.pull(Kind.BUSINESS))
    assert all(r.path == "/oauth/v2/token" for r in org.accounts_server.requests)
    assert all(path.startswith("/crm/v8/") for path, _ in crm_paths(org))
    assert connector.tokens.current().api_domain == org.crm_server.url


def test_an_expired_token_is_refreshed_before_the_call(org: RunningOrg, connect: Any) -> None:
    clock = MovableClock()
    connector = connect(clock=clock)
    list(connector.pull(Kind.EMERGENCY))
    clock.now += timedelta(minutes=59, seconds=30)  # inside the safety margin
    list(connector.pull(Kind.EMERGENCY))
    assert org.accounts.granted == 2
    assert all(status != 401 for _, status in crm_paths(org))  # refreshed, never refused


def test_a_token_expiring_mid_run_is_refreshed_once_and_the_pull_goes_on(
    org: RunningOrg, connect: Any
) -> None:
    connector = connect(page_size=2)
    seed(connector, Kind.EMERGENCY, 5)
    pages = connector.pull(Kind.EMERGENCY)
    first = next(pages)
    org.crm.tokens.expire_all()  # Zoho's hour is up between two pages
    rest = list(pages)
    assert len(first.records) + len(records(rest)) == 5
    assert org.accounts.granted == 2
    assert [s for _, s in crm_paths(org)].count(401) == 1


def test_a_second_invalid_token_is_an_auth_error_not_a_loop(
    org: RunningOrg, connect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = connect()
    monkeypatch.setattr(org.crm.tokens, "accepts", lambda token: False)
    with pytest.raises(AuthError, match="freshly refreshed"):
        list(connector.pull(Kind.EMERGENCY))
    assert org.accounts.granted == 2  # the first token, and one refresh after the 401


def test_a_scope_mismatch_is_a_config_error_and_no_refresh(org: RunningOrg, connect: Any) -> None:
    connector = connect()
    org.crm.deny(r"^/settings/")
    with pytest.raises(ConfigError, match="OAUTH_SCOPE_MISMATCH"):
        connector.describe()
    assert org.accounts.granted == 1


def test_a_refused_refresh_token_answered_with_200_is_an_auth_error(
    org: RunningOrg, connect: Any
) -> None:
    org.accounts.refresh_token = "1000.another-refresh-token"
    connector = connect()
    with pytest.raises(AuthError, match="invalid_code") as raised:
        connector.describe()
    assert org.accounts_server.requests[-1].status == 200
    assert CREDENTIALS["refresh_token"] not in str(raised.value)
    assert CREDENTIALS["client_secret"] not in str(raised.value)


def test_secrets_never_reach_the_logs_or_the_url(
    org: RunningOrg, connect: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    connector = connect()
    seed(connector, Kind.EMERGENCY, 2)
    org.crm.tokens.expire_all()
    org.crm_server.faults.add(Respond(429, {"code": "TOO_MANY_REQUESTS"}, retry_after=1),
                              method="GET")
    list(connector.pull(Kind.EMERGENCY))
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    secrets = [CREDENTIALS["client_secret"], CREDENTIALS["refresh_token"], "-access-",
               "contact0000@example.com", "+8613800138000"]
    assert "refreshed" in logged and "retrying in 1.0s" in logged
    assert not [s for s in secrets if s in logged]
    token_call = org.accounts_server.requests[0]
    assert token_call.query == ""  # secrets travel in the form body, never in a URL
    assert CREDENTIALS["client_secret"].encode() in token_call.body


def test_missing_credentials_are_a_config_error_at_the_first_call(
    org: RunningOrg, connect: Any
) -> None:
    unresolved = connect(credentials={})  # as `contactsync quarantine list` builds it
    with pytest.raises(ConfigError, match=r"system 'zoho-test'.*client_id, client_secret"):
        unresolved.describe()
    with pytest.raises(ConfigError, match="refresh token"):
        connect(credentials={"client_id": "x", "client_secret": "y"}).describe()
    assert org.accounts_server.requests == []


def test_a_zcrmsdk_token_store_is_used_in_place_of_a_refresh_token(
    org: RunningOrg, connect: Any, tmp_path: Path
) -> None:
    store = tmp_path / "tokens"
    store.mkdir()
    valid_for_long = int((datetime.now(UTC) + timedelta(hours=1)).timestamp() * 1000)
    write_zcrmsdk_file(store / "zcrm_oauthtokens.pkl", [
        ("admin@example.com", CREDENTIALS["refresh_token"], "1000.stale-access", valid_for_long)
    ])
    before = (store / "zcrm_oauthtokens.pkl").read_bytes()
    connector = connect(
        credentials={"client_id": CREDENTIALS["client_id"],
                     "client_secret": CREDENTIALS["client_secret"]},
        zcrmsdk_token_file="tokens",
    )
    list(connector.pull(Kind.EMERGENCY))
    # zcrmsdk kept no api_domain: one refresh with the file's refresh token learns it.
    assert org.accounts.granted == 1
    assert (store / "zcrm_oauthtokens.pkl").read_bytes() == before


class BlockingSession(requests.Session):
    """Holds every request until released, counting how many are in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.inflight = 0
        self.most = 0
        self.entered = threading.Condition()
        self.release = threading.Event()

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
                ) -> requests.Response:
        with self.entered:
            self.inflight += 1
            self.most = max(self.most, self.inflight)
            self.entered.notify_all()
        self.release.wait(10)
        with self.entered:
            self.inflight -= 1
        response = requests.Response()
        response.status_code = 200
        response._content = b'{"data": [], "info": {}}'
        return response


def test_a_tenant_never_has_more_calls_in_flight_than_its_limit() -> None:
    session = BlockingSession()
    store = MemoryTokenStore(StoredTokens(
        "r", AccessToken("a", datetime(2999, 1, 1, tzinfo=UTC), "https://www.zohoapis.com"),
    ))
    tokens = TokenProvider(session, accounts_url="https://accounts.zoho.com", client_id="c",
                           client_secret="s", refresh_token=None, store=store)
    client = ZohoClient(session, tokens, retry=RetryPolicy(sleep=lambda s: None), timeout=5,
                        max_concurrency=2)
    threads = [threading.Thread(target=client.call, args=("GET", f"/M{i}")) for i in range(6)]
    for thread in threads:
        thread.start()
    with session.entered:
        assert session.entered.wait_for(lambda: session.inflight == 2, timeout=10)
    assert not client.limit.acquire(blocking=False)  # the two slots are taken
    session.release.set()
    for thread in threads:
        thread.join(10)
    assert session.most == 2 and client.calls == 6


def test_tenants_in_one_process_never_share_a_token() -> None:
    """The zcrmsdk flaw this client exists to avoid: two orgs pulled at once, in threads."""
    with serve_org(data_centre="US") as us, serve_org(data_centre="EU") as eu:
        connectors = [connector_for(org) for org in (us, eu)]
        for org, connector in zip((us, eu), connectors, strict=True):
            for number in ("C001", "C002", "C003"):
                org.crm.add_account(number, f"Customer {number}")
            seed(connector, Kind.BUSINESS, 3, prefix=org.data_centre.lower())
        results: dict[str, int] = {}

        def pull(name: str, connector: Any) -> None:
            for _ in range(5):
                results[name] = len(records(list(connector.pull(Kind.BUSINESS))))

        threads = [threading.Thread(target=pull, args=(name, c))
                   for name, c in zip(("us", "eu"), connectors, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        for connector in connectors:
            connector.close()
        assert results == {"us": 3, "eu": 3}
        for org in (us, eu):
            assert org.accounts.granted == 1
            assert all(status != 401 for _, status in crm_paths(org))

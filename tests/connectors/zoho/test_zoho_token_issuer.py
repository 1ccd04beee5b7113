"""Tokens kept in the state store are bound to where they came from: pointed at another
accounts server, data centre or client, a system refreshes instead of calling the old org
with the old org's token (and its ``api_domain``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from zoho_helpers import CUSTOMERS, records, seed

from contactsync.models import Kind
from contactsync.secrets import SecretCipher, SystemSecrets, new_key
from contactsync.state import StateStore
from contactsync_zoho.auth import TokenProvider
from contactsync_zoho.emulator import CREDENTIALS, RunningOrg, serve_org
from contactsync_zoho.tokens import (
    SECRET_NAME,
    AccessToken,
    MemoryTokenStore,
    StateTokenStore,
    StoredTokens,
    issuer_fingerprint,
)

KEY = new_key()
FAR = datetime(2999, 1, 1, tzinfo=UTC)


@pytest.fixture
def state(tmp_path: Path) -> Iterator[StateStore]:
    store = StateStore.open(f"sqlite:///{tmp_path / 'state.db'}")
    yield store
    store.close()


@pytest.fixture
def other_org() -> Iterator[RunningOrg]:
    """A second emulated org, with its own accounts server, CRM and records."""
    with serve_org(data_centre="EU") as running:
        for number in CUSTOMERS:
            running.crm.add_account(number, f"Customer {number}")
        yield running


def sealed(state: StateStore) -> SystemSecrets:
    return SystemSecrets("zoho-test", lambda: state, lambda: SecretCipher.from_text(KEY))


def test_a_new_accounts_server_does_not_reuse_the_old_orgs_token(
    org: RunningOrg, other_org: RunningOrg, connect: Any, state: StateStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = connect(token_store="state", secrets=sealed(state))
    seed(first, Kind.EMERGENCY, 2)  # the old org: two records, one token
    seed(connect(accounts_url=other_org.accounts_server.url), Kind.EMERGENCY, 1)
    assert (org.accounts.granted, other_org.accounts.granted) == (1, 1)

    caplog.set_level(logging.INFO, logger="contactsync_zoho")
    moved = connect(
        token_store="state", secrets=sealed(state), accounts_url=other_org.accounts_server.url
    )
    assert len(records(list(moved.pull(Kind.EMERGENCY)))) == 1  # the new org's record
    assert other_org.accounts.granted == 2 and org.accounts.granted == 1
    assert "belongs to another accounts server or client" in caplog.text
    assert KEY not in caplog.text and CREDENTIALS["refresh_token"] not in caplog.text

    # The new org's token replaced the old one: the next run reuses it...
    again = connect(
        token_store="state", secrets=sealed(state), accounts_url=other_org.accounts_server.url
    )
    assert len(records(list(again.pull(Kind.EMERGENCY)))) == 1
    assert other_org.accounts.granted == 2 and again.tokens.refreshes == 0
    # ...and moving back to the old org refreshes there again.
    back = connect(token_store="state", secrets=sealed(state))
    assert len(records(list(back.pull(Kind.EMERGENCY)))) == 2
    assert org.accounts.granted == 2


def test_a_new_client_id_does_not_reuse_the_stored_token(
    org: RunningOrg, connect: Any, state: StateStore
) -> None:
    list(connect(token_store="state", secrets=sealed(state)).pull(Kind.EMERGENCY))
    assert org.accounts.granted == 1
    org.accounts.client_id = "1000.ANOTHERCLIENT"
    credentials = {**CREDENTIALS, "client_id": "1000.ANOTHERCLIENT"}
    moved = connect(token_store="state", secrets=sealed(state), credentials=credentials)
    list(moved.pull(Kind.EMERGENCY))
    assert org.accounts.granted == 2 and moved.tokens.refreshes == 1


def test_another_data_centre_does_not_load_the_stored_token(
    connect: Any, state: StateStore
) -> None:
    token = StoredTokens("1000.r", AccessToken("1000.a", FAR, "https://www.zohoapis.com"))
    connect(token_store="state", secrets=sealed(state), data_centre="US",
            accounts_url="").token_store.save(token)
    eu = connect(token_store="state", secrets=sealed(state), data_centre="EU", accounts_url="")
    assert eu.token_store.load() is None
    us = connect(token_store="state", secrets=sealed(state), data_centre="US", accounts_url="")
    assert us.token_store.load() == token


def test_the_issuer_is_a_digest_of_server_and_client_only(state: StateStore) -> None:
    issuer = issuer_fingerprint("https://accounts.zoho.eu/", "1000.CLIENT")
    assert issuer == issuer_fingerprint("https://accounts.zoho.eu", "1000.CLIENT")
    assert issuer != issuer_fingerprint("https://accounts.zoho.com", "1000.CLIENT")
    assert issuer != issuer_fingerprint("https://accounts.zoho.eu", "1000.OTHER")
    assert "1000.CLIENT" not in issuer and "zoho" not in issuer
    store = StateTokenStore(sealed(state), issuer=issuer)
    store.save(StoredTokens("1000.r", AccessToken("1000.a", FAR, "https://www.zohoapis.eu")))
    kept = sealed(state).get(SECRET_NAME)
    assert kept is not None and kept["issuer"] == issuer


def test_a_token_kept_without_an_issuer_is_not_used(
    org: RunningOrg, connect: Any, state: StateStore, caplog: pytest.LogCaptureFixture
) -> None:
    """Tokens sealed before issuers were kept may be another org's: refreshed once."""
    sealed(state).put(SECRET_NAME, {
        "refresh_token": CREDENTIALS["refresh_token"], "access_token": "1000.old",
        "expires_at": FAR.isoformat(), "api_domain": "https://www.zohoapis.com",
    })
    caplog.set_level(logging.INFO, logger="contactsync_zoho")
    connector = connect(token_store="state", secrets=sealed(state))
    list(connector.pull(Kind.EMERGENCY))
    assert org.accounts.granted == 1
    assert "kept without the accounts server and client" in caplog.text
    kept = sealed(state).get(SECRET_NAME)
    assert kept is not None and kept["api_domain"] == org.crm_server.url
    assert kept["issuer"] == issuer_fingerprint(org.accounts_server.url, CREDENTIALS["client_id"])


def test_a_token_granted_for_another_refresh_token_is_not_used(org: RunningOrg) -> None:
    """Another refresh token of the same client may be another user's or org's."""
    store = MemoryTokenStore(StoredTokens(
        "1000.another-orgs-refresh", AccessToken("1000.a", FAR, "https://www.zohoapis.eu")
    ))
    with requests.Session() as session:
        provider = TokenProvider(
            session, accounts_url=org.accounts_server.url,
            client_id=CREDENTIALS["client_id"], client_secret=CREDENTIALS["client_secret"],
            refresh_token=CREDENTIALS["refresh_token"], store=store,
        )
        token = provider.current()
    assert token.api_domain == org.crm_server.url and org.accounts.granted == 1
    saved = store.load()
    assert saved is not None and saved.refresh_token == CREDENTIALS["refresh_token"]

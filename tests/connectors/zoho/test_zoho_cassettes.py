"""Recorded sync rounds for the US and EU data centres, replayed with ``record_mode="none"``.

Replaying, the connector is configured with the data centre only: it asks that centre's
real accounts server (``accounts.zoho.com`` / ``accounts.zoho.eu``) for a token and then
calls the ``api_domain`` the answer names (``www.zohoapis.com`` / ``.eu``); every answer
comes from the cassette and no request leaves the process. Re-record against the
emulator with ``CONTACTSYNC_RECORD=1`` (the kit's one switch); the recorded hosts are
rewritten to the data centre's and secrets are scrubbed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from vcr.errors import CannotOverwriteExistingCassetteException
from zoho_helpers import REPO, creates, records

from contactsync.connector import ConnectorContext, WriteOp
from contactsync.mapping import load_mapping
from contactsync.models import Kind
from contactsync.testing.cassettes import Scrubber, recording, scan_cassette, use_cassette
from contactsync.testing.contract.samples import sample_contacts
from contactsync_zoho import DATA_CENTRES, ZohoConnector
from contactsync_zoho.emulator import CREDENTIALS, serve_org

CASSETTES = REPO / "cassettes" / "zoho"
OFFSETS = {"US": timedelta(hours=-7), "EU": timedelta(hours=1)}


@contextmanager
def cassette_settings(dc: str, path: Path) -> Iterator[dict[str, Any]]:
    """The system settings to use inside the cassette: the emulator's while recording,
    the data centre alone while replaying."""
    centre = DATA_CENTRES[dc]
    if not recording():
        with use_cassette(path):
            yield {"data_centre": dc, "credentials": dict(CREDENTIALS)}
        return
    with serve_org(data_centre=dc, offset=OFFSETS[dc]) as org:
        for number in ("C001", "C002", "C003"):
            org.crm.add_account(number, f"Customer {number}")
        scrubber = Scrubber().replacing({
            org.crm_server.url: centre.api_domain, org.accounts_server.url: centre.accounts_url,
        })
        with use_cassette(path, scrubber=scrubber):
            yield org.settings()


def sync_round(settings: dict[str, Any]) -> dict[str, Any]:
    """Describe, create both kinds, read, update, archive, read the changes."""
    mapping = load_mapping("zoho")
    context = ConnectorContext("zoho", settings, mapping, Path("."), requests.Session())
    connector = ZohoConnector(context, sleep=lambda seconds: None)
    try:
        schemas = connector.describe()
        made = {
            kind: list(connector.push(kind, creates(mapping, kind, sample_contacts(kind, 3, dc))))
            for kind, dc in ((Kind.EMERGENCY, "tape"), (Kind.BUSINESS, "tape"))
        }
        full = list(connector.pull(Kind.EMERGENCY))
        business = list(connector.pull(Kind.BUSINESS))
        first = records(full)[0]
        update = WriteOp("update", str(first.values["Contactsync_Key"]), {"Role": "值班经理"},
                         first.record_id, "u")
        updated = list(connector.push(Kind.EMERGENCY, [update]))
        gone = made[Kind.BUSINESS][0]
        archived = list(connector.push(
            Kind.BUSINESS, [WriteOp("archive", gone.key, {}, gone.record_id, "a")]
        ))
        changes = list(connector.pull(Kind.BUSINESS, business[-1].cursor))
        return {
            "modules": sorted(s.name for s in schemas.values()),
            "created": {k.value: [r.ok for r in rs] for k, rs in made.items()},
            "customers": sorted(str(r.values["Account"]) for r in records(full)),
            "utc": all(r.modified_at is not None and r.modified_at.utcoffset() == timedelta(0)
                       for r in records(full)),
            "updated": [r.ok for r in updated],
            "archived": [r.ok for r in archived],
            "deleted_feed": [r.record_id == gone.record_id for r in records(changes) if r.deleted],
            "complete": full[-1].complete,
        }
    finally:
        connector.close()
        assert context.session is not None
        context.session.close()


EXPECTED = {
    "modules": ["Contacts", "Emergency_Contacts"],
    "created": {"emergency": [True] * 3, "business": [True] * 3},
    "customers": ["C001", "C002", "C003"],
    "utc": True,
    "updated": [True],
    "archived": [True],
    "deleted_feed": [True],
    "complete": True,
}


@pytest.mark.parametrize("dc", ["US", "EU"])
def test_a_sync_round_replays_against_the_data_centres_hosts(dc: str) -> None:
    path = CASSETTES / f"{dc.lower()}_sync_round.yaml"
    with cassette_settings(dc, path) as settings:
        assert sync_round(settings) == EXPECTED
    text = path.read_text(encoding="utf-8")
    centre = DATA_CENTRES[dc]
    assert f"{centre.accounts_url}/oauth/v2/token" in text
    assert f"{centre.api_domain}/crm/v8/Emergency_Contacts" in text
    assert "127.0.0.1" not in text


@pytest.mark.parametrize("dc", ["US", "EU"])
def test_the_cassettes_hold_no_secret_and_no_real_personal_data(dc: str) -> None:
    path = CASSETTES / f"{dc.lower()}_sync_round.yaml"
    assert scan_cassette(path) == []
    text = path.read_text(encoding="utf-8")
    for secret in (CREDENTIALS["client_secret"], CREDENTIALS["refresh_token"], "-access-"):
        assert secret not in text
    assert "<redacted>" in text


def test_a_connector_that_sends_something_else_fails_the_replay() -> None:
    if recording():
        pytest.skip("only meaningful on replay")
    path = CASSETTES / "eu_sync_round.yaml"
    wrong_centre = {"data_centre": "US", "credentials": dict(CREDENTIALS)}
    with (
        pytest.raises(CannotOverwriteExistingCassetteException),
        use_cassette(path, require_all_played=False),
    ):
        sync_round(wrong_centre)

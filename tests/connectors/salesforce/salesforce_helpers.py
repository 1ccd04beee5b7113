"""Builders for the Salesforce connector tests: the emulator, a connector on it, samples.

A connector reaches the emulator through ``routed_session`` (simple-salesforce always
speaks https; the adapter sends everything to 127.0.0.1). Waits between retries are
recorded, never slept: ``Sleeps`` keeps every wait the connector asked for.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contactsync.connector import ConnectorContext, PullPage, VendorRecord, WriteOp
from contactsync.mapping import SystemMapping, load_mapping, to_vendor
from contactsync.models import Kind
from contactsync.testing.contract.samples import AnyContact, sample_contacts
from contactsync_salesforce import SalesforceConnector
from contactsync_salesforce.emulator import FAKE_INSTANCE, SalesforceEmulator, routed_session

REPO = Path(__file__).resolve().parents[3]
REAL = (REPO / ".." / "shared" / "fixtures" / "real" / "salesforce").resolve()
CASSETTES = REPO / "cassettes" / "salesforce"
CUSTOMERS = ("C001", "C002", "C003")


class Sleeps(list[float]):
    """Stands in for ``time.sleep``: keeps the waits, waits for none."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def real(name: str) -> Any:
    """A recorded real response (JSON) from ``shared/fixtures/real/salesforce``."""
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def make_emulator(**options: Any) -> SalesforceEmulator:
    """An emulator with the three sample customers' Accounts and small query batches."""
    options.setdefault("min_batch_size", 1)
    app = SalesforceEmulator(**options)
    for number in CUSTOMERS:
        app.add_account(number)
    return app


def mapping() -> SystemMapping:
    return load_mapping("salesforce", connector="salesforce")


def connector(
    base_url: str,
    *,
    credentials: Mapping[str, str] | None = None,
    sleep: Sleeps | None = None,
    system_mapping: SystemMapping | None = None,
    **settings: Any,
) -> SalesforceConnector:
    """A connector on the emulator at ``base_url`` (a served URL or a cassette alias)."""
    settings.setdefault("instance_url", FAKE_INSTANCE)
    settings.setdefault("page_size", 2)
    settings.setdefault("lookback_seconds", 1)
    settings.setdefault("timeout_seconds", 5)
    settings["credentials"] = dict(credentials or {})
    context = ConnectorContext(
        system="crm",
        settings=settings,
        mapping=system_mapping or mapping(),
        base_dir=Path("."),
        session=routed_session(base_url),
    )
    return SalesforceConnector(context, sleep=sleep if sleep is not None else Sleeps())


def session_connector(
    app: SalesforceEmulator, base_url: str, **settings: Any
) -> SalesforceConnector:
    """A connector logged in with a session id the emulator granted."""
    return connector(base_url, credentials={"session_id": app.grant_session()}, **settings)


def oauth_connector(app: SalesforceEmulator, base_url: str, **settings: Any) -> SalesforceConnector:
    """A connector using client credentials (its sessions can be renewed)."""
    app.clients["cs-client"] = "cs-client-secret"
    settings.setdefault("login_url", "https://example.my.salesforce.com")
    return connector(
        base_url,
        credentials={"client_id": "cs-client", "client_secret": "cs-client-secret"},
        **settings,
    )


def samples(kind: Kind, count: int, prefix: str = "t") -> list[AnyContact]:
    return sample_contacts(kind, count, prefix)


def creates(kind: Kind, contacts: list[AnyContact]) -> list[WriteOp]:
    om = mapping().for_kind(kind)
    return [WriteOp("create", c.key or "", to_vendor(om, c), None, f"c:{c.key}") for c in contacts]


def records(pages: list[PullPage]) -> list[VendorRecord]:
    return [record for page in pages for record in page.records]


def keys(pages: list[PullPage], kind: Kind = Kind.EMERGENCY) -> list[str]:
    key_field = mapping().for_kind(kind).key_field
    return [str(r.values.get(key_field)) for r in records(pages) if not r.deleted]

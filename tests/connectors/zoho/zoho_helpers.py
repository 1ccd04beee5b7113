"""Helpers shared by the Zoho connector tests (fixtures are in ``conftest.py``)."""

from __future__ import annotations

import pickle
import sys
import types
from pathlib import Path
from typing import Any

import requests

from contactsync.connector import ConnectorContext, PullPage, VendorRecord, WriteOp
from contactsync.mapping import SystemMapping, load_mapping, to_vendor
from contactsync.models import Kind
from contactsync.testing.contract.samples import AnyContact, sample_contacts
from contactsync_zoho import ZohoConnector
from contactsync_zoho.emulator import RunningOrg

REPO = Path(__file__).resolve().parents[3]
REAL_FIXTURES = (REPO / ".." / "shared" / "fixtures" / "real" / "zoho").resolve()
CUSTOMERS = ("C001", "C002", "C003")


class Sleeps(list[float]):
    """Records the waits a retry policy asks for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def records(pages: list[PullPage]) -> list[VendorRecord]:
    return [r for page in pages for r in page.records]


def creates(mapping: SystemMapping, kind: Kind, contacts: list[AnyContact]) -> list[WriteOp]:
    om = mapping.for_kind(kind)
    return [WriteOp("create", c.key or "", to_vendor(om, c), None, f"create:{c.key}")
            for c in contacts]


def seed(connector: ZohoConnector, kind: Kind, count: int, prefix: str = "s") -> list[str]:
    """``count`` sample contacts written through the connector; their record ids."""
    ops = creates(connector.context.mapping, kind, sample_contacts(kind, count, prefix))
    results = list(connector.push(kind, ops))
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return [r.record_id or "" for r in results]


def connector_for(
    org: RunningOrg, mapping: SystemMapping | None = None, **settings: Any
) -> ZohoConnector:
    """A connector to ``org`` outside the ``connect`` fixture (close it when done)."""
    context = ConnectorContext(
        "zoho-test", org.settings(**settings), mapping or load_mapping("zoho"), Path("."),
        requests.Session(),
    )
    return ZohoConnector(context, sleep=lambda seconds: None)


ZcrmsdkEntry = tuple[str, "str | None", str, int]
"""(user e-mail, refresh token, access token, expiry in epoch milliseconds)."""


def write_zcrmsdk_file(path: Path, entries: list[ZcrmsdkEntry], protocol: int = 2) -> None:
    """A token file written the way zcrmsdk writes it: one pickle per user, appended, of a
    ``zcrmsdk.OAuthClient.ZohoOAuthTokens`` (a stand-in class; zcrmsdk is never imported)."""
    module, parent = types.ModuleType("zcrmsdk.OAuthClient"), types.ModuleType("zcrmsdk")

    class ZohoOAuthTokens:
        def __init__(self, refresh: str | None, access: str, expiry: int, email: str) -> None:
            self.refreshToken = refresh
            self.accessToken = access
            self.expiryTime = expiry
            self.userEmail = email

    ZohoOAuthTokens.__module__, ZohoOAuthTokens.__qualname__ = module.__name__, "ZohoOAuthTokens"
    module.ZohoOAuthTokens = ZohoOAuthTokens  # type: ignore[attr-defined]  # a stand-in module
    parent.OAuthClient = module  # type: ignore[attr-defined]  # a stand-in package
    sys.modules.update({"zcrmsdk": parent, "zcrmsdk.OAuthClient": module})
    try:
        with path.open("wb") as handle:
            for email, refresh, access, expiry in entries:
                pickle.dump(ZohoOAuthTokens(refresh, access, expiry, email), handle, protocol)
    finally:
        del sys.modules["zcrmsdk.OAuthClient"], sys.modules["zcrmsdk"]

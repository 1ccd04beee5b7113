"""An emulated Zoho org for tests: the accounts server and the CRM API v8 subset.

``serve_org()`` serves both on 127.0.0.1 (ephemeral ports, through the connector kit's
harness) and yields a ``RunningOrg``: the two apps, their servers (with their fault
scripts and request logs), and the settings and credentials a ``zoho`` system needs to
talk to them. The accounts server names the CRM server as ``api_domain``, so a client
that calls anything but the returned ``api_domain`` fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from contactsync.testing.emulator import Clock, Request, Response, RunningEmulator, route, serve
from contactsync_zoho.emulator.accounts import TokenRegistry, ZohoAccountsEmulator
from contactsync_zoho.emulator.app import ZohoEmulator
from contactsync_zoho.emulator.schema import FieldSpec, ModuleSpec, default_modules, module

__all__ = [
    "CREDENTIALS",
    "FieldSpec",
    "ModuleSpec",
    "RunningOrg",
    "SingleHostZoho",
    "TokenRegistry",
    "ZohoAccountsEmulator",
    "ZohoEmulator",
    "default_modules",
    "module",
    "serve_org",
]

CREDENTIALS = {
    "client_id": "1000.FAKECLIENTID",
    "client_secret": "fake-client-secret",
    "refresh_token": "1000.fake-refresh-token",
}
"""The (fake) credentials the emulated accounts server accepts."""


def accounts_server(
    tokens: TokenRegistry, *, legacy_expiry: bool = False
) -> ZohoAccountsEmulator:
    """An accounts emulator accepting ``CREDENTIALS``."""
    return ZohoAccountsEmulator(
        tokens,
        client_id=CREDENTIALS["client_id"],
        client_secret=CREDENTIALS["client_secret"],
        refresh_token=CREDENTIALS["refresh_token"],
        legacy_expiry=legacy_expiry,
    )


class SingleHostZoho(ZohoEmulator):
    """The CRM API and its accounts server on one host, for harnesses that serve a single
    app (the connector kit's ``EmulatedContract``). ``api_domain`` is the host the token
    request came to.

    Args:
        modules: the org's modules.
        offset: the org's UTC offset.
        clock: the store's clock.
    """

    def __init__(
        self,
        *,
        modules: list[ModuleSpec] | None = None,
        offset: timedelta = timedelta(0),
        clock: Clock | None = None,
    ) -> None:
        tokens = TokenRegistry()
        super().__init__(tokens, modules=modules, offset=offset, clock=clock)
        self.accounts = accounts_server(tokens)

    @route("POST", "/oauth/v2/token")
    def token(self, request: Request) -> Response:
        self.accounts.api_domain = f"http://{request.headers.get('host', '127.0.0.1')}"
        return self.accounts.token(request)


@dataclass
class RunningOrg:
    """An emulated org being served."""

    crm: ZohoEmulator
    accounts: ZohoAccountsEmulator
    crm_server: RunningEmulator
    accounts_server: RunningEmulator
    data_centre: str

    def settings(self, **extra: Any) -> dict[str, Any]:
        """A ``zoho`` system's settings (credentials resolved) for this org."""
        return {
            "data_centre": self.data_centre,
            "accounts_url": self.accounts_server.url,
            "credentials": dict(CREDENTIALS),
            **extra,
        }

    def config_table(self) -> str:
        """The TOML lines of a ``[systems.x]`` table for this org (credentials from the
        variables ``ZOHO_CLIENT_ID``, ``ZOHO_CLIENT_SECRET``, ``ZOHO_REFRESH_TOKEN``)."""
        return (
            'connector = "zoho"\n'
            f'data_centre = "{self.data_centre}"\n'
            f'accounts_url = "{self.accounts_server.url}"\n'
            'credentials = { client_id = { env = "ZOHO_CLIENT_ID" }, '
            'client_secret = { env = "ZOHO_CLIENT_SECRET" }, '
            'refresh_token = { env = "ZOHO_REFRESH_TOKEN" } }\n'
        )


@contextmanager
def serve_org(
    *,
    data_centre: str = "US",
    offset: timedelta = timedelta(0),
    modules: list[ModuleSpec] | None = None,
    legacy_expiry: bool = False,
    clock: Clock | None = None,
    drop_wait: float = 5.0,
) -> Iterator[RunningOrg]:
    """Serve an emulated org on 127.0.0.1 until the block ends.

    Args:
        data_centre: the data centre the system is configured with.
        offset: the org's UTC offset (stamps are rendered in it, like Zoho's).
        modules: the org's modules (default: Accounts, Emergency_Contacts, Contacts).
        legacy_expiry: the accounts server answers in the older token shape.
        clock: the CRM store's clock.
        drop_wait: how long a "commit then drop" fault holds a connection.
    """
    tokens = TokenRegistry()
    crm = ZohoEmulator(tokens, modules=modules, offset=offset, clock=clock)
    accounts = accounts_server(tokens, legacy_expiry=legacy_expiry)
    with serve(crm, drop_wait=drop_wait) as crm_server, serve(accounts) as auth_server:
        accounts.api_domain = crm_server.url
        yield RunningOrg(crm, accounts, crm_server, auth_server, data_centre)

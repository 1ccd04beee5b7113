"""The accounts server of an emulated data centre: ``POST /oauth/v2/token``.

Like Zoho's, it answers a bad refresh token or client with HTTP **200** and
``{"error": "invalid_code"}`` (no ``access_token``), and it can answer in the older shape
(``expires_in`` in milliseconds plus ``expires_in_sec``). Access tokens it issues are
checked by the CRM emulator through the shared ``TokenRegistry``.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from contactsync.testing.emulator import EmulatorApp, Request, Response, json_response, route


@dataclass
class TokenRegistry:
    """Access tokens issued and still valid, shared by the accounts and CRM emulators."""

    valid: set[str] = field(default_factory=set)
    issued: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def issue(self, prefix: str) -> str:
        with self._lock:
            self.issued += 1
            token = f"1000.{prefix}-access-{self.issued:04d}"
            self.valid.add(token)
            return token

    def accepts(self, token: str) -> bool:
        with self._lock:
            return token in self.valid

    def expire_all(self) -> None:
        """Every access token issued so far stops working (as after an hour)."""
        with self._lock:
            self.valid.clear()


class ZohoAccountsEmulator(EmulatorApp):
    """``POST /oauth/v2/token`` with ``grant_type=refresh_token``.

    Args:
        tokens: the registry the CRM emulator checks tokens against.
        client_id, client_secret, refresh_token: the credentials it accepts.
        api_domain: what it answers as ``api_domain`` (the CRM emulator's URL).
        legacy_expiry: answer in the older shape (``expires_in`` in ms, ``expires_in_sec``).
    """

    def __init__(
        self,
        tokens: TokenRegistry,
        *,
        client_id: str = "1000.FAKECLIENTID",
        client_secret: str = "fake-client-secret",
        refresh_token: str = "1000.fake-refresh-token",
        api_domain: str = "",
        legacy_expiry: bool = False,
        token_prefix: str = "fake",
    ) -> None:
        super().__init__()
        self.tokens = tokens
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.api_domain = api_domain
        self.legacy_expiry = legacy_expiry
        self.token_prefix = token_prefix
        self.refreshes = itertools.count(1)
        self.granted = 0

    def error(self, status: int, code: str, message: str) -> Response:
        return json_response({"error": code.lower()}, status)

    @route("POST", "/oauth/v2/token")
    def token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in request.query.items()}
        if request.body:
            form.update({k: v[0] for k, v in parse_qs(request.body.decode("utf-8")).items()})
        if form.get("grant_type") != "refresh_token":
            return json_response({"error": "unsupported_grant_type"})
        if form.get("client_id") != self.client_id:
            return json_response({"error": "invalid_client"})
        if form.get("client_secret") != self.client_secret:
            return json_response({"error": "invalid_client_secret"})
        if form.get("refresh_token") != self.refresh_token:
            return json_response({"error": "invalid_code"})  # HTTP 200, as Zoho does
        self.granted += 1
        access = self.tokens.issue(self.token_prefix)
        if self.legacy_expiry:
            return json_response({
                "access_token": access, "refresh_token": self.refresh_token,
                "expires_in_sec": 3600, "api_domain": self.api_domain,
                "token_type": "Bearer", "expires_in": 3600000,
            })
        return json_response({
            "access_token": access,
            "scope": "ZohoCRM.modules.ALL ZohoCRM.settings.ALL ZohoCRM.coql.READ",
            "api_domain": self.api_domain, "token_type": "Bearer", "expires_in": 3600,
        })

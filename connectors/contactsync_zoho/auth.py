"""The refresh-token flow, one provider per tenant.

A token is refreshed only when there is none, when it has expired (or will within
``EXPIRY_MARGIN``), when it does not say which ``api_domain`` to call, when the store kept
it for another refresh token than the configured one, or once when the API answers 401
``INVALID_TOKEN``. Concurrent callers share one refresh: whoever holds the lock
refreshes, the others find the new token when they get it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from contactsync.errors import AuthError, ConfigError, RetryableError
from contactsync_zoho.retry import RetryPolicy
from contactsync_zoho.settings import check_base_url
from contactsync_zoho.tokens import AccessToken, StoredTokens, TokenStore, parse_token_response

if TYPE_CHECKING:
    from contactsync_zoho.retry import Sleep

log = logging.getLogger("contactsync_zoho")

Clock = Callable[[], datetime]
EXPIRY_MARGIN = timedelta(seconds=60)
TOKEN_PATH = "/oauth/v2/token"


def utc_now() -> datetime:
    return datetime.now(UTC)


class TokenProvider:
    """Access tokens for one tenant, from its accounts server.

    Args:
        session: the injected HTTP session.
        accounts_url: the data centre's accounts server (``https://accounts.zoho.eu``).
        client_id: the OAuth client id.
        client_secret: the OAuth client secret (sent in the form body, never in a URL).
        refresh_token: the refresh token; when ``None`` the store's is used.
        store: where tokens are kept (memory by default).
        clock: the time source (tests move it).
        retry: how a busy accounts server is retried.
        timeout: seconds per call.
    """

    def __init__(
        self,
        session: requests.Session,
        *,
        accounts_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str | None,
        store: TokenStore,
        clock: Clock = utc_now,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        sleep: Sleep | None = None,
    ) -> None:
        self._session = session
        self._url = accounts_url.rstrip("/") + TOKEN_PATH
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._store = store
        self._clock = clock
        self._retry = retry or RetryPolicy(sleep=sleep)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._foreign_noted = False
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"TokenProvider({self._url!r})"

    def current(self) -> AccessToken:
        """A usable access token: the stored one, or a fresh one when it is not usable."""
        held = self._held()
        if held is not None and held.usable_at(self._clock(), EXPIRY_MARGIN):
            return held
        return self.refresh(stale=held)

    def refresh(self, *, stale: AccessToken | None) -> AccessToken:
        """A new access token, unless another caller replaced ``stale`` meanwhile.

        Raises:
            AuthError: the accounts server refused the credentials.
            ConfigError: no refresh token is configured anywhere.
            RetryableError: the accounts server stayed busy through every attempt.
        """
        with self._lock:
            held = self._held()
            if held is not None and held != stale and held.usable_at(self._clock(), EXPIRY_MARGIN):
                return held
            missing = [n for n, v in (("client_id", self._client_id),
                                      ("client_secret", self._client_secret)) if not v]
            if missing:
                raise ConfigError(
                    f"credentials {', '.join(missing)} are required (each "
                    '{ env = "VARIABLE" } in the system\'s credentials table)'
                )
            refresh_token = self._refresh_token or self._stored_refresh_token()
            if not refresh_token:
                raise ConfigError(
                    "no refresh token: set credentials.refresh_token, or point "
                    "zcrmsdk_token_file at an existing zcrmsdk token store"
                )
            token = self._retry.run(lambda: self._request(refresh_token))
            self.refreshes += 1
            self._store.save(StoredTokens(refresh_token=refresh_token, access=token))
            log.info("access token refreshed (valid until %s)", token.expires_at.isoformat())
            return token

    def _held(self) -> AccessToken | None:
        tokens = self._store.load()
        if tokens is None:
            return None
        if self._refresh_token and tokens.refresh_token not in (None, self._refresh_token):
            # Granted for another refresh token (another user or org): its api_domain may
            # be another org's. The next refresh replaces it.
            if not self._foreign_noted:
                self._foreign_noted = True
                log.info("the stored Zoho token was granted for another refresh token; "
                         "it is not used")
            return None
        return tokens.access

    def _stored_refresh_token(self) -> str | None:
        tokens = self._store.load()
        return tokens.refresh_token if tokens is not None else None

    def _request(self, refresh_token: str) -> AccessToken:
        form = {
            "grant_type": "refresh_token",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "refresh_token": refresh_token,
        }
        try:
            response = self._session.post(self._url, data=form, timeout=self._timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RetryableError(
                f"the accounts server did not answer ({type(exc).__name__})"
            ) from None
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = None
        token = parse_token_response(body, response.status_code, self._clock())
        assert token.api_domain is not None  # parse_token_response requires it
        try:
            check_base_url(token.api_domain, "the token answer's api_domain")
        except ConfigError as exc:
            raise AuthError(str(exc)) from None
        return token

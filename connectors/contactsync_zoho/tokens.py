"""OAuth tokens and where they are kept.

A token store is injected into each connector: ``MemoryTokenStore`` (the default: nothing
is written anywhere), ``StateTokenStore`` (sealed with AES-GCM in the state store, see
``contactsync.secrets``), or ``ZcrmsdkFileTokenStore`` for installations migrating from
``zcrmsdk``. A store holds the refresh token and the last access token; the connector
itself never writes a file. Token values never appear in ``repr``, logs or error messages.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from contactsync.errors import AuthError, ConfigError, RetryableError

if TYPE_CHECKING:
    from contactsync.secrets import SecretStore

log = logging.getLogger("contactsync_zoho")

SECRET_NAME = "oauth"
"""The name the tokens are kept under in the system's secrets."""


def issuer_fingerprint(accounts_url: str, client_id: str) -> str:
    """Where tokens come from, as a digest: the accounts server and the OAuth client.

    Kept with tokens sealed in the state store, so that tokens of another accounts server
    (another data centre) or another client are not used after the system is pointed
    elsewhere. The client secret is not part of it: it does not say where tokens come from.
    """
    text = f"{accounts_url.strip().rstrip('/')}\n{client_id.strip()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessToken:
    """An access token and what the accounts server said with it.

    Attributes:
        value: the bearer token (never printed).
        expires_at: when it stops working (aware).
        api_domain: the API host to call with it; ``None`` when the source did not say
            (a ``zcrmsdk`` store), which makes the token unusable until refreshed.
    """

    value: str = field(repr=False)
    expires_at: datetime
    api_domain: str | None = None

    def usable_at(self, now: datetime, margin: timedelta) -> bool:
        """Whether it can be sent at ``now`` and still be valid ``margin`` later."""
        return bool(self.value) and self.api_domain is not None and now + margin < self.expires_at

    def __repr__(self) -> str:
        stamp = self.expires_at.isoformat()
        return f"AccessToken(expires_at={stamp}, api_domain={self.api_domain!r})"


@dataclass(frozen=True)
class StoredTokens:
    """What a token store holds for one tenant."""

    refresh_token: str | None = field(default=None, repr=False)
    access: AccessToken | None = None


class TokenStore(Protocol):
    """Where a connector keeps its tokens. Implementations must be thread-safe."""

    def load(self) -> StoredTokens | None:
        """The tokens held, or ``None``."""

    def save(self, tokens: StoredTokens) -> None:
        """Keep ``tokens`` (a refreshed access token) for the next call."""


class MemoryTokenStore:
    """Tokens in this object only: gone when the process ends, never on disk."""

    def __init__(self, tokens: StoredTokens | None = None) -> None:
        self._tokens = tokens
        self._lock = threading.Lock()

    def load(self) -> StoredTokens | None:
        with self._lock:
            return self._tokens

    def save(self, tokens: StoredTokens) -> None:
        with self._lock:
            self._tokens = tokens

    def __repr__(self) -> str:
        return "MemoryTokenStore(...)"


class StateTokenStore:
    """Tokens sealed in the state store, so the next scheduled run reuses the access token.

    Zoho allows only a few access tokens per refresh token in ten minutes, so a job run
    every few minutes must not refresh on each start. What was loaded or saved is kept in
    memory too: the state store is read once per run, not once per API call.

    The tokens are kept with the fingerprint of their issuer (``issuer_fingerprint``).
    Tokens of another issuer (the system now names another data centre, accounts server
    or client) are not used: their ``api_domain`` is the old org's. They are replaced
    when the new issuer's tokens are saved. So are tokens kept without a fingerprint.

    Args:
        secrets: the system's secrets (``ConnectorContext.secrets``).
        issuer: ``issuer_fingerprint`` of the accounts server and client in use.
    """

    def __init__(self, secrets: SecretStore, *, issuer: str) -> None:
        self._secrets = secrets
        self._issuer = issuer
        self._tokens: StoredTokens | None = None
        self._loaded = False
        self._lock = threading.Lock()

    def load(self) -> StoredTokens | None:
        with self._lock:
            if not self._loaded:
                kept = self._secrets.get(SECRET_NAME)
                if kept is not None and kept.get("issuer") != self._issuer:
                    log.info(
                        "the stored Zoho token %s; it is not used, and the next token "
                        "fetched replaces it",
                        "belongs to another accounts server or client (accounts_url, "
                        "data_centre or client_id changed)" if "issuer" in kept else
                        "was kept without the accounts server and client it came from",
                    )
                    kept = None
                self._tokens = _tokens_from(kept)
                self._loaded = True
            return self._tokens

    def save(self, tokens: StoredTokens) -> None:
        with self._lock:
            self._secrets.put(SECRET_NAME, {**_tokens_to(tokens), "issuer": self._issuer})
            self._tokens, self._loaded = tokens, True

    def __repr__(self) -> str:
        return "StateTokenStore(...)"


def _tokens_to(tokens: StoredTokens) -> dict[str, Any]:
    access = tokens.access
    return {
        "refresh_token": tokens.refresh_token,
        "access_token": access.value if access else None,
        "expires_at": access.expires_at.isoformat() if access else None,
        "api_domain": access.api_domain if access else None,
    }


def _tokens_from(value: Mapping[str, Any] | None) -> StoredTokens | None:
    """What ``_tokens_to`` kept; a value of another shape is refused by name, not guessed."""
    if value is None:
        return None
    try:
        refresh = value.get("refresh_token")
        token, stamp = value.get("access_token"), value.get("expires_at")
        access = None
        if isinstance(token, str) and token and isinstance(stamp, str):
            expires = datetime.fromisoformat(stamp)
            if expires.tzinfo is None:
                raise ValueError("naive expiry")
            domain = value.get("api_domain")
            access = AccessToken(token, expires, domain if isinstance(domain, str) else None)
        return StoredTokens(refresh if isinstance(refresh, str) and refresh else None, access)
    except ValueError:
        raise ConfigError(
            f"the stored secret {SECRET_NAME!r} is not a Zoho token record; forget it with "
            "`contactsync secrets forget`"
        ) from None


def parse_token_response(body: Any, status: int, now: datetime) -> AccessToken:
    """The access token in a token-endpoint answer.

    An answer without ``access_token`` is a failure whatever its status: the endpoint
    answers a bad refresh token with HTTP 200 ``{"error": "invalid_code"}``. The lifetime
    is ``expires_in_sec`` when present (the older shape, where ``expires_in`` is in
    milliseconds), else ``expires_in`` in seconds.

    Raises:
        RetryableError: the server is busy (5xx, or Zoho's "too many requests").
        AuthError: the credentials were refused, or the answer is not a token.
    """
    if not isinstance(body, Mapping):
        if status >= 500 or status == 429:
            raise RetryableError(f"the accounts server answered HTTP {status}")
        raise AuthError(f"the accounts server answered HTTP {status} without a JSON body")
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise _token_failure(body, status)
    api_domain = body.get("api_domain")
    if not isinstance(api_domain, str) or not api_domain:
        raise AuthError("the accounts server's token answer names no api_domain")
    lifetime = body.get("expires_in_sec", body.get("expires_in"))
    if not isinstance(lifetime, int | float) or isinstance(lifetime, bool) or lifetime <= 0:
        raise AuthError("the accounts server's token answer has no usable expires_in")
    return AccessToken(token, now + timedelta(seconds=float(lifetime)), api_domain.rstrip("/"))


def _token_failure(body: Mapping[str, Any], status: int) -> Exception:
    error = str(body.get("error") or body.get("code") or "no access_token")
    description = str(body.get("error_description") or body.get("message") or "")
    if status >= 500 or status == 429 or "too many requests" in description.lower():
        return RetryableError(f"the accounts server is busy ({error})")
    hints = {
        "invalid_code": "the refresh token is not valid (revoked, or from another data centre)",
        "invalid_client": "the client id is not known to this data centre's accounts server",
        "invalid_client_secret": "the client secret does not match the client id",
    }
    hint = hints.get(error, description or "the token request was refused")
    return AuthError(f"the accounts server refused to refresh the token: {error} ({hint})")

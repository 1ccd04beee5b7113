"""The settings a ``salesforce`` system reads from its table in ``contactsync.toml``.

Secrets (client secret, private key, password, security token, session id) only ever
come from ``credentials``, which the core resolves from environment variables; a literal
one in the table is refused. Everything else has a default a real org can start with.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from contactsync.connector import read_number
from contactsync.errors import ConfigError
from contactsync.quota import read_quota_share

AuthFlow = Literal["client_credentials", "jwt", "session", "password"]

DEFAULT_API_VERSION = "66.0"
"""Spring '26: every production org has had it since early 2026 (raise it with
``api_version``; everything used here exists since v46.0)."""

LOGIN_ALIASES = {
    "login": "https://login.salesforce.com",
    "test": "https://test.salesforce.com",
}
DEFAULT_LOGIN_URL = LOGIN_ALIASES["login"]

SECRET_CREDENTIALS = ("client_secret", "private_key", "password", "security_token", "session_id")
"""Credentials that must never be literal in the configuration file."""

MAX_WAIT_SECONDS = 86_400.0
"""A day: the most ``timeout_seconds`` and ``max_wait_seconds`` may be (sockets and
``time.sleep`` refuse far larger values)."""
MAX_LOOKBACK_SECONDS = 366 * 86_400.0
"""A year: a longer lookback is a full read, and one of centuries cannot be computed."""

_VERSION = re.compile(r"[0-9A-Za-z]+\.[0-9]+")
_KNOWN_KEYS = frozenset({
    "auth", "login_url", "instance_url", "api_version", "client_id", "username",
    "private_key_file", "jwt_audience", "quota_share", "lookback_seconds", "page_size",
    "batch_size", "timeout_seconds", "max_attempts", "max_wait_seconds", "customer_object",
    "credentials",
})


@dataclass(frozen=True)
class SalesforceSettings:
    """How to reach the org and how hard to push it.

    Attributes:
        auth: the login flow (inferred from the credentials when not given).
        login_url: where tokens come from: login.salesforce.com, test.salesforce.com or
            the org's My Domain URL (client credentials need the My Domain URL).
        instance_url: the org's URL; required with ``auth = "session"``, otherwise the
            token response names it.
        api_version: REST API version, without the ``v``.
        client_id: the connected app's consumer key (setting or credential).
        username: the integration user (JWT and the deprecated password flow).
        private_key_file: PEM file of the JWT signing key (or credential ``private_key``).
        jwt_audience: the ``aud`` claim; login or test.salesforce.com by default.
        quota_share: stop cleanly once this share of the daily API requests is used.
        lookback_seconds: an incremental pull reads again from this long before the cursor.
        page_size: records per query batch (``Sforce-Query-Options: batchSize``).
        batch_size: records per sObject Collections call (at most 200).
        timeout_seconds: connect and read timeout of one HTTP call.
        max_attempts: tries of one call on passing faults (5xx, 429, row locks, timeouts).
        max_wait_seconds: the longest wait between two tries (``Retry-After`` included).
        customer_object: the object the customer lookup must point to.
        credentials: the resolved credentials (``None`` when the caller did not resolve
            them; the first call then fails with ``AuthError``).
    """

    auth: AuthFlow
    login_url: str = DEFAULT_LOGIN_URL
    instance_url: str | None = None
    api_version: str = DEFAULT_API_VERSION
    client_id: str | None = None
    username: str | None = None
    private_key_file: Path | None = None
    jwt_audience: str | None = None
    quota_share: float = 0.8
    lookback_seconds: float = 300.0
    page_size: int = 2000
    batch_size: int = 200
    timeout_seconds: float = 120.0
    max_attempts: int = 5
    max_wait_seconds: float = 60.0
    customer_object: str = "Account"
    credentials: Mapping[str, str] | None = field(default=None, repr=False)

    def credential(self, name: str) -> str | None:
        """A resolved credential, or the same-named plain setting for non-secrets."""
        value = (self.credentials or {}).get(name)
        if value:
            return value
        if name == "client_id":
            return self.client_id
        if name == "username":
            return self.username
        return None

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, Any], where: str, base_dir: Path
    ) -> SalesforceSettings:
        """Validate a system's table; ``where`` names the system in error messages.

        Raises:
            ConfigError: naming the setting and what it must be.
        """
        unknown = sorted(set(settings) - _KNOWN_KEYS)
        for key in unknown:
            if key in SECRET_CREDENTIALS:
                raise ConfigError(
                    f"{where}: {key!r} is a secret: put it in an environment variable and "
                    f'name it under credentials (credentials = {{ {key} = "SF_{key.upper()}" }})'
                )
        if unknown:
            raise ConfigError(
                f"{where}: unknown setting(s) {', '.join(unknown)} for the salesforce connector"
            )
        raw_credentials = settings.get("credentials")
        credentials = None
        if raw_credentials is not None:
            if not isinstance(raw_credentials, Mapping):
                raise ConfigError(f"{where}: credentials must be a table")
            credentials = {str(k): str(v) for k, v in raw_credentials.items() if v}
        login_url = _url(settings.get("login_url", DEFAULT_LOGIN_URL), "login_url", where)
        instance_url = settings.get("instance_url")
        if instance_url is not None:
            instance_url = _url(instance_url, "instance_url", where)
        version = str(settings.get("api_version", DEFAULT_API_VERSION)).strip().removeprefix("v")
        if not _VERSION.fullmatch(version):
            raise ConfigError(f"{where}: api_version must look like {DEFAULT_API_VERSION!r}")
        key_file = settings.get("private_key_file")
        key_path = None
        if key_file is not None:
            if not isinstance(key_file, str) or not key_file.strip():
                raise ConfigError(f"{where}: private_key_file must be a file name")
            key_path = (base_dir / key_file.strip()).resolve()
        built = cls(
            auth="session",  # replaced below once the credentials are known
            login_url=login_url,
            instance_url=instance_url,
            api_version=version,
            client_id=_text(settings.get("client_id"), "client_id", where),
            username=_text(settings.get("username"), "username", where),
            private_key_file=key_path,
            jwt_audience=_text(settings.get("jwt_audience"), "jwt_audience", where),
            quota_share=read_quota_share(settings, 0.8, where),
            lookback_seconds=read_number(settings, "lookback_seconds", 300.0, where, low=0.0,
                                     high=MAX_LOOKBACK_SECONDS),
            page_size=_whole(settings, "page_size", 2000, where, low=1, high=2000),
            batch_size=_whole(settings, "batch_size", 200, where, low=1, high=200),
            timeout_seconds=read_number(settings, "timeout_seconds", 120.0, where, low=0.0,
                                    high=MAX_WAIT_SECONDS, open_low=True),
            max_attempts=_whole(settings, "max_attempts", 5, where, low=1, high=20),
            max_wait_seconds=read_number(settings, "max_wait_seconds", 60.0, where, low=0.0,
                                     high=MAX_WAIT_SECONDS),
            customer_object=_text(settings.get("customer_object"), "customer_object", where)
            or "Account",
            credentials=credentials,
        )
        flow = _flow(settings.get("auth"), built, where)
        return _checked(cls(**{**built.__dict__, "auth": flow}), where)


def _flow(declared: Any, built: SalesforceSettings, where: str) -> AuthFlow:
    if declared is not None:
        if declared not in ("client_credentials", "jwt", "session", "password"):
            raise ConfigError(
                f"{where}: auth must be client_credentials, jwt, session or password, "
                f"not {declared!r}"
            )
        flow: AuthFlow = declared
        return flow
    has = {name for name in ("session_id", "private_key", "client_secret", "password")
           if built.credential(name)}
    if built.private_key_file is not None:
        has.add("private_key")
    if "session_id" in has:
        return "session"
    if "private_key" in has:
        return "jwt"
    if "password" in has:
        return "password"
    return "client_credentials"


def _checked(settings: SalesforceSettings, where: str) -> SalesforceSettings:
    """Refuse a flow whose credentials are incomplete (only when they were resolved)."""
    if settings.auth == "session" and not settings.instance_url:
        raise ConfigError(f"{where}: auth = \"session\" needs instance_url")
    if settings.auth == "client_credentials" and urlsplit(settings.login_url).hostname in (
        "login.salesforce.com", "test.salesforce.com"
    ):
        raise ConfigError(
            f"{where}: the client credentials flow needs the org's My Domain URL as "
            "login_url (https://<mydomain>.my.salesforce.com), not login/test.salesforce.com"
        )
    if settings.credentials is None:
        return settings
    needed = {
        "session": ("session_id",),
        "client_credentials": ("client_id", "client_secret"),
        "jwt": ("client_id", "username"),
        "password": ("username", "password", "security_token"),
    }[settings.auth]
    missing = [name for name in needed if not settings.credential(name)]
    if settings.auth == "jwt" and not (
        settings.credential("private_key") or settings.private_key_file
    ):
        missing.append("private_key (or the setting private_key_file)")
    if missing:
        raise ConfigError(
            f"{where}: auth = {settings.auth!r} needs credential(s) {', '.join(missing)}"
        )
    return settings


def _url(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a URL")
    text = LOGIN_ALIASES.get(value.strip(), value.strip()).rstrip("/")
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.hostname or parts.path or parts.query:
        raise ConfigError(
            f"{where}: {key} must be an https URL of a host only, such as "
            f"https://mycompany.my.salesforce.com (got {value!r})"
        )
    if parts.username or parts.password:
        raise ConfigError(f"{where}: {key} must not hold a user name or password")
    return text


def _text(value: Any, key: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be non-empty text")
    return value.strip()


def _whole(
    settings: Mapping[str, Any], key: str, default: int, where: str, *, low: int, high: int
) -> int:
    value = settings.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"{where}: setting {key!r} must be a whole number from {low} to {high}")
    return value

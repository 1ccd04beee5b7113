"""The settings a ``zoho`` system reads from its table in ``contactsync.toml``.

The data centre decides the accounts server the refresh-token flow talks to. The API host
is never configured: it is the ``api_domain`` the token response names, every time.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from contactsync.connector import read_number, refuse_unknown_settings
from contactsync.errors import ConfigError
from contactsync.quota import read_quota_share

IncrementalMode = Literal["if_modified_since", "coql"]
CreateMode = Literal["upsert", "insert"]
TokenStoreKind = Literal["memory", "state", "zcrmsdk"]

KNOWN_SETTINGS = frozenset({
    "data_centre", "accounts_url", "accounts_module", "account_key_field", "page_size",
    "lookback_seconds", "incremental", "create_with", "max_concurrency", "max_attempts",
    "timeout_seconds", "token_store", "zcrmsdk_token_file", "zcrmsdk_user", "triggers",
    "quota_share", "credentials",
})


@dataclass(frozen=True)
class DataCentre:
    """One Zoho data centre: where its tokens come from and where its API usually is.

    ``api_domain`` is for documentation and the emulator only; the connector always uses
    the ``api_domain`` of the token response.
    """

    code: str
    accounts_url: str
    api_domain: str


DATA_CENTRES: dict[str, DataCentre] = {
    dc.code: dc
    for dc in (
        DataCentre("US", "https://accounts.zoho.com", "https://www.zohoapis.com"),
        DataCentre("EU", "https://accounts.zoho.eu", "https://www.zohoapis.eu"),
        DataCentre("IN", "https://accounts.zoho.in", "https://www.zohoapis.in"),
        DataCentre("AU", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
        DataCentre("CN", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
        DataCentre("JP", "https://accounts.zoho.jp", "https://www.zohoapis.jp"),
        DataCentre("CA", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
        DataCentre("SA", "https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    )
}

API_VERSION_PATH = "/crm/v8"
MAX_FIELDS_PER_CALL = 50
"""Get Records and COQL take at most 50 field API names a call."""
MAX_RECORDS_PER_WRITE = 100
"""Insert, update, upsert and delete take at most 100 records a call."""
MAX_PER_PAGE = 200
MAX_DISCRETE_PAGES = 10
"""Pages 1-10 of 200 reach 2,000 records; past that only ``page_token`` goes on."""
MAX_IDS_PER_CALL = 100
MAX_SEARCH_VALUES = 10
MAX_TIMEOUT_SECONDS = 86_400.0
"""A day: past that a timeout is no timeout (and far larger ones sockets refuse)."""
MAX_LOOKBACK_SECONDS = 366 * 86_400.0
"""A year: a longer lookback is a full read, and one of centuries cannot be computed."""


@dataclass(frozen=True)
class ZohoSettings:
    """What one ``zoho`` system is configured with (credentials excepted).

    Attributes:
        data_centre: ``US``, ``EU``, ``IN``, ``AU``, ``CN``, ``JP``, ``CA`` or ``SA``.
        accounts_url: the accounts server; defaults to the data centre's. Set it only for
            an emulator or a proxy.
        accounts_module: the module customers live in (``Accounts``).
        account_key_field: the Accounts field holding the customer's cross-system key.
        page_size: records per Get Records page (at most 200).
        lookback_seconds: an incremental pull reads again from this long before the
            cursor's watermark (0 to a year).
        incremental: ``if_modified_since`` (Get Records with the header) or ``coql``.
        create_with: ``upsert`` (idempotent, the default) or ``insert``.
        max_concurrency: the most calls in flight at once for this tenant.
        max_attempts: attempts per call on 429, 5xx and network faults.
        timeout_seconds: connect and read timeout of each call (0.1 s to a day).
        token_store: where access tokens are kept between calls: ``memory`` (the
            default: this process only), ``state`` (sealed in the state store, so scheduled
            runs reuse a token instead of refreshing each time; needs
            ``CONTACTSYNC_SECRET_KEY``) or ``zcrmsdk`` (the file named by
            ``zcrmsdk_token_file``, the default when that is set).
        quota_share: stop cleanly before a call once the org has used this share of its
            API credits (``X-RATELIMIT-LIMIT`` / ``X-RATELIMIT-REMAINING``); greater than
            0 and at most 1.
        zcrmsdk_token_file: a ``zcrmsdk`` file token store to read tokens from.
        zcrmsdk_user: the user e-mail the ``zcrmsdk`` store keys its tokens by.
        triggers: the ``trigger`` list sent with writes (empty: no workflow runs).
    """

    data_centre: str = "US"
    accounts_url: str = ""
    accounts_module: str = "Accounts"
    account_key_field: str = "Account_Number"
    page_size: int = MAX_PER_PAGE
    lookback_seconds: float = 5.0
    incremental: IncrementalMode = "if_modified_since"
    create_with: CreateMode = "upsert"
    max_concurrency: int = 4
    max_attempts: int = 5
    timeout_seconds: float = 30.0
    token_store: TokenStoreKind = "memory"
    quota_share: float = 0.9
    zcrmsdk_token_file: Path | None = None
    zcrmsdk_user: str | None = None
    triggers: tuple[str, ...] = field(default_factory=tuple)

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, Any], where: str, base_dir: Path
    ) -> ZohoSettings:
        """Validate the system's table; ``where`` names it in error messages.

        Raises:
            ConfigError: naming the setting and what it must be.
        """
        refuse_unknown_settings(settings, set(KNOWN_SETTINGS), where)
        read = _Reader(settings, where)
        dc = read.text("data_centre", "US").upper()
        if dc not in DATA_CENTRES:
            raise ConfigError(
                f"{where}: setting 'data_centre' must be one of {', '.join(DATA_CENTRES)}, "
                f"not {dc!r}"
            )
        accounts = read.text("accounts_url", "") or DATA_CENTRES[dc].accounts_url
        check_base_url(accounts, f"{where}: setting 'accounts_url'")
        incremental = read.text("incremental", "if_modified_since")
        if incremental not in ("if_modified_since", "coql"):
            raise ConfigError(
                f"{where}: setting 'incremental' must be 'if_modified_since' or 'coql'"
            )
        create_with = read.text("create_with", "upsert")
        if create_with not in ("upsert", "insert"):
            raise ConfigError(f"{where}: setting 'create_with' must be 'upsert' or 'insert'")
        token_file = read.text("zcrmsdk_token_file", "")
        token_store = read.text("token_store", "zcrmsdk" if token_file else "memory")
        if token_store not in ("memory", "state", "zcrmsdk"):
            raise ConfigError(
                f"{where}: setting 'token_store' must be 'memory', 'state' or 'zcrmsdk', "
                f"not {token_store!r}"
            )
        if token_store == "zcrmsdk" and not token_file:
            raise ConfigError(
                f"{where}: token_store = 'zcrmsdk' needs zcrmsdk_token_file, the file "
                "zcrmsdk keeps its tokens in"
            )
        quota_share = read_quota_share(settings, 0.9, where)
        triggers = settings.get("triggers", [])
        if not isinstance(triggers, list) or not all(isinstance(t, str) for t in triggers):
            raise ConfigError(f"{where}: setting 'triggers' must be a list of names")
        return cls(
            data_centre=dc,
            accounts_url=accounts.rstrip("/"),
            accounts_module=read.text("accounts_module", "Accounts"),
            account_key_field=read.text("account_key_field", "Account_Number"),
            page_size=read.whole("page_size", MAX_PER_PAGE, 1, MAX_PER_PAGE),
            lookback_seconds=read.number("lookback_seconds", 5.0, high=MAX_LOOKBACK_SECONDS),
            incremental=incremental,  # type: ignore[arg-type]  # checked just above
            create_with=create_with,  # type: ignore[arg-type]  # checked just above
            max_concurrency=read.whole("max_concurrency", 4, 1, 25),
            max_attempts=read.whole("max_attempts", 5, 1, 20),
            timeout_seconds=read.number(
                "timeout_seconds", 30.0, low=0.1, high=MAX_TIMEOUT_SECONDS
            ),
            token_store=token_store,  # type: ignore[arg-type]  # checked just above
            quota_share=quota_share,
            zcrmsdk_token_file=(base_dir / token_file) if token_file else None,
            zcrmsdk_user=read.text("zcrmsdk_user", "") or None,
            triggers=tuple(triggers),
        )


def check_base_url(url: str, where: str) -> None:
    """Refuse a URL a bearer token must not be sent to: plain http beyond loopback.

    Raises:
        ConfigError: naming ``where``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigError(f"{where}: {url!r} is not an http(s) URL")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigError(f"{where}: {url!r} is plain http; tokens go over https only")
    if parts.query or parts.fragment:
        raise ConfigError(f"{where}: {url!r} must be a base URL, without a query")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Reader:
    def __init__(self, settings: Mapping[str, Any], where: str) -> None:
        self.settings = settings
        self.where = where

    def text(self, key: str, default: str) -> str:
        value = self.settings.get(key, default)
        if not isinstance(value, str):
            raise ConfigError(f"{self.where}: setting {key!r} must be text")
        return value.strip()

    def whole(self, key: str, default: int, low: int, high: int) -> int:
        value = self.settings.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ConfigError(
                f"{self.where}: setting {key!r} must be a whole number from {low} to {high}"
            )
        return value

    def number(self, key: str, default: float, *, low: float = 0.0, high: float) -> float:
        """A number from ``low`` to ``high`` (NaN and infinities refused)."""
        return read_number(self.settings, key, default, self.where, low=low, high=high)



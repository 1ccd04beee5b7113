"""The settings a ``jiandaoyun`` system reads from its table in ``contactsync.toml``.

::

    [systems.crm]
    connector = "jiandaoyun"
    app_id = "6500000000000000000a0001"
    objects = { emergency = "6500000000000000000e0001", business = "6500000000000000000e0002" }
    credentials = { api_key = { env = "JIANDAOYUN_API_KEY" } }
    customer_form = { entry_id = "6500000000000000000e0003", key_field = "customer_no" }
    # base_url = "https://api.jiandaoyun.com/api"   (a private deployment's address)
    # timeout_seconds = 30, connect_timeout_seconds = 5, lookback_seconds = 120
    # page_size = 100, max_attempts = 6, rate_share = 0.8

The API key is never in the file: ``credentials.api_key`` names the environment variable.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from contactsync.connector import read_number
from contactsync.errors import ConfigError

DEFAULT_BASE_URL = "https://api.jiandaoyun.com/api"
MAX_PAGE_SIZE = 100
"""``data/list`` takes ``limit`` 1..100."""
MAX_BATCH = 100
"""``batch_create`` and ``batch_delete`` take at most 100 records (error 17024 above)."""

MAX_SECONDS = 86_400.0
"""A day: the most a timeout or a wait may be (sockets and ``time.sleep`` refuse far
larger values)."""
MAX_LOOKBACK_SECONDS = 366 * 86_400.0
"""A year: a longer lookback is a full read, and one of centuries cannot be computed."""

_ID = re.compile(r"[0-9a-fA-F]{24}")
"""App, entry and record ids are 24 hexadecimal digits (MongoDB object ids)."""
_KNOWN = {
    "app_id",
    "base_url",
    "timeout_seconds",
    "connect_timeout_seconds",
    "lookback_seconds",
    "page_size",
    "max_attempts",
    "max_wait_seconds",
    "rate_share",
    "customer_form",
    "credentials",
}


@dataclass(frozen=True)
class FormRef:
    """One form: the app it is in and its entry id."""

    app_id: str
    entry_id: str

    def body(self) -> dict[str, str]:
        """The ``app_id``/``entry_id`` pair every v5 call carries."""
        return {"app_id": self.app_id, "entry_id": self.entry_id}

    def __str__(self) -> str:
        return f"{self.app_id}/{self.entry_id}"


@dataclass(frozen=True)
class CustomerForm:
    """The customer form the contact forms link to, and its field holding the key."""

    form: FormRef
    key_field: str


@dataclass(frozen=True)
class JiandaoyunSettings:
    """Validated settings. ``api_key`` is kept out of ``repr``.

    Attributes:
        app_id: the app holding the forms (a form's object may name another app).
        base_url: the API root; calls go to ``<base_url>/v5/app/entry/...``.
        timeout: (connect, read) seconds for every call.
        lookback_seconds: an incremental pull reads again from this long before the
            stored watermark (inclusive), so a late commit or clock skew loses nothing.
        page_size: ``limit`` of each ``data/list`` call.
        max_attempts: calls of one request before a passing fault is given up.
        max_wait_seconds: the longest single backoff wait.
        rate_share: the share of each documented rate the client uses.
        customer_form: when set, the ``customer`` field is a link to this form.
    """

    app_id: str
    api_key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    timeout: tuple[float, float] = (5.0, 30.0)
    lookback_seconds: float = 120.0
    page_size: int = MAX_PAGE_SIZE
    max_attempts: int = 6
    max_wait_seconds: float = 30.0
    rate_share: float = 0.8
    customer_form: CustomerForm | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], where: str) -> JiandaoyunSettings:
        """Validate a system's settings; ``where`` names the system in messages.

        Raises:
            ConfigError: naming the setting and what it must be.
        """
        unknown = sorted(set(settings) - _KNOWN)
        if unknown:
            raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}")
        app_id = _identifier(settings.get("app_id"), f"{where}: setting 'app_id'")
        credentials = settings.get("credentials") or {}
        api_key = credentials.get("api_key") if isinstance(credentials, Mapping) else None
        if not isinstance(api_key, str) or not api_key.strip():
            raise ConfigError(
                f"{where}: the API key is missing; set credentials.api_key = "
                '{ env = "JIANDAOYUN_API_KEY" } and put the key in that variable'
            )
        base_url = settings.get("base_url", DEFAULT_BASE_URL)
        if not isinstance(base_url, str) or not re.match(r"https?://[^\s/]+", base_url):
            raise ConfigError(f"{where}: setting 'base_url' must be an http(s) URL")
        read = read_number(settings, "timeout_seconds", 30.0, where, low=0.001, high=MAX_SECONDS)
        connect = read_number(
            settings, "connect_timeout_seconds", 5.0, where, low=0.001, high=MAX_SECONDS
        )
        page_size = _whole(settings, "page_size", MAX_PAGE_SIZE, where, 1, MAX_PAGE_SIZE)
        share = read_number(settings, "rate_share", 0.8, where, low=0.01, high=math.inf)
        if share > 1:
            raise ConfigError(f"{where}: setting 'rate_share' must be at most 1")
        return cls(
            app_id=app_id,
            api_key=api_key.strip(),
            base_url=base_url.rstrip("/"),
            timeout=(connect, read),
            lookback_seconds=read_number(
                settings, "lookback_seconds", 120.0, where, low=0.0, high=MAX_LOOKBACK_SECONDS
            ),
            page_size=page_size,
            max_attempts=_whole(settings, "max_attempts", 6, where, 1, 20),
            max_wait_seconds=read_number(
                settings, "max_wait_seconds", 30.0, where, low=0.0, high=MAX_SECONDS
            ),
            rate_share=share,
            customer_form=_customer_form(settings.get("customer_form"), app_id, where),
        )

    def form(self, obj: str, where: str) -> FormRef:
        """The form a mapping object names: ``<entry_id>`` or ``<app_id>/<entry_id>``."""
        app, _, entry = obj.rpartition("/")
        return FormRef(
            _identifier(app or self.app_id, f"{where}: app id of form {obj!r}"),
            _identifier(entry, f"{where}: entry id of form {obj!r}"),
        )


def _identifier(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value.strip()):
        raise ConfigError(
            f"{what} must be a Jiandaoyun id (24 hexadecimal digits), not {value!r}; "
            "copy it from the form's address or its API page (开放平台 > API 文档)"
        )
    return value.strip()


def _whole(
    settings: Mapping[str, Any], name: str, default: int, where: str, low: int, high: int
) -> int:
    value = settings.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"{where}: setting {name!r} must be a whole number from {low} to {high}")
    return value


def _customer_form(value: Any, app_id: str, where: str) -> CustomerForm | None:
    if value is None:
        return None
    here = f"{where}: setting 'customer_form'"
    if not isinstance(value, Mapping):
        raise ConfigError(f"{here} must be a table with entry_id and key_field")
    extra = sorted(set(value) - {"app_id", "entry_id", "key_field"})
    if extra:
        raise ConfigError(f"{here}: unknown key(s) {', '.join(extra)}")
    key_field = value.get("key_field")
    if not isinstance(key_field, str) or not key_field.strip():
        raise ConfigError(f"{here}: key_field must name the customer form's field holding the key")
    form = FormRef(
        _identifier(value.get("app_id", app_id), f"{here} app_id"),
        _identifier(value.get("entry_id"), f"{here} entry_id"),
    )
    return CustomerForm(form, key_field.strip())


__all__ = [
    "DEFAULT_BASE_URL",
    "MAX_BATCH",
    "MAX_PAGE_SIZE",
    "CustomerForm",
    "FormRef",
    "JiandaoyunSettings",
]

"""The settings an ``example_crm`` system reads from its table in ``contactsync.toml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contactsync.errors import ConfigError

MAX_PAGE_SIZE = 200
"""The API's largest page (``limit``)."""


def _number(
    settings: Mapping[str, Any], key: str, default: float, low: float, high: float, where: str
) -> float:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"{where}: setting {key!r} must be a number from {low:g} to {high:g}")
    return float(value)


@dataclass(frozen=True)
class ExampleCrmSettings:
    """Where the API is and how hard to try.

    Attributes:
        base_url: the API's root, e.g. ``https://acme.example-crm.test``.
        api_token: the API token (from ``credentials``; never logged).
        page_size: records per page.
        lookback_seconds: an incremental pull reads again from this long before the
            cursor's watermark, so a write that committed late is not missed.
        timeout_seconds: the connect and read timeout of each call.
        max_attempts: tries of one call on 429, 5xx, timeouts and dropped connections.
        backoff_seconds: the first wait between tries (exponential with jitter after).
        max_retry_after_seconds: the longest ``Retry-After`` honoured.
    """

    base_url: str
    api_token: str
    page_size: int = MAX_PAGE_SIZE
    lookback_seconds: float = 5.0
    timeout_seconds: float = 30.0
    max_attempts: int = 4
    backoff_seconds: float = 0.5
    max_retry_after_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], where: str) -> ExampleCrmSettings:
        """Validate the settings; ``where`` names the system in error messages.

        Raises:
            ConfigError: naming the setting and what it must be.
        """
        base_url = settings.get("base_url")
        if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
            raise ConfigError(f"{where}: setting 'base_url' must be the API's http(s) URL")
        credentials = settings.get("credentials") or {}
        token = credentials.get("api_token") if isinstance(credentials, Mapping) else None
        if not isinstance(token, str) or not token:
            raise ConfigError(
                f'{where}: needs credentials = {{ api_token = {{ env = "EXAMPLE_CRM_TOKEN" }} }}'
            )
        return cls(
            base_url=base_url.rstrip("/"),
            api_token=token,
            page_size=int(_number(settings, "page_size", MAX_PAGE_SIZE, 1, MAX_PAGE_SIZE, where)),
            lookback_seconds=_number(settings, "lookback_seconds", 5.0, 0, 3600, where),
            timeout_seconds=_number(settings, "timeout_seconds", 30.0, 0.01, 600, where),
            max_attempts=int(_number(settings, "max_attempts", 4, 1, 10, where)),
            backoff_seconds=_number(settings, "backoff_seconds", 0.5, 0, 60, where),
            max_retry_after_seconds=_number(
                settings, "max_retry_after_seconds", 60.0, 0, 3600, where
            ),
        )

    def __repr__(self) -> str:  # the token never reaches a log
        return f"ExampleCrmSettings(base_url={self.base_url!r}, page_size={self.page_size})"

"""Calls to the Example CRM: the bearer token, timeouts, and retries by recovery intent.

* 429, 5xx, timeouts and dropped connections are ``RetryableError``: tried again up to
  ``max_attempts`` times, waiting what ``Retry-After`` says (capped) or an exponential
  backoff with jitter; then the ``RetryableError`` goes to the caller (apply journals the
  batch and a resume sends it again: upserts by external id, so no duplicate).
* 401 is ``AuthError``: a static token cannot be refreshed.
* Any other answer goes back to the caller, who reads the vendor's error from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential
from tenacity.wait import wait_base

from contactsync.errors import AuthError, RetryableError
from contactsync_example_crm.settings import ExampleCrmSettings

Sleep = Callable[[float], None]


class _WaitRetryAfter(wait_base):
    """``Retry-After`` when the vendor gave one, else exponential backoff with full jitter."""

    def __init__(self, settings: ExampleCrmSettings) -> None:
        self.cap = settings.max_retry_after_seconds
        self.backoff = wait_random_exponential(multiplier=settings.backoff_seconds, max=30)

    def __call__(self, retry_state: Any) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, RetryableError) and error.retry_after is not None:
            return min(error.retry_after, self.cap)
        return float(self.backoff(retry_state))


def _retry_after(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(raw)) if raw else None
    except ValueError:
        return None  # an HTTP date: fall back to the backoff


class ExampleCrmClient:
    """One system's calls, through the injected ``requests.Session``."""

    def __init__(
        self, session: requests.Session, settings: ExampleCrmSettings, sleep: Sleep
    ) -> None:
        self.session = session
        self.settings = settings
        self.sleep = sleep

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> requests.Response:
        """The answer to one call, tried again on passing faults.

        Raises:
            RetryableError: when every try hit a passing fault.
            AuthError: when the token is refused.
        """
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=_WaitRetryAfter(self.settings),
            retry=retry_if_exception_type(RetryableError),
            sleep=self.sleep,
            reraise=True,
        )
        response: requests.Response = retrying(self._once, method, path, params, body)
        return response

    def _once(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any
    ) -> requests.Response:
        url = f"{self.settings.base_url}{path}"
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=body,
                headers={
                    "Authorization": f"Bearer {self.settings.api_token}",
                    "Accept": "application/json",
                },
                timeout=self.settings.timeout_seconds,
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            # The call may have committed: the caller retries it as an upsert by key.
            raise RetryableError(f"Example CRM {method} {path}: {type(exc).__name__}") from None
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(
                f"Example CRM {method} {path}: HTTP {response.status_code}",
                retry_after=_retry_after(response),
            )
        if response.status_code == 401:
            raise AuthError("the Example CRM refused the API token (HTTP 401)")
        return response


def vendor_error(response: requests.Response) -> tuple[str, str]:
    """The vendor's ``(code, message)`` of a whole-call error."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    code = str(error.get("code") or f"HTTP_{response.status_code}")
    return code, str(error.get("message") or response.reason or "no message")

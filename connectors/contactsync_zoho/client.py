"""The thin client: one per tenant, over the injected ``requests.Session``.

Every call goes to ``{api_domain}/crm/v8{path}`` with the tenant's current access token,
under the tenant's concurrency limit, with a timeout, and is retried by ``RetryPolicy``
on 429, 5xx and network faults. Authentication answers are sorted by what to do:

* 401 ``INVALID_TOKEN``: refresh once and repeat the call; a second one is ``AuthError``;
* 401 ``OAUTH_SCOPE_MISMATCH``: the token lacks a scope, a ``ConfigError`` (no refresh
  gives a token a scope it was not granted);
* any other 401 or 403: ``AuthError`` / ``ZohoApiError``.

Every answer's ``X-RATELIMIT-LIMIT`` / ``X-RATELIMIT-REMAINING`` (the org's API credits in
a rolling 24 hours) feed a ``QuotaGate``: once the org has used ``quota_share`` of them,
the next call is not made and the run stops with a checkpoint (exit code 4).

Nothing here logs a header or a body: tokens, secrets and personal data stay out of logs.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from contactsync.errors import AuthError, ConfigError, ContactsyncError, RetryableError
from contactsync.quota import ApiUsage, QuotaGate
from contactsync_zoho.auth import TokenProvider
from contactsync_zoho.retry import RateLimited, RetryPolicy, retry_after_seconds
from contactsync_zoho.settings import API_VERSION_PATH

log = logging.getLogger("contactsync_zoho")

NO_CONTENT = (204, 304)


class ZohoApiError(ContactsyncError):
    """A call Zoho refused as a whole (not a per-record error).

    Attributes:
        status: the HTTP status.
        code: Zoho's error code (``INVALID_MODULE``, ``NO_PERMISSION``...).
        details: Zoho's ``details`` object.
    """

    def __init__(self, status: int, code: str, message: str, details: Mapping[str, Any]) -> None:
        super().__init__(f"Zoho answered HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.details = dict(details)


@dataclass(frozen=True)
class ZohoResponse:
    """An answer the caller handles: its status and JSON body (``None`` when empty)."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def data(self) -> list[Any]:
        """The ``data`` array (empty for 204/304 or a body without one)."""
        if isinstance(self.body, Mapping) and isinstance(self.body.get("data"), list):
            return list(self.body["data"])
        return []

    @property
    def info(self) -> Mapping[str, Any]:
        info = self.body.get("info") if isinstance(self.body, Mapping) else None
        return info if isinstance(info, Mapping) else {}


def error_parts(body: Any) -> tuple[str, str, Mapping[str, Any]]:
    """Zoho's ``code``, ``message`` and ``details`` of a whole-call error body."""
    if isinstance(body, Mapping):
        code = body.get("code")
        if code is None and isinstance(body.get("data"), list) and body["data"]:
            first = body["data"][0]
            if isinstance(first, Mapping):
                body = first
                code = body.get("code")
        details = body.get("details")
        return (
            str(code or "UNKNOWN"),
            str(body.get("message") or ""),
            details if isinstance(details, Mapping) else {},
        )
    return "UNKNOWN", "", {}


class ZohoClient:
    """Calls to one tenant's CRM. See the module docstring.

    Args:
        session: the injected session (cassettes, emulators and fault injection plug in).
        tokens: the tenant's token provider.
        retry: the retry policy (its sleep is injectable).
        timeout: seconds for connect and for read, per call.
        max_concurrency: the most calls in flight at once.
        quota_share: the share of the org's API credits a run may use.
    """

    def __init__(
        self,
        session: requests.Session,
        tokens: TokenProvider,
        *,
        retry: RetryPolicy,
        timeout: float,
        max_concurrency: int,
        quota_share: float = 1.0,
    ) -> None:
        self.session = session
        self.tokens = tokens
        self.retry = retry
        self.timeout = timeout
        self.limit = threading.BoundedSemaphore(max_concurrency)
        self.quota = QuotaGate(
            quota_share, window="Zoho counts the credits of a rolling 24 hours"
        )
        self.calls = 0

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        accept: tuple[int, ...] = (),
    ) -> ZohoResponse:
        """One API call, retried on passing faults.

        Args:
            method: the HTTP method.
            path: the path below ``/crm/v8`` (``/Contacts``, ``/settings/fields``).
            params: query parameters.
            body: a JSON body.
            headers: extra headers (``If-Modified-Since``...).
            accept: error statuses the caller handles itself (400, 207 and 412 of writes).

        Raises:
            ZohoApiError: a refusal the caller did not accept.
            AuthError, ConfigError: see the module docstring.
            QuotaExhausted, RetryableError: a passing fault outlasted the retries.
        """
        return self.retry.run(
            lambda: self._attempt(method, path, params, body, dict(headers or {}), accept)
        )

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: dict[str, str],
        accept: tuple[int, ...],
    ) -> ZohoResponse:
        self.quota.check(f"{method} {path}", "API credits")
        token = self.tokens.current()
        response = self._send(method, path, params, body, headers, token.value, token.api_domain)
        if response.status_code == 401:
            code, message, _ = error_parts(_json(response))
            if code == "OAUTH_SCOPE_MISMATCH":
                raise ConfigError(
                    f"Zoho refused {method} {path}: the OAuth token lacks a scope this call "
                    f"needs (OAUTH_SCOPE_MISMATCH: {message}); grant ZohoCRM.modules.ALL, "
                    "ZohoCRM.settings.ALL and ZohoCRM.coql.READ and create a new refresh token"
                )
            if code != "INVALID_TOKEN":
                raise AuthError(f"Zoho refused the credentials for {method} {path}: {code}")
            log.info("access token refused (INVALID_TOKEN); refreshing once")
            token = self.tokens.refresh(stale=token)
            response = self._send(
                method, path, params, body, headers, token.value, token.api_domain
            )
            if response.status_code == 401:
                code, _, _ = error_parts(_json(response))
                raise AuthError(
                    f"Zoho refused a freshly refreshed token for {method} {path} ({code})"
                )
        return self._sorted(method, path, response, accept)

    def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: Any,
        headers: dict[str, str],
        token: str,
        api_domain: str | None,
    ) -> requests.Response:
        url = f"{api_domain}{API_VERSION_PATH}{path}"
        sent = {**headers, "Authorization": f"Zoho-oauthtoken {token}"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            sent["Content-Type"] = "application/json"
        with self.limit:
            self.calls += 1
            try:
                response = self.session.request(
                    method, url, params=params, data=data, headers=sent,
                    timeout=(self.timeout, self.timeout), allow_redirects=False,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise RetryableError(
                    f"{method} {path}: no answer from Zoho ({type(exc).__name__})"
                ) from None
        log.debug("%s %s -> %s", method, path, response.status_code)
        usage = rate_limit_usage(response.headers)
        if usage is not None:
            self.quota.observe(usage)
        return response

    def _sorted(
        self, method: str, path: str, response: requests.Response, accept: tuple[int, ...]
    ) -> ZohoResponse:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        if status in NO_CONTENT:
            return ZohoResponse(status, None, headers)
        body = _json(response)
        if status == 429:
            code, message, _ = error_parts(body)
            raise RateLimited(
                f"{method} {path}: rate limited ({code})",
                retry_after=retry_after_seconds(headers.get("retry-after")),
            )
        if status >= 500:
            raise RetryableError(
                f"{method} {path}: Zoho answered HTTP {status}",
                retry_after=retry_after_seconds(headers.get("retry-after")),
            )
        if 200 <= status < 300 or status in accept:
            if body is None and status not in accept:
                raise RetryableError(f"{method} {path}: HTTP {status} with a body that is not JSON")
            return ZohoResponse(status, body, headers)
        code, message, details = error_parts(body)
        raise ZohoApiError(status, code, message, details)


def rate_limit_usage(headers: Mapping[str, str]) -> ApiUsage | None:
    """The org's credits from ``X-RATELIMIT-LIMIT`` and ``X-RATELIMIT-REMAINING``.

    Headers that are missing, not whole numbers or inconsistent say nothing (``None``):
    a gate must not stop a run on figures it cannot read.
    """
    limit, remaining = headers.get("X-RATELIMIT-LIMIT"), headers.get("X-RATELIMIT-REMAINING")
    if limit is None or remaining is None:
        return None
    try:
        total, left = int(limit.strip()), int(remaining.strip())
    except ValueError:
        return None
    if total <= 0 or not 0 <= left <= total:
        return None
    return ApiUsage(total - left, total)


def _json(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None

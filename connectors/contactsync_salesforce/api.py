"""The REST calls the connector makes, through simple-salesforce, with everything around them
that simple-salesforce leaves to its caller.

* **Session.** ``simple_salesforce.Salesforce`` is built in its direct mode (session id +
  instance URL) on the injected ``requests.Session``; on a 401 the token is renewed once
  and the call tried once more, then ``AuthError``. No recursion, whatever the 401 body.
* **Retries.** Passing faults (5xx, 429, ``UNABLE_TO_LOCK_ROW``, timeouts, dropped
  connections, a 2xx body that is not JSON) are retried with tenacity: exponential
  backoff with jitter, ``Retry-After`` honoured, at most ``max_attempts`` tries and
  ``max_wait_seconds`` between two. Every write this connector makes is keyed (upsert by
  external id, update or delete by record id), so a retry after a timeout that hid a
  commit cannot duplicate a record.
* **Limits.** A response hook on the session reads ``Sforce-Limit-Info`` (and ``Date``)
  from every response, errors included. Before each call, once the day's usage is at
  ``quota_share`` of the limit, the call is not made: ``SalesforceQuotaExhausted`` says
  the figures. ``REQUEST_LIMIT_EXCEEDED`` raises the same.

``calls`` counts the REST calls sent (for the API-calls benchmark); logins are counted
apart in ``logins``.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from contactsync.errors import AuthError, RetryableError
from contactsync.quota import ApiUsage, BudgetSpent, QuotaGate
from contactsync_salesforce.auth import Authenticator, Token, authenticator_for
from contactsync_salesforce.errors import SalesforceQuotaExhausted, classify
from contactsync_salesforce.settings import SalesforceSettings

log = logging.getLogger("contactsync.salesforce")

T = TypeVar("T")
Sleep = Callable[[float], None]


class _SessionRefused(Exception):
    """A 401: the access token is no longer accepted."""


class SalesforceApi:
    """One org's REST API, for one connector.

    Args:
        settings: the system's settings.
        session: the injected HTTP session (cassettes, emulators and faults plug in here).
        sleep: waits between retries (tests pass a recorder instead of waiting).
        authenticator: the login flow; by default the one the settings name.
    """

    def __init__(
        self,
        settings: SalesforceSettings,
        session: requests.Session,
        *,
        sleep: Sleep = time.sleep,
        authenticator: Authenticator | None = None,
    ) -> None:
        self.settings = settings
        self.session = session
        self.authenticator = authenticator or authenticator_for(settings)
        self._sleep = sleep
        self._token: Token | None = None
        self._client: Salesforce | None = None
        self._last_headers: Mapping[str, str] = {}
        self._backoff = wait_exponential_jitter(
            initial=1, max=max(settings.max_wait_seconds, 0.001), jitter=1
        )
        self.quota = QuotaGate(
            settings.quota_share, window="Salesforce counts a rolling 24 hours"
        )
        self.server_time: datetime | None = None
        self.calls = 0
        self.logins = 0
        self.refreshes = 0
        session.hooks.setdefault("response", []).append(self._observe)

    def close(self) -> None:
        hooks = self.session.hooks.get("response", [])
        if self._observe in hooks:
            hooks.remove(self._observe)
        self._client = None
        self._token = None

    # -- the calls ------------------------------------------------------------------------

    @property
    def data_path(self) -> str:
        """``/services/data/vXX.X``: the root composite subrequests are addressed under."""
        return f"/services/data/v{self.settings.api_version}"

    def query(self, soql: str, call: str, *, batch_size: int | None = None) -> Any:
        """The first batch of a SOQL query."""
        headers = {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else {}
        return self.call(
            call,
            lambda sf: sf.query(soql, headers=headers, timeout=self.settings.timeout_seconds),
        )

    def query_more(self, next_records_url: str, call: str) -> Any:
        """The batch at ``nextRecordsUrl``: relative as the API returns it, or absolute.

        An absolute URL is taken by its path, on this org's instance (the token is valid
        there and only there).
        """
        parts = urlsplit(next_records_url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith("/services/data/"):
            raise RetryableError(f"Salesforce sent an unusable nextRecordsUrl for {call}")
        return self.call(
            call,
            lambda sf: sf.query_more(
                path, identifier_is_url=True, timeout=self.settings.timeout_seconds
            ),
        )

    def rest(
        self,
        method: str,
        path: str,
        call: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> Any:
        """One call under ``/services/data/vXX.X/``; ``None`` for an empty answer."""
        kwargs: dict[str, Any] = {"timeout": self.settings.timeout_seconds}
        if body is not None:
            kwargs["data"] = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self.call(
            call,
            lambda sf: sf.restful(path, params=dict(params or {}), method=method, **kwargs),
        )

    def composite_get(self, urls: Mapping[str, str], call: str) -> dict[str, tuple[int, Any]]:
        """Several GETs in one ``/composite`` call: reference id → (status, body).

        A 200 from ``/composite`` says nothing about its subrequests: every one has its
        own ``httpStatusCode``, returned here for the caller to judge.
        """
        request = {
            "compositeRequest": [
                {"referenceId": ref, "method": "GET", "url": url} for ref, url in urls.items()
            ],
        }
        answer = self.rest("POST", "composite", call, body=request)
        results: dict[str, tuple[int, Any]] = {}
        items = answer.get("compositeResponse") if isinstance(answer, Mapping) else None
        for item in items or []:
            if isinstance(item, Mapping) and item.get("referenceId") in urls:
                results[str(item["referenceId"])] = (
                    int(item.get("httpStatusCode") or 0), item.get("body")
                )
        return results

    # -- the machinery ----------------------------------------------------------------------

    def call(self, call: str, action: Callable[[Salesforce], T]) -> T:
        """Run ``action`` with the client: quota check, retries, one session refresh."""
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=self._wait,
            retry=retry_if_exception_type(RetryableError),
            sleep=self._sleep,
            reraise=True,
            before_sleep=lambda state: _log_retry(call, state),
        )
        result: T = retrying(self._attempt, call, action)
        return result

    def _attempt(self, call: str, action: Callable[[Salesforce], T]) -> T:
        self._check_quota(call)
        client = self._connected()
        try:
            return self._once(call, action, client)
        except _SessionRefused:
            pass
        if not self.authenticator.can_refresh:
            self._forget_session()
            raise AuthError(
                f"Salesforce refused the session for {call} (INVALID_SESSION_ID) and a "
                "session id cannot be renewed: set a fresh one, or configure the JWT bearer "
                "or client credentials flow"
            )
        log.info("salesforce: the session expired during %s; logging in again", call)
        self._forget_session()
        client = self._connected()
        self.refreshes += 1
        try:
            return self._once(call, action, client)
        except _SessionRefused:
            self._forget_session()
            raise AuthError(
                f"Salesforce refused {call} again right after a new {self.authenticator.flow} "
                "login: check the connected app's policies and the integration user"
            ) from None

    def _once(self, call: str, action: Callable[[Salesforce], T], client: Salesforce) -> T:
        self.calls += 1
        log.debug("salesforce: %s", call)
        try:
            return action(client)
        except SalesforceExpiredSession:
            raise _SessionRefused from None
        except SalesforceError as exc:
            raise classify(
                call, exc.status, exc.content, self._last_headers, self.usage,
                self.settings.quota_share,
            ) from None
        except (
            requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError
        ) as exc:
            raise RetryableError(
                f"Salesforce did not answer {call} ({type(exc).__name__})"
            ) from None
        except json.JSONDecodeError:
            raise RetryableError(
                f"Salesforce answered {call} with a body that is not JSON"
            ) from None

    def _connected(self) -> Salesforce:
        if self._client is None:
            if self._token is None:
                self._token = self.authenticator.login(self.session)
                self.logins += 1
            self._client = Salesforce(
                instance_url=self._token.instance_url,
                session_id=self._token.access_token,
                session=self.session,
                version=self.settings.api_version,
                object_pairs_hook=dict,
            )
        return self._client

    def _forget_session(self) -> None:
        self._token = None
        self._client = None

    def _check_quota(self, call: str) -> None:
        try:
            self.quota.check(call, "daily API requests")
        except BudgetSpent as exc:  # the vendor's own type, for callers that catch it
            raise SalesforceQuotaExhausted(str(exc), usage=exc.usage, share=exc.share) from None

    @property
    def usage(self) -> ApiUsage | None:
        """The org's API usage the last answer reported."""
        return self.quota.usage

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        asked = getattr(error, "retry_after", None)
        if isinstance(asked, int | float):
            return float(min(max(asked, 0.0), self.settings.max_wait_seconds))
        return float(self._backoff(state))

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Response hook: the figures every Salesforce response carries."""
        self._last_headers = response.headers
        info = response.headers.get("Sforce-Limit-Info")
        if info:
            parsed = Salesforce.parse_api_usage(info).get("api-usage")
            if parsed is not None:
                self.quota.observe(ApiUsage(int(parsed.used), int(parsed.total)))
        date = response.headers.get("Date")
        if date:
            try:
                moment = email.utils.parsedate_to_datetime(date)
            except (TypeError, ValueError):
                return
            self.server_time = (
                moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
            )


def _log_retry(call: str, state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    wait = state.next_action.sleep if state.next_action is not None else 0.0
    log.warning(
        "salesforce: %s failed (%s); try %d again in %.1fs", call, error,
        state.attempt_number + 1, wait,
    )

"""The HTTP client: JSON POSTs to the v5 interfaces, rate-limited and retried.

Every call is ``POST <base_url>/v5/<endpoint>`` with a JSON body, the header
``Authorization: Bearer <API key>`` and the configured (connect, read) timeouts. Before
each attempt the rate limiter is asked for room. A passing fault (8303, 8304, 9007, 4012,
HTTP 429/5xx, a timeout, a dropped connection, an unreadable success body) is retried with
exponential backoff and jitter (tenacity), at least as long as the vendor asked
(``Retry-After``, one second for the frequency limits), at most ``max_attempts`` calls.
Every write the connector sends is safe to send twice: creates carry a ``transaction_id``,
updates set the same values again and deletes are checked afterwards.

The API key lives in the header of each request only: never in a URL, an exception or a
log line.
"""

from __future__ import annotations

import json
import logging
import math
import random
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from contactsync.redact import mask_text
from contactsync_jiandaoyun.codes import JiandaoyunError, TransientError, error_for
from contactsync_jiandaoyun.limiter import RateLimiter, Sleep
from contactsync_jiandaoyun.settings import JiandaoyunSettings

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 0.5
Body = dict[str, Any]


class JiandaoyunClient:
    """Calls the v5 interfaces for one system.

    Args:
        session: the injected ``requests.Session`` (cassettes, emulators, shared budget).
        settings: the system's settings (base URL, key, timeouts, retry limits).
        limiter: the rate limiter (its clock and sleep are the client's too).
        sleep: waits between retries (default: the limiter's).
        jitter: a random source for backoff jitter (tests pass a seeded one).
    """

    def __init__(
        self,
        session: requests.Session,
        settings: JiandaoyunSettings,
        limiter: RateLimiter,
        *,
        sleep: Sleep | None = None,
        jitter: random.Random | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.limiter = limiter
        self.sleep: Sleep = sleep or limiter.sleep
        self.jitter = jitter or random.Random()
        self.calls = 0
        """HTTP requests sent so far (attempts included), for reports and tests."""

    def url(self, endpoint: str) -> str:
        return f"{self.settings.base_url}/v5/{endpoint}"

    def call(self, endpoint: str, body: Body) -> Body:
        """POST ``body`` to ``endpoint`` and return the answer's JSON object.

        Raises:
            TransientError: a passing fault that outlasted ``max_attempts`` calls.
            ConfigError, AuthError: the configuration or the key is refused.
            JiandaoyunError: any other error answer, with the vendor's code and message.
        """
        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=self._wait,
            sleep=self.sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        result: Body = retrying(self._once, endpoint, body)
        return result

    # -- one attempt -------------------------------------------------------------------

    def _once(self, endpoint: str, body: Body) -> Body:
        self.limiter.acquire(endpoint)
        self.calls += 1
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        headers = {
            "Authorization": f"Bearer {self.settings.api_key}",
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
        }
        try:
            response = self.session.post(
                self.url(endpoint), data=payload, headers=headers, timeout=self.settings.timeout
            )
        except requests.Timeout:
            raise TransientError(
                f"{endpoint}: no answer within the timeout", code="TIMEOUT"
            ) from None
        except requests.ConnectionError as exc:
            raise TransientError(
                f"{endpoint}: the connection failed ({type(exc).__name__})", code="CONNECTION"
            ) from None
        parsed = _json(response)
        if 200 <= response.status_code < 300:
            if not isinstance(parsed, dict):
                # Seen when a proxy cuts the body: the call may or may not have committed;
                # every write is safe to send again, so it is retried like a timeout.
                raise TransientError(
                    f"{endpoint}: the answer is not a JSON object", code="MALFORMED"
                )
            return parsed
        error = error_for(endpoint, response.status_code, parsed)
        if isinstance(error, TransientError) and response.headers.get("Retry-After"):
            error.retry_after = max(
                error.retry_after or 0.0, _seconds(response.headers["Retry-After"])
            )
        raise error

    # -- backoff -----------------------------------------------------------------------

    def _wait(self, state: RetryCallState) -> float:
        """Exponential with jitter, never shorter than the vendor asked, capped."""
        exc = state.outcome.exception() if state.outcome is not None else None
        asked = 0.0
        if isinstance(exc, TransientError) and exc.retry_after:
            asked = float(exc.retry_after)
        backoff = BACKOFF_BASE_SECONDS * 2.0 ** (state.attempt_number - 1)
        backoff *= 1 + self.jitter.random() / 2
        return min(max(asked, backoff), max(self.settings.max_wait_seconds, asked))

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        # The vendor's message may quote a record's value: masked, as every log line is.
        log.info(
            "jiandaoyun: attempt %d failed (%s); retrying in %.1fs",
            state.attempt_number, mask_text(str(exc)), wait,
        )  # fmt: skip


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


MAX_RETRY_AFTER = 300.0
"""The longest ``Retry-After`` honoured: a longer (or infinite) one is taken as this, so a
vendor answer cannot hold a run for hours; the retries then run out and the batch is
journaled for the next run."""


def _seconds(value: str) -> float:
    """A ``Retry-After`` in seconds, within 0..``MAX_RETRY_AFTER`` (0 when unreadable)."""
    try:
        seconds = float(value)
    except ValueError:
        return 0.0
    if math.isnan(seconds):
        return 0.0
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def is_record_error(exc: BaseException) -> bool:
    """Whether ``exc`` may be one record's fault (a write refused for its data)."""
    return isinstance(exc, JiandaoyunError) and exc.action == "record"


__all__ = ["JiandaoyunClient", "is_record_error"]

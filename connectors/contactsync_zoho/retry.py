"""Retrying passing faults with tenacity: 429, 5xx and network faults, nothing else.

A ``Retry-After`` the server sent is honoured exactly; otherwise the wait grows
exponentially with jitter. The sleep function is injected, so tests never sleep. A rate
limit (429) that outlasts every attempt becomes ``QuotaExhausted``: the run stops with a
checkpoint instead of failing record by record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity import wait_exponential_jitter as _exponential

from contactsync.errors import QuotaExhausted, RetryableError

log = logging.getLogger("contactsync_zoho")
T = TypeVar("T")
Sleep = Callable[[float], None]
MAX_RETRY_AFTER = 300.0
"""The longest ``Retry-After`` honoured; a longer one is taken as the budget being spent."""


class RateLimited(RetryableError):
    """HTTP 429: the tenant's rate or concurrency limit was hit."""


@dataclass
class RetryPolicy:
    """How many attempts, and how long between them.

    Attributes:
        attempts: the most attempts of one call (the first included).
        initial: the first exponential wait, in seconds.
        maximum: the longest exponential wait.
        sleep: how to wait (``time.sleep``; tests record instead).
    """

    attempts: int = 5
    initial: float = 1.0
    maximum: float = 30.0
    sleep: Sleep | None = None
    waits: list[float] = field(default_factory=list)
    """Every wait taken, for tests and benchmarks."""

    def run(self, call: Callable[[], T]) -> T:
        """``call()``, retried on ``RetryableError``.

        Raises:
            QuotaExhausted: a rate limit outlasted every attempt.
            RetryableError: another passing fault outlasted every attempt.
        """
        sleeper = self.sleep if self.sleep is not None else time.sleep
        backoff = _exponential(initial=self.initial, max=self.maximum)

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome is not None else None
            after = getattr(error, "retry_after", None)
            seconds = float(after) if after is not None else float(backoff(state))
            self.waits.append(seconds)
            # The error names the method, path and status only: no header, body or token.
            log.info("%s; retrying in %.1fs", error, seconds)
            return seconds

        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=wait,
            retry=retry_if_exception_type(RetryableError),
            sleep=sleeper,
            reraise=True,
        )
        try:
            return retrying(call)
        except RateLimited as exc:
            raise QuotaExhausted(
                f"Zoho kept answering 429 after {self.attempts} attempts ({exc}); "
                "the API budget is spent for now: run again later to resume"
            ) from None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds (delta-seconds or an HTTP date), or ``None``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)

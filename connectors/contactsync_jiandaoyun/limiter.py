"""A client-side rate limiter kept under Jiandaoyun's documented request rates.

Each v5 interface has its own documented rate (calls per second) and the company as a
whole takes at most 50 calls per second. The limiter holds a sliding one-second window
per interface and one for all of them: a call may go when fewer than ``share`` of the
documented rate went in the last second, so no one-second window ever holds more calls
than that, on any interface or in total. Waiting goes through the injected ``sleep`` and
time through the injected ``clock``, so tests run it without waiting.

The window is per process (per connector): other integrations on the same company key
draw from the same vendor budget, which is why the share defaults below 1 and why the
connector still retries 8303/8304 when the vendor says the budget is spent.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Mapping

Clock = Callable[[], float]
Sleep = Callable[[float], None]

WINDOW_SECONDS = 1.0

DOCUMENTED_RATES: Mapping[str, int] = {
    "app/entry/widget/list": 30,
    "app/entry/data/list": 30,
    "app/entry/data/get": 30,
    "app/entry/data/create": 20,
    "app/entry/data/batch_create": 10,
    "app/entry/data/update": 20,
    "app/entry/data/batch_update": 10,
    "app/entry/data/delete": 20,
    "app/entry/data/batch_delete": 10,
}
"""Calls per second per interface, from each interface's v5 documentation."""

GLOBAL_RATE = 50
"""Calls per second for the whole company (developer guide, 频率限制)."""

DEFAULT_SHARE = 0.8


def allowance(rate: int, share: float) -> int:
    """The calls one window may hold: ``share`` of ``rate``, at least one."""
    return max(1, math.floor(rate * share))


class RateLimiter:
    """Sliding-window limits per interface and in total.

    Args:
        share: the fraction of each documented rate to use (0 < share <= 1).
        clock: seconds, monotonic (default ``time.monotonic``).
        sleep: waits that many seconds (default ``time.sleep``).
        rates: calls per second per interface (default: the documented ones); an
            interface not listed gets the lowest of them.
    """

    def __init__(
        self,
        share: float = DEFAULT_SHARE,
        *,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        rates: Mapping[str, int] | None = None,
        global_rate: int = GLOBAL_RATE,
    ) -> None:
        if not 0 < share <= 1:
            raise ValueError("share must be above 0 and at most 1")
        self.clock = clock or time.monotonic
        self.sleep = sleep or time.sleep
        table = dict(rates or DOCUMENTED_RATES)
        self._fallback = allowance(min(table.values()), share)
        self._limits = {name: allowance(rate, share) for name, rate in table.items()}
        self._global_limit = allowance(global_rate, share)
        self._calls: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self.waited = 0.0
        """Seconds spent waiting so far (for reports and tests)."""

    def limit(self, endpoint: str) -> int:
        """The calls ``endpoint`` may make in one window."""
        return self._limits.get(endpoint, self._fallback)

    @property
    def global_limit(self) -> int:
        return self._global_limit

    def acquire(self, endpoint: str) -> None:
        """Wait until a call to ``endpoint`` fits both windows, then count it."""
        calls = self._calls.setdefault(endpoint, deque())
        while True:
            now = self.clock()
            _expire(calls, now)
            _expire(self._all, now)
            wait = max(
                _wait(calls, self.limit(endpoint), now), _wait(self._all, self._global_limit, now)
            )
            if wait <= 0:
                calls.append(now)
                self._all.append(now)
                return
            self.waited += wait
            self.sleep(wait)


def _expire(calls: deque[float], now: float) -> None:
    while calls and calls[0] <= now - WINDOW_SECONDS:
        calls.popleft()


def _wait(calls: deque[float], limit: int, now: float) -> float:
    """How long until the window has room (0 when it has)."""
    if len(calls) < limit:
        return 0.0
    return calls[len(calls) - limit] + WINDOW_SECONDS - now


__all__ = ["DEFAULT_SHARE", "DOCUMENTED_RATES", "GLOBAL_RATE", "RateLimiter", "allowance"]

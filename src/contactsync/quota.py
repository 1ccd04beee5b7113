"""A vendor org's API budget as the vendor reports it, and where a run stops.

Salesforce (``Sforce-Limit-Info``) and Zoho (``X-RATELIMIT-LIMIT`` /
``X-RATELIMIT-REMAINING``) send the org's figures with every answer. Those figures are the
org's, not the process's: every worker syncing the org sees the same usage, so all of them
stop at the same configured share without a budget of our own to keep in step. A connector
keeps a ``QuotaGate``, feeds it each answer's figures and checks it before each call.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contactsync.errors import ConfigError, QuotaExhausted


@dataclass(frozen=True)
class ApiUsage:
    """How much of the org's API budget is used: ``used`` of ``total`` (requests, credits)."""

    used: int
    total: int

    @property
    def share(self) -> float:
        return self.used / self.total if self.total else 1.0

    def __str__(self) -> str:
        # Thousands separators: a bare 1000000 would read as a phone number to the masking.
        return f"{self.used:,}/{self.total:,} ({self.share:.0%})"


class BudgetSpent(QuotaExhausted):
    """The org's usage reached the configured share, or the vendor refused for quota.

    Attributes:
        usage: the last figures the vendor sent, when it sent any.
        share: the configured stopping point.
    """

    def __init__(self, message: str, *, usage: ApiUsage | None, share: float) -> None:
        super().__init__(message)
        self.usage = usage
        self.share = share


class QuotaGate:
    """The last figures a vendor sent, and the share of them a run may use.

    Args:
        share: stop before a call once ``used >= share * total`` (0..1).
        setting: the setting's name, for the message (``quota_share``).
        window: how the vendor counts, for the message ("a rolling 24 hours").
    """

    def __init__(self, share: float, *, setting: str = "quota_share", window: str = "") -> None:
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"quota share must be within 0..1, not {share}")
        self.share = share
        self.usage: ApiUsage | None = None
        self._setting = setting
        self._window = window
        self._lock = threading.Lock()

    def observe(self, usage: ApiUsage) -> None:
        """Keep the figures of the latest answer."""
        with self._lock:
            self.usage = usage

    def check(self, call: str, what: str = "API requests") -> None:
        """Refuse ``call`` once the budget is at the configured share.

        Raises:
            BudgetSpent: naming the figures and the setting, so the run stops with a
                checkpoint (exit code 4) and the next run resumes.
        """
        with self._lock:
            usage = self.usage
        if usage is None or usage.total <= 0 or usage.used < self.share * usage.total:
            return
        counted = f" ({self._window})" if self._window else ""
        raise BudgetSpent(
            f"stopped before {call}: the org has used {usage} of its {what}, at or above "
            f"the configured stop at {self.share:.0%} ({self._setting}); the cursor is "
            f"kept: run again once usage has fallen{counted}",
            usage=usage,
            share=self.share,
        )


QUOTA_SHARE_RULE = (
    "setting 'quota_share' must be a number greater than 0 and at most 1 (a share: 0.9 is 90%)"
)


def read_quota_share(settings: Mapping[str, Any], default: float, where: str) -> float:
    """``quota_share``: the share of the org's API budget a run may use, in ``(0, 1]``.

    Zero (or NaN) would stop every run after its first call, forever.

    Raises:
        ConfigError: one message for every bad value, saying so when text was given
            (``"90%"``, ``"0.9"``).
    """
    value = settings.get("quota_share", default)
    if isinstance(value, str):
        raise ConfigError(f"{where}: {QUOTA_SHARE_RULE}; got text {value!r}")
    if (
        not isinstance(value, int | float) or isinstance(value, bool)
        or not math.isfinite(value) or not 0 < value <= 1
    ):
        raise ConfigError(f"{where}: {QUOTA_SHARE_RULE}")
    return float(value)


__all__ = ["QUOTA_SHARE_RULE", "ApiUsage", "BudgetSpent", "QuotaGate", "read_quota_share"]

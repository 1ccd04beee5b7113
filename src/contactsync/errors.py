"""Errors sorted by what the caller should do about them.

* ``ConfigError``: fix the configuration or mapping; nothing was written (exit code 2).
* ``RetryableError``: a passing fault (rate limit, 5xx, timeout); retry with backoff.
* ``RecordRejected``: this one record is bad; report it and go on with the rest.
* ``InvariantViolation``: contactsync would break one of its promises; stop the run.
* ``QuotaExhausted``: the vendor's API budget is spent; stop cleanly with a checkpoint.
* ``StalePlan``: the data a plan was computed from has changed; plan again.
* ``AuthError``: credentials are wrong or expired and a refresh did not help.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


class ContactsyncError(Exception):
    """Base of every error contactsync raises on purpose.

    Attributes:
        system: the configured system the error came from, when it came from one
            (set by ``in_system`` where contactsync calls a connector); shown before the
            message, so that with two systems of one vendor a person knows which failed.
    """

    system: str | None = None

    def __str__(self) -> str:
        text = super().__str__()
        prefix = f"system {self.system!r}: "
        if self.system is None or text.startswith(prefix) or f"system {self.system!r}" in text:
            return text
        return prefix + text


@contextmanager
def in_system(system: str) -> Iterator[None]:
    """Name ``system`` on any contactsync error raised inside (unless one is named)."""
    try:
        yield
    except ContactsyncError as exc:
        if exc.system is None:
            exc.system = system
        raise


class ConfigError(ContactsyncError):
    """The configuration, a mapping or the command line is wrong."""


class AuthError(ContactsyncError):
    """A vendor refused the credentials, and one refresh did not help."""


class RetryableError(ContactsyncError):
    """A passing fault: the same call may succeed later.

    Attributes:
        retry_after: seconds the vendor asked us to wait, when it said so.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QuotaExhausted(ContactsyncError):
    """The vendor's API budget for this org is spent (or at the configured share)."""


class StalePlan(ContactsyncError):
    """A saved plan no longer matches the data it was computed from."""


class InvariantViolation(ContactsyncError):
    """An operation would break one of the invariants in DESIGN section 2."""


@dataclass(frozen=True)
class RecordLocation:
    """Where a record lives: enough for a person to find it."""

    system: str
    object: str
    record_id: str

    def __str__(self) -> str:
        return f"{self.system}/{self.object}/{self.record_id}"


class RecordRejected(ContactsyncError):
    """One record cannot be used; the rest of the batch goes on.

    Attributes:
        location: the system, object and record id (for files, the row number).
        field: the canonical or vendor field at fault, when one is.
        reason: why, in words a person can act on.
        code: a machine-readable code (a vendor's error code, or ours).
    """

    def __init__(
        self,
        location: RecordLocation,
        reason: str,
        *,
        field: str | None = None,
        code: str = "INVALID_RECORD",
    ) -> None:
        where = f"{location}" + (f" field {field!r}" if field else "")
        super().__init__(f"{where}: {reason}")
        self.location = location
        self.field = field
        self.reason = reason
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its parts: errors cross process boundaries (workers, executors),
        # and the default pickling would call __init__ with the message alone.
        return (_rebuild_rejection, (self.location, self.reason, self.field, self.code))


def _rebuild_rejection(
    location: RecordLocation, reason: str, field: str | None, code: str
) -> RecordRejected:
    return RecordRejected(location, reason, field=field, code=code)

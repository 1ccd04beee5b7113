"""Jiandaoyun's error codes, what they mean and what the connector does about each.

Every API error is HTTP 400 with ``{"code": <int>, "msg": <text>}`` (developer guide,
错误对照表); HTTP 429 means the concurrency limit and 502 a gateway fault. An error is one
of four things to do:

* ``retry``: a passing fault; wait (at least ``wait`` seconds) and send the same call again;
* ``config``: the configuration points at something the API will not serve (a form of the
  built-in CRM template, a missing form); stop and say how to fix it;
* ``auth``: the API key is refused;
* ``record``: anything else on a write: this record (or one in the batch) is refused; it is
  isolated and reported with the vendor's code and words, the rest go on.

An unknown code on a read stops the run, naming the code and the vendor's message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from contactsync.errors import AuthError, ConfigError, ContactsyncError, RetryableError

Action = Literal["retry", "config", "auth", "record"]


@dataclass(frozen=True)
class CodeInfo:
    """What one error code means and what to do about it."""

    meaning: str
    action: Action
    wait: float = 0.0
    """For ``retry``: the least number of seconds to wait first."""


CODES: dict[int, CodeInfo] = {
    8303: CodeInfo("the company's request frequency limit is exceeded", "retry", 1.0),
    8304: CodeInfo("this interface's request frequency limit is exceeded", "retry", 1.0),
    # The guide lists these two as passing conditions to send again; their own text comes
    # back in "msg" and is kept in every message.
    9007: CodeInfo("a passing condition on Jiandaoyun's side", "retry", 1.0),
    4012: CodeInfo("a passing condition on Jiandaoyun's side", "retry", 1.0),
    17024: CodeInfo("more records in one call than the interface takes (100)", "config"),
    30002: CodeInfo(
        "the form belongs to a built-in CRM template, which the open API cannot read or "
        "write: keep the contacts in ordinary forms (docs/connectors/jiandaoyun.md)",
        "config",
    ),
}
"""The codes the connector treats specially; every other code is reported as it came."""

HTTP_STATUS: dict[int, CodeInfo] = {
    401: CodeInfo("the API key was refused", "auth"),
    403: CodeInfo("the API key may not use this app or form", "auth"),
    429: CodeInfo("the concurrency limit is exceeded", "retry", 1.0),
    500: CodeInfo("Jiandaoyun had an internal error", "retry"),
    502: CodeInfo("Jiandaoyun's gateway failed", "retry"),
    503: CodeInfo("Jiandaoyun is unavailable", "retry"),
    504: CodeInfo("Jiandaoyun's gateway timed out", "retry"),
}


class JiandaoyunError(ContactsyncError):
    """An error answer of the API, with the vendor's code and message kept.

    Attributes:
        endpoint: the interface called (``app/entry/data/list``).
        status: the HTTP status (400 for every API error).
        code: the vendor's error code as text (``"8303"``), or ``HTTP_<status>``.
        vendor_message: the vendor's ``msg``, as sent.
        info: what the code means and what to do, when the code is known.
    """

    def __init__(
        self, endpoint: str, status: int, code: str, vendor_message: str, info: CodeInfo | None
    ) -> None:
        self.endpoint = endpoint
        self.status = status
        self.code = code
        self.vendor_message = vendor_message
        self.info = info
        super().__init__(self.describe())

    @property
    def action(self) -> Action:
        return self.info.action if self.info is not None else "record"

    def describe(self) -> str:
        """``jiandaoyun error 8303 (meaning) on app/entry/data/list: msg``."""
        meaning = f" ({self.info.meaning})" if self.info is not None else ""
        said = f": {self.vendor_message}" if self.vendor_message else ""
        return f"jiandaoyun error {self.code}{meaning} on {self.endpoint}{said}"


class TransientError(RetryableError):
    """A passing fault (retried with backoff); raised as is once the retries are spent."""

    def __init__(self, message: str, *, retry_after: float | None = None, code: str = "") -> None:
        super().__init__(message, retry_after=retry_after)
        self.code = code


def error_for(endpoint: str, status: int, body: Any) -> ContactsyncError:
    """The exception for one error answer (``status`` not 2xx, ``body`` parsed or not)."""
    code_value = body.get("code") if isinstance(body, dict) else None
    message = body.get("msg") if isinstance(body, dict) else None
    vendor_message = message if isinstance(message, str) else ""
    info: CodeInfo | None = None
    if isinstance(code_value, int) and not isinstance(code_value, bool):
        info = CODES.get(code_value)
        code = str(code_value)
    elif isinstance(code_value, str) and code_value.strip():
        code = code_value.strip()
        info = CODES.get(int(code)) if code.isdigit() else None
    else:
        code = f"HTTP_{status}"
    if info is None:
        info = HTTP_STATUS.get(status)
    error = JiandaoyunError(endpoint, status, code, vendor_message, info)
    return as_contactsync_error(error)


def as_contactsync_error(error: JiandaoyunError) -> ContactsyncError:
    """``error`` as the exception its action calls for (the vendor's words kept)."""
    info = error.info
    if info is None:
        return error
    if info.action == "retry":
        return TransientError(error.describe(), retry_after=info.wait or None, code=error.code)
    if info.action == "config":
        return ConfigError(error.describe())
    if info.action == "auth":
        return AuthError(error.describe())
    return error


__all__ = [
    "CODES",
    "HTTP_STATUS",
    "CodeInfo",
    "JiandaoyunError",
    "TransientError",
    "as_contactsync_error",
    "error_for",
]

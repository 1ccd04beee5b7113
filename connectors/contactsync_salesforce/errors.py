"""Salesforce's errors, sorted by what to do about them.

The REST API answers a failed call with a JSON list of ``{message, errorCode, fields}``,
but not always: a proxy, a login page or an outage answers HTML, and some endpoints send
a single object. Everything here reads whatever came without failing on its shape.

* ``REQUEST_LIMIT_EXCEEDED`` → ``QuotaExhausted`` (stop cleanly; the cursor is kept).
* 5xx, 429, ``UNABLE_TO_LOCK_ROW``, ``SERVER_UNAVAILABLE`` → ``RetryableError``.
* 401 → the session is refreshed once (see ``api.py``), then ``AuthError``.
* 403 otherwise → ``AuthError`` (the integration user lacks a permission).
* anything else → ``SalesforceCallError``: a permanent refusal of the whole call, which
  a push turns into a failure of each record it carried, with the vendor's code.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from contactsync.connector import VendorError
from contactsync.errors import AuthError, ContactsyncError, RetryableError
from contactsync.quota import ApiUsage, BudgetSpent
from contactsync.redact import mask_text

RETRYABLE_CODES = frozenset({
    "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION", "REQUEST_RUNNING_TOO_LONG",
    "QUERY_TIMEOUT", "TXN_SECURITY_METERING_ERROR",
})
"""Codes for which the same call (or record) may succeed a moment later."""

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})

LIMIT_CODE = "REQUEST_LIMIT_EXCEEDED"


class SalesforceQuotaExhausted(BudgetSpent):
    """The daily API budget reached the configured share, or Salesforce refused the call.

    Attributes:
        usage: the last figures Salesforce sent, when it sent any.
        share: the configured stopping point (``quota_share``).
    """


class SalesforceCallError(ContactsyncError):
    """Salesforce refused a whole call for good (the request must change, not the time).

    Attributes:
        status: the HTTP status.
        errors: every error of the body, as the vendor said it.
    """

    def __init__(self, call: str, status: int, errors: list[VendorError]) -> None:
        first = errors[0] if errors else VendorError("UNKNOWN", "no error body")
        super().__init__(f"Salesforce refused {call} (HTTP {status} {first.code}: {first.message})")
        self.status = status
        self.errors = errors

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(error.code for error in self.errors)


def parse_errors(content: Any) -> list[VendorError]:
    """The errors of an error body of any shape: a list, one object, text or nothing.

    Messages are masked (an error can quote a phone number or an e-mail address back).
    """
    if isinstance(content, bytes | bytearray):
        content = content.decode("utf-8", "replace")
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except ValueError:
            text = " ".join(content.split())[:300]
            return [VendorError("NON_JSON_ERROR", mask_text(text) or "an empty error body")]
    items = content if isinstance(content, list) else [content]
    found: list[VendorError] = []
    for item in items:
        if not isinstance(item, Mapping):
            found.append(VendorError("UNKNOWN", mask_text(str(item))[:300]))
            continue
        code = item.get("errorCode") or item.get("statusCode") or item.get("error") or "UNKNOWN"
        message = item.get("message") or item.get("error_description") or ""
        fields = item.get("fields") or ()
        found.append(
            VendorError(
                str(code),
                mask_text(str(message)),
                tuple(str(f) for f in fields) if isinstance(fields, list | tuple) else (),
                retryable=str(code) in RETRYABLE_CODES,
            )
        )
    return found or [VendorError("UNKNOWN", "an empty error body")]


def record_error(errors: Any) -> VendorError:
    """One record's ``errors`` list (sObject Collections) as a single ``VendorError``.

    The first code names the failure; every message and field is kept.
    """
    parsed = parse_errors(errors if errors else [{"errorCode": "UNKNOWN", "message": ""}])
    fields: dict[str, None] = {}
    for error in parsed:
        fields.update(dict.fromkeys(error.fields))
    return VendorError(
        code=parsed[0].code,
        message="; ".join(e.message for e in parsed if e.message) or parsed[0].code,
        fields=tuple(fields),
        retryable=all(e.retryable for e in parsed),
    )


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    raw = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if raw is None:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def classify(
    call: str, status: int, content: Any, headers: Mapping[str, str], usage: ApiUsage | None,
    share: float,
) -> ContactsyncError:
    """The contactsync error for a failed call (401 is handled before this)."""
    errors = parse_errors(content)
    codes = {error.code for error in errors}
    first = errors[0]
    if LIMIT_CODE in codes:
        figures = f" (API requests used: {usage})" if usage else ""
        return SalesforceQuotaExhausted(
            f"Salesforce refused {call}: the org's daily API request limit is exceeded"
            f"{figures}; the cursor is kept, run again once the limit resets",
            usage=usage, share=share,
        )
    if status in RETRYABLE_STATUS or codes & RETRYABLE_CODES:
        return RetryableError(
            f"Salesforce could not answer {call} now (HTTP {status} {first.code}: "
            f"{first.message})",
            retry_after=retry_after(headers),
        )
    if status == 403:
        return AuthError(
            f"Salesforce refused {call} (HTTP 403 {first.code}: {first.message}); check the "
            "integration user's permissions (API Enabled, access to the objects and fields)"
        )
    return SalesforceCallError(call, status, errors)

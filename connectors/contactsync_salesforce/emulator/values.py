"""Field values as the emulated org checks, stores and answers them.

Writes are checked the way Salesforce checks them (type, length, e-mail shape) and a bad
value fails its record with Salesforce's code. Answers use Salesforce's JSON forms:
date-times as ``2026-01-05T08:00:01.000+0000``, numbers of ``double`` fields as floats,
checkboxes never null.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from contactsync_salesforce.emulator.org import NUMBER_TYPES, TEXT_TYPES, FieldSpec

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class ValueProblem(Exception):
    """A value the field cannot hold: fails that record with ``code``."""

    def __init__(self, code: str, message: str, field: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def format_datetime(moment: datetime) -> str:
    """Salesforce's JSON date-time: UTC, milliseconds, ``+0000``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def parse_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else None


def coerce(spec: FieldSpec, value: Any) -> Any:
    """The stored form of a value written to ``spec``.

    Raises:
        ValueProblem: for a value of the wrong type, too long, or not an e-mail address.
    """
    label = spec.describe()["label"]
    if value is None:
        return False if spec.type == "boolean" else None
    if spec.type in TEXT_TYPES or spec.type == "reference":
        if not isinstance(value, str):
            raise ValueProblem(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{label}: value not of required type: {value}", spec.name,
            )
        if spec.length and len(value) > spec.length:
            raise ValueProblem(
                "STRING_TOO_LONG",
                f"{label}: data value too large: {value[:40]} (max length={spec.length})",
                spec.name,
            )
        if spec.type == "email" and value and not _EMAIL.fullmatch(value):
            raise ValueProblem(
                "INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {value}", spec.name
            )
        return value if value != "" else None
    if spec.type in NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueProblem(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{label}: value not of required type: {value}", spec.name,
            )
        return float(value)
    if spec.type == "boolean":
        if not isinstance(value, bool):
            raise ValueProblem(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{label}: value not of required type: {value}", spec.name,
            )
        return value
    if spec.type == "datetime":
        moment = parse_datetime(value) if isinstance(value, str) else None
        if moment is None:
            raise ValueProblem(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{label}: value not of required type: {value}", spec.name,
            )
        return moment.replace(microsecond=(moment.microsecond // 1000) * 1000)
    if spec.type == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueProblem(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{label}: value not of required type: {value}", spec.name,
            ) from None
    return value


def answer(spec: FieldSpec, value: Any) -> Any:
    """A stored value (or a value seeded straight into the store) as JSON answers it."""
    if spec.type == "boolean":
        return bool(value) if not isinstance(value, str) else value.lower() in ("true", "1")
    if value is None:
        return None
    if spec.type == "datetime":
        moment = parse_datetime(value)
        return format_datetime(moment) if moment else None
    if spec.type in NUMBER_TYPES:
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return value


def typed(spec: FieldSpec, value: Any) -> Any:
    """The value a SOQL condition compares (date-times as datetimes, numbers as floats)."""
    shown = answer(spec, value)
    if spec.type == "datetime" and isinstance(shown, str):
        return parse_datetime(shown)
    return shown

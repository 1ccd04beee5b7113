"""Writing SOQL safely, and the field names and values it is built from.

Nothing reaches a query unchecked: object and field names must be API names (they cannot
be quoted in SOQL, so anything else is refused), record ids must look like record ids,
text is quoted with every special character escaped, and date-times are written in UTC
from ``datetime`` values, never from text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from contactsync.errors import ConfigError

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_RECORD_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_ESCAPES = {
    "\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
    "\b": "\\b", "\f": "\\f",
}


def api_name(name: str, what: str = "field") -> str:
    """``name`` when it is an API name (``Contact``, ``Account__r.Customer_Number__c``).

    Raises:
        ConfigError: for anything else; SOQL has no quoting for names.
    """
    parts = name.split(".")
    if not name or not all(_NAME.fullmatch(part) for part in parts) or len(parts) > 5:
        raise ConfigError(
            f"{what} {name!r} is not a Salesforce API name (letters, digits and _, "
            "a relationship path joined by dots)"
        )
    return name


def is_record_id(value: Any) -> bool:
    """Whether ``value`` has the shape of a 15- or 18-character record id."""
    return isinstance(value, str) and _RECORD_ID.fullmatch(value) is not None


def record_id(value: str) -> str:
    """``value`` as a record id literal, quoted.

    Raises:
        ConfigError: when it is not shaped like one (it came from a stored cursor).
    """
    if not is_record_id(value):
        raise ConfigError(f"{value!r} is not a Salesforce record id")
    return quote(value)


def quote(text: str) -> str:
    """A SOQL string literal holding ``text`` exactly (``O'Brien`` → ``'O\\'Brien'``)."""
    return "'" + "".join(_ESCAPES.get(ch, ch) for ch in text) + "'"


def quote_all(texts: Iterable[str]) -> str:
    """``('a', 'b')`` for an ``IN`` list."""
    return "(" + ", ".join(quote(text) for text in texts) + ")"


def datetime_literal(moment: datetime) -> str:
    """A SOQL date-time literal in UTC, to the second (``2026-01-05T08:00:00Z``)."""
    if moment.tzinfo is None:
        raise ValueError("a SOQL date-time needs a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def floor_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def floor_minute(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def ceil_minute(moment: datetime) -> datetime:
    floor = floor_minute(moment)
    return floor if floor == moment else floor + timedelta(minutes=1)


def after_position(stamp: datetime, last_id: str) -> str:
    """Records strictly after ``(stamp, last_id)`` in ``SystemModstamp, Id`` order."""
    at = datetime_literal(stamp)
    if not last_id:
        return f"SystemModstamp >= {at}"
    return f"(SystemModstamp > {at} OR (SystemModstamp = {at} AND Id > {record_id(last_id)}))"


def select(
    object_name: str, fields: Iterable[str], conditions: Iterable[str] = (),
    order: str = "SystemModstamp ASC, Id ASC",
) -> str:
    """``SELECT fields FROM object [WHERE a AND b] ORDER BY order``."""
    names = ", ".join(api_name(field) for field in fields)
    where = " AND ".join(f"({c})" if " OR " in c and not c.startswith("(") else c
                         for c in conditions)
    text = f"SELECT {names} FROM {api_name(object_name, 'object')}"
    if where:
        text += f" WHERE {where}"
    if order:
        text += f" ORDER BY {order}"
    return text


def parse_datetime(value: Any) -> datetime | None:
    """A Salesforce date-time (``2026-01-05T08:00:01.000+0000``) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

"""Zoho's date-times: ISO 8601 with an offset (``2023-05-10T01:10:47-07:00``, ``+05:30``,
``Z``), in the org's or user's zone. Read aware, kept in UTC; written in UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_zoho_time(value: object) -> datetime | None:
    """An aware UTC datetime from a Zoho stamp; ``None`` for empty, naive or bad text.

    A stamp without an offset is refused rather than guessed: Zoho always writes one.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    return parsed.astimezone(UTC)


def format_zoho_time(value: datetime) -> str:
    """``value`` as Zoho takes it in headers and COQL: ISO 8601 in UTC, ``+00:00``, seconds.

    Raises:
        ValueError: for a naive datetime.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a naive datetime has no place in a Zoho request")
    return value.astimezone(UTC).replace(microsecond=0).isoformat()

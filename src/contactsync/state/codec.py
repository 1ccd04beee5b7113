"""How values are written into the state store's text columns.

Every JSON value is written canonically (``sort_keys=True``, ``ensure_ascii=False``, compact
separators, no NaN), so equal values give equal text and Chinese text stays readable in the
database. Every datetime is written as UTC ISO 8601 text with microseconds and a ``+00:00``
offset: one fixed width, so text order is time order on both backends (the lock expiry
comparison relies on that).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import String
from sqlalchemy.types import TypeEngine

# One encoder for every call: json.dumps with options would build a new one each time.
_encode = json.JSONEncoder(
    sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
).encode


def dumps(value: Any) -> str:
    """Canonical JSON text for ``value`` (raises ``ValueError``/``TypeError`` if not JSON)."""
    return _encode(value)


_decode = json.JSONDecoder().raw_decode


def loads(text: str | None) -> Any:
    """The value of canonical JSON ``text``; SQL NULL stays ``None``."""
    # raw_decode skips json.loads' whitespace checks: the store wrote the text compactly.
    return None if text is None else _decode(text)[0]


def digest_of(data: Any) -> str:
    """SHA-256 of the canonical JSON of ``data``: equal values, equal digests."""
    return hashlib.sha256(dumps(data).encode("utf-8")).hexdigest()


@lru_cache(maxsize=256)  # bulk writes stamp thousands of rows with the same few times
def utc_text(moment: datetime) -> str:
    """``moment`` as fixed-width UTC ISO 8601 text; a naive datetime is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} (state times must be aware)")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_utc_text(text: str) -> datetime:
    """The aware UTC datetime written by ``utc_text``."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def maybe_utc(text: str | None) -> datetime | None:
    return None if text is None else from_utc_text(text)


def identifier() -> TypeEngine[str]:
    """The column type of keys and ids.

    On PostgreSQL it uses the ``C`` collation, so ``ORDER BY`` is code-point order there
    exactly as on SQLite (and as Python's ``sorted``): loads come back in the same order
    from either backend.
    """
    return String().with_variant(String(collation="C"), "postgresql")

"""``data/list`` filters in the emulator: ``{"rel": "and"|"or", "cond": [...]}``.

Methods: ``eq``, ``ne``, ``in``, ``nin`` (at most 200 values), ``all``, ``range``
(inclusive, ``null`` for an open end), ``gt``, ``lt``, ``empty``, ``not_empty``, ``like``.
Times compare as times (``updateTime``, ``createTime`` and date-time fields), numbers as numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from contactsync_jiandaoyun.emulator.values import Refused

IN_MAX = 200
Lookup = Callable[[str], tuple[Any, bool]]
"""A row's value of a field, and whether the field is a time."""


def check(filter_: Any) -> None:
    """Refuse a filter the API would refuse (code 1)."""
    if filter_ is None:
        return
    if not isinstance(filter_, Mapping) or filter_.get("rel") not in ("and", "or"):
        raise Refused("filter: rel must be 'and' or 'or'")
    conditions = filter_.get("cond")
    if not isinstance(conditions, list):
        raise Refused("filter: cond must be a list")
    for cond in conditions:
        if not isinstance(cond, Mapping) or not isinstance(cond.get("field"), str):
            raise Refused("filter: every condition names a field")
        method = cond.get("method")
        if method not in _METHODS:
            raise Refused(f"filter: unknown method {method!r}")
        values = cond.get("value", [])
        if method not in ("empty", "not_empty") and not isinstance(values, list):
            raise Refused("filter: value must be a list")
        if method in ("in", "nin") and len(values) > IN_MAX:
            raise Refused(f"filter: {method} takes at most {IN_MAX} values")


def matches(filter_: Any, lookup: Lookup) -> bool:
    """Whether a row passes ``filter_`` (already checked); no filter passes all."""
    if filter_ is None:
        return True
    results = [_one(cond, lookup) for cond in filter_["cond"]]
    return all(results) if filter_["rel"] == "and" else any(results)


def _one(cond: Mapping[str, Any], lookup: Lookup) -> bool:
    value, timed = lookup(cond["field"])
    wanted = cond.get("value") or []
    method = cond["method"]
    if method == "empty":
        return _empty(value)
    if method == "not_empty":
        return not _empty(value)
    if method == "like":
        return any(str(w) in str(value or "") for w in wanted)
    items = value if isinstance(value, list) else [value]
    if method in ("eq", "in"):
        return any(_same(v, w, timed) for v in items for w in wanted)
    if method == "all":
        return all(any(_same(v, w, timed) for v in items) for w in wanted)
    if method in ("ne", "nin"):
        return not any(_same(v, w, timed) for v in items for w in wanted)
    low = wanted[0] if wanted else None
    high = wanted[1] if len(wanted) > 1 else None
    if _empty(value):
        return False
    if method == "gt":
        return low is not None and _key(value, timed) > _key(low, timed)
    if method == "lt":
        return low is not None and _key(value, timed) < _key(low, timed)
    return (low is None or _key(value, timed) >= _key(low, timed)) and (
        high is None or _key(value, timed) <= _key(high, timed)
    )


def _key(value: Any, timed: bool) -> Any:
    if timed:
        text = str(value)
        if len(text) == 10:  # a date: its midnight, UTC
            text += "T00:00:00Z"
        parsed = datetime.fromisoformat(text)
        return parsed.timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return str(value)


def _same(value: Any, wanted: Any, timed: bool) -> bool:
    if _empty(value):
        return _empty(wanted)
    try:
        return bool(_key(value, timed) == _key(wanted, timed))
    except (ValueError, TypeError):
        return str(value) == str(wanted)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


_METHODS = frozenset(
    {"eq", "ne", "in", "nin", "range", "gt", "lt", "empty", "not_empty", "like", "all"}
)

__all__ = ["IN_MAX", "check", "matches"]

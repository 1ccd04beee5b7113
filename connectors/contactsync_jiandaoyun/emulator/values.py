"""Field values in the emulator: taking a write's ``{"value": ...}`` in, showing data out.

The store keeps plain values (a phone as its number, a link as the linked id, a member as
its username, subform rows with their ``_id``). A write is checked as strictly as the
documentation describes it, so a connector sending the wrong shape fails here: every
value wrapped in ``{"value": ...}``, phones as ``{"phone": ...}`` without ``verified``,
date-times in UTC ending in ``Z``, numbers as numbers, choice lists as lists. Data is
shown in the shapes of the published examples (``shared/fixtures/real/cn/jiandaoyun``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from contactsync_jiandaoyun.emulator.forms import WidgetDef, department, member

FILE_HOST = "https://files.jiandaoyun.example"
_DATA_KEY = re.compile(r'data-key="([^"]+)"')
_IMG = re.compile(r"<img\b[^>]*data-key=\"[^\"]+\"[^>]*/?>")


class Refused(ValueError):
    """A write the API would refuse: answered 400 with ``code`` and ``msg``."""

    def __init__(self, msg: str, code: int = 1) -> None:
        super().__init__(msg)
        self.code = code


NewId = Callable[[], str]


def stamp(value: datetime) -> str:
    """A time as data shows it: UTC, milliseconds, ``Z``."""
    utc = value.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def parse_utc(text: str) -> datetime:
    """An ISO time ending in ``Z`` (the only form the emulator takes)."""
    if not text.endswith("Z"):
        raise ValueError("not UTC")
    return datetime.fromisoformat(text).astimezone(UTC)


def take(widget: WidgetDef, wrapped: Any, current: Any, new_id: NewId) -> Any:
    """The plain value to store for one field of a write.

    Raises:
        Refused: the value is not in the shape the field takes.
    """
    if not isinstance(wrapped, Mapping) or "value" not in wrapped:
        raise Refused(f'{widget.name}: a field\'s data must be {{"value": ...}}')
    value = wrapped["value"]
    if value is None:
        return None
    kind = widget.type
    if kind == "phone":
        if not isinstance(value, Mapping) or set(value) - {"phone"}:
            raise Refused(f'{widget.name}: a phone is written as {{"phone": ...}} only')
        phone = value.get("phone")
        return _text(widget, phone) or None
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Refused(f"{widget.name}: a number field takes a number")
        return value
    if kind == "datetime":
        try:
            return stamp(parse_utc(_text(widget, value)))
        except ValueError:
            raise Refused(
                f"{widget.name}: a date-time is written as UTC ISO 8601 ending in Z"
            ) from None
    if kind in ("checkboxgroup", "combocheck", "usergroup", "image", "upload"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Refused(f"{widget.name}: this field takes a list of text")
        return list(value)
    if kind == "deptgroup":
        if not isinstance(value, list) or not all(_whole(v) for v in value):
            raise Refused(f"{widget.name}: this field takes a list of department numbers")
        return list(value)
    if kind == "dept":
        if not _whole(value):
            raise Refused(f"{widget.name}: this field takes a department number")
        return value
    if kind in ("address", "location"):
        if not isinstance(value, Mapping):
            raise Refused(f"{widget.name}: an address is an object")
        return dict(value)
    if kind == "subform":
        return _rows(widget, value, current, new_id)
    if kind in ("signature", "lookup", "sn"):
        raise Refused(f"{widget.name}: a {kind} field cannot be written through the API")
    return _text(widget, value)


def _text(widget: WidgetDef, value: Any) -> str:
    if not isinstance(value, str):
        raise Refused(f"{widget.name}: a {widget.type} field takes text")
    return value


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _rows(widget: WidgetDef, value: Any, current: Any, new_id: NewId) -> list[dict[str, Any]]:
    """Subform rows: the whole subform is replaced by what is sent. A row keeps its id
    when it sends one the subform has; a row without (or with an unknown) id gets a new
    one; rows not sent are deleted."""
    if not isinstance(value, list):
        raise Refused(f"{widget.name}: a subform takes a list of rows")
    known = {row.get("_id") for row in current or () if isinstance(row, Mapping)}
    rows: list[dict[str, Any]] = []
    for sent in value:
        if not isinstance(sent, Mapping):
            raise Refused(f"{widget.name}: a subform row is an object")
        wrapped_id = sent.get("_id")
        row_id = wrapped_id.get("value") if isinstance(wrapped_id, Mapping) else None
        row: dict[str, Any] = {"_id": row_id if row_id in known else new_id()}
        for name, cell in sent.items():
            if name == "_id":
                continue
            item = widget.item(name)
            if item is None:
                raise Refused(f"{widget.name}: the subform has no field {name!r}")
            row[name] = take(item, cell, None, new_id)
        rows.append(row)
    return rows


def show(widget: WidgetDef, value: Any) -> Any:
    """A stored value as data shows it."""
    kind = widget.type
    if kind == "phone":
        return {"verified": False, "phone": value or ""}
    if kind == "linkdata":
        return {"id": value} if value else None
    if kind == "user":
        return member(value) if value else None
    if kind == "usergroup":
        return [member(v) for v in value or ()]
    if kind == "dept":
        return department(value) if value is not None else None
    if kind == "deptgroup":
        return [department(v) for v in value or ()]
    if kind in ("image", "upload"):
        return [_file(key, kind) for key in value or ()]
    if kind == "signature":
        return _file(value, "image") if value else None
    if kind == "richtext":
        return _rich(value or "")
    if kind == "subform":
        return [_show_row(widget, row) for row in value or ()]
    return value


def _show_row(widget: WidgetDef, row: Mapping[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name, value in row.items():
        item = widget.item(name)
        shown[name] = show(item, value) if item is not None else value
    return shown


def _rich(html: str) -> dict[str, Any]:
    """Rich text: images written by file key (``<img data-key=...>``) are shown by URL and
    listed as attachments."""
    keys = _DATA_KEY.findall(html)
    shown = _IMG.sub(
        lambda m: f'<img src="{FILE_HOST}/{_DATA_KEY.findall(m.group(0))[0]}" />', html
    )
    return {"html": shown, "attachments": [_file(key, "image") for key in keys]}


def _file(key: str, kind: str) -> dict[str, Any]:
    image = kind == "image"
    return {
        "name": f"{key[:8]}.{'png' if image else 'pdf'}",
        "size": 262144,
        "mime": "image/png" if image else "application/pdf",
        "url": f"{FILE_HOST}/{key}",
    }


__all__ = ["Refused", "parse_utc", "show", "stamp", "take"]

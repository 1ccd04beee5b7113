"""Field values between the API's shapes and the plain values the mapping works with.

Reading, a row's mapped fields become plain values; every other field is ignored:

* phone: ``{"phone": "13800138000", "verified": false}`` → ``"13800138000"``;
* the customer link, with ``customer_form`` set: the linked record → the customer's key;
  another link: the linked record id;
* member / department: ``{"username": ...}`` → the username, ``{"dept_no": ...}`` → the
  number (what a write takes);
* subform: its rows, each with its ``_id`` and its fields read the same way;
* anything else (text, numbers, ISO times in UTC with ``Z``, choice lists) as sent.

Writing, each value is wrapped as ``{"value": ...}`` in the shape its field type takes:
phone ``{"phone": ...}`` (mainland numbers without ``+86``, never ``verified``), times in
UTC ISO with milliseconds and ``Z``, choice lists as lists, numbers as numbers, the
customer as the linked record's id; system fields (``updateTime``...) are never sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contactsync.errors import ConfigError
from contactsync.mapping import ObjectMapping
from contactsync.mapping.converters import LIST_SEPARATORS
from contactsync_jiandaoyun.forms import (
    SYSTEM_FIELDS,
    CustomerLinks,
    FormSchema,
    Widget,
    format_time,
    link_id,
    parse_time,
)

TEXT_TYPES = frozenset({"text", "textarea", "radiogroup", "combo", "richtext"})
LIST_TYPES = frozenset({"checkboxgroup", "combocheck"})
READ_ONLY_TYPES = frozenset({"image", "upload", "signature", "lookup", "sn", "separator"})
_MAINLAND_MOBILE = re.compile(r"\+86(1\d{10})")


class Unwritable(ValueError):
    """One record's value this form cannot take (the record fails, not the batch).

    Attributes:
        field: the vendor field.
        code: the code its result carries.
    """

    def __init__(self, field: str, reason: str, code: str = "UNWRITABLE") -> None:
        super().__init__(f"field {field!r}: {reason}")
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Shaper:
    """Reads and writes the mapped fields of one form.

    Attributes:
        schema: the form's fields (``widget/list``).
        om: the kind's object mapping (which fields, list separators).
        links: the customer links, when the customer field is a link.
    """

    schema: FormSchema
    om: ObjectMapping
    links: CustomerLinks | None = None

    @property
    def link_field(self) -> str | None:
        """The vendor field of ``customer`` when it links to the customer form."""
        fmap = self.om.fields.get("customer")
        if self.links is None or fmap is None:
            return None
        return fmap.vendor_fields[0]

    # -- reading -----------------------------------------------------------------------

    def read(self, row: Mapping[str, Any]) -> tuple[dict[str, Any], Unwritable | None]:
        """The mapped fields of ``row`` as plain values, and a link that cannot be read."""
        values: dict[str, Any] = {}
        problem: Unwritable | None = None
        wanted = list(self.om.vendor_fields)
        if self.om.id_field:
            wanted.append(self.om.id_field)
        for name in wanted:
            if name not in row:
                continue
            raw = row[name]
            if name == self.link_field:
                values[name], problem = self._read_link(name, raw)
                continue
            widget = self.schema.widget(name)
            values[name] = read_value(widget, raw) if widget is not None else raw
        return values, problem

    def _read_link(self, name: str, raw: Any) -> tuple[str | None, Unwritable | None]:
        record_id = link_id(raw)
        if record_id is None or self.links is None:
            return None, None
        key = self.links.key_for(record_id)
        if key is None:
            return None, Unwritable(
                name,
                f"links to record {record_id}, which is not in the customer form "
                f"{self.links.customer_form.form} (or has no {self.links.customer_form.key_field})",
                "CUSTOMER_NOT_FOUND",
            )
        return key, None

    # -- writing -----------------------------------------------------------------------

    def write(
        self,
        values: Mapping[str, Any],
        *,
        clear_empty: bool,
        current: Mapping[str, Any] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """The ``data`` of a create or update: each mapped field as ``{"value": ...}``.

        Args:
            values: vendor field to plain value (what ``to_vendor`` gives).
            clear_empty: write empty values as empty (an update); else leave them out.
            current: the record as it is now (plain values), for subforms: rows of it
                not named in ``values`` are kept, never dropped.

        Raises:
            Unwritable: a value this form cannot take (this record only).
            ConfigError: a field the form does not have, or one the API cannot write.
        """
        data: dict[str, dict[str, Any]] = {}
        for name, value in values.items():
            if name in SYSTEM_FIELDS or name == self.om.id_field:
                continue
            widget = self.schema.widget(name)
            if widget is None:
                raise ConfigError(
                    f"form {self.schema.form}: has no field {name!r} (widget/list); give the "
                    "field that alias or map its _widget_ id"
                )
            if widget.type in READ_ONLY_TYPES:
                raise ConfigError(
                    f"form {self.schema.form}: field {name!r} is a {widget.type} field, which "
                    "the API cannot write; unmap it"
                )
            if _empty(value):
                if clear_empty:
                    data[name] = {"value": empty_value(widget)}
                continue
            if name == self.link_field:
                data[name] = {"value": self._write_link(name, value)}
                continue
            old = current.get(name) if current is not None else None
            data[name] = {"value": write_value(widget, value, self._separator(name), old)}
        return data

    def _write_link(self, name: str, value: Any) -> str:
        assert self.links is not None
        key = str(value).strip()
        ids = self.links.ids_for(key)
        if not ids:
            raise Unwritable(
                name,
                f"customer {key!r} is not in the customer form {self.links.customer_form.form}",
                "CUSTOMER_NOT_FOUND",
            )
        if len(ids) > 1:
            raise Unwritable(
                name,
                f"customer {key!r} is held by {len(ids)} records of the customer form "
                f"{self.links.customer_form.form}; keep one",
                "CUSTOMER_AMBIGUOUS",
            )
        return ids[0]

    def _separator(self, name: str) -> str:
        for fmap in self.om.fields.values():
            if name in fmap.vendor_fields:
                separator = fmap.options.get("separator", ",")
                return separator if isinstance(separator, str) and separator else ","
        return ","


def read_value(widget: Widget, raw: Any) -> Any:
    """One field's API value as a plain value."""
    kind = widget.type
    if kind == "phone":
        phone = raw.get("phone") if isinstance(raw, Mapping) else raw
        return phone if isinstance(phone, str) and phone.strip() else None
    if kind == "linkdata":
        return link_id(raw)
    if kind == "user":
        return raw.get("username") if isinstance(raw, Mapping) else raw
    if kind == "usergroup":
        return [m.get("username") if isinstance(m, Mapping) else m for m in raw or ()]
    if kind == "dept":
        return raw.get("dept_no") if isinstance(raw, Mapping) else raw
    if kind == "deptgroup":
        return [d.get("dept_no") if isinstance(d, Mapping) else d for d in raw or ()]
    if kind == "subform":
        return [_read_row(widget, row) for row in raw or () if isinstance(row, Mapping)]
    return raw


def _read_row(widget: Widget, row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        item = widget.item(name)
        out[name] = read_value(item, value) if item is not None else value
    return out


def write_value(widget: Widget, value: Any, separator: str = ",", current: Any = None) -> Any:
    """One plain value in the shape ``widget`` takes (inside ``{"value": ...}``).

    Raises:
        Unwritable: the value does not fit the field.
    """
    kind = widget.type
    if kind == "phone":
        return {"phone": national_phone(str(value))}
    if kind == "number":
        return _number(widget, value)
    if kind == "datetime":
        return _time(widget, value)
    if kind in LIST_TYPES or kind in ("usergroup", "deptgroup"):
        return _list(value, separator)
    if kind == "subform":
        return _rows(widget, value, current)
    if kind in TEXT_TYPES:
        return _text(value)
    return value


def empty_value(widget: Widget) -> Any:
    """What clears a field of this type."""
    if widget.type in LIST_TYPES or widget.type in ("usergroup", "deptgroup", "subform"):
        return []
    if widget.type == "phone":
        return {"phone": ""}
    if widget.type in TEXT_TYPES:
        return ""
    return None


def national_phone(text: str) -> str:
    """A mainland mobile in E.164 (``+8613800138000``) as the phone field shows it
    (``13800138000``); any other number as written."""
    compact = re.sub(r"[\s-]", "", text)
    found = _MAINLAND_MOBILE.fullmatch(compact)
    return found.group(1) if found else text.strip()


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(widget: Widget, value: Any) -> int | float:
    if isinstance(value, bool):
        raise Unwritable(widget.name, "a number field cannot take true/false")
    if isinstance(value, int | float) and math.isfinite(value):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        raise Unwritable(widget.name, f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise Unwritable(widget.name, f"{value!r} is not a number")
    return int(number) if number.is_integer() else number


def _time(widget: Widget, value: Any) -> str:
    parsed = value if isinstance(value, datetime) else parse_time(str(value))
    if parsed is None:
        raise Unwritable(widget.name, f"{value!r} is not an ISO 8601 date-time")
    return format_time(parsed)


def _list(value: Any, separator: str) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    text = str(value)
    for other in (separator, *LIST_SEPARATORS):
        text = text.replace(other, "\x00")
    return [part.strip() for part in text.split("\x00") if part.strip()]


def _rows(widget: Widget, value: Any, current: Any) -> list[dict[str, Any]]:
    """Subform rows to write. Rows are matched by ``_id``: a row of ``current`` (the
    record as read) that ``value`` does not name is written again as it is, because the
    API replaces the whole subform and would delete it."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise Unwritable(widget.name, "a subform takes a list of rows")
    rows = [row for row in value if isinstance(row, Mapping)]
    named = {row.get("_id") for row in rows if row.get("_id")}
    kept = [
        row for row in (current or ()) if isinstance(row, Mapping) and row.get("_id") not in named
    ]
    return [_write_row(widget, row) for row in [*rows, *kept]]


def _write_row(widget: Widget, row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name == "_id":
            if value:
                out["_id"] = {"value": value}
            continue
        item = widget.item(name)
        if _empty(value):
            out[name] = {"value": empty_value(item) if item is not None else None}
        else:
            out[name] = {"value": write_value(item, value) if item is not None else value}
    return out


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple) and not value)


__all__ = [
    "LIST_TYPES",
    "READ_ONLY_TYPES",
    "TEXT_TYPES",
    "Shaper",
    "Unwritable",
    "empty_value",
    "national_phone",
    "read_value",
    "write_value",
]

"""The converters a mapping names, each reading vendor cells into canonical values and
writing them back.

A converter declares the canonical shapes it fits, how many vendor fields it takes and its
options; ``load.py`` checks a mapping against those declarations, ``convert.py`` calls
``read`` and ``write``. Both raise ``ValueError`` (``CellError`` when one of several cells is
at fault) with a reason a person can act on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from contactsync.mapping.fields import CanonicalField, Category
from contactsync.mapping.model import FieldMap
from contactsync.mapping.values import (
    DurationOutOfRange,
    folded,
    format_datetime,
    format_in_unit,
    format_is_naive,
    format_iso_duration,
    format_time_windows,
    is_empty,
    join_name,
    known_zone,
    parse_datetime,
    parse_duration,
    parse_time_windows,
    shown,
    split_name,
    to_whole,
)
from contactsync.models import Phone
from contactsync.models.build import describe_validation_error

DEFAULT_WINDOW_ZONE = "Asia/Shanghai"
PHONE_JOINER = " / "
LIST_SEPARATORS = (",", "，", "、", ";", "；")


class CellError(ValueError):
    """One cell of a multi-field converter is bad."""

    def __init__(self, reason: str, vendor_field: str, value: Any) -> None:
        super().__init__(reason)
        self.vendor_field = vendor_field
        self.value = value


@dataclass(frozen=True)
class FieldContext:
    """What a converter knows besides the cells: the canonical field and the object's zone."""

    field: CanonicalField
    timezone: str | None


OptionCheck = Callable[[Any, FieldContext], str | None]
"""Checks one option's value; returns why it is wrong, or ``None``."""


def _is_text(value: Any, ctx: FieldContext) -> str | None:
    return None if isinstance(value, str) and value else "must be non-empty text"


def _is_length(value: Any, ctx: FieldContext) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 8
    return None if ok else "must be a whole number of characters, 8 or more"


def _is_scalar(value: Any, ctx: FieldContext) -> str | None:
    ok = isinstance(value, str | int | bool) and value != ""
    return None if ok else "must be text, a number or true/false"


def _is_bool(value: Any, ctx: FieldContext) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _is_zone(value: Any, ctx: FieldContext) -> str | None:
    if not isinstance(value, str):
        return "must be a time zone name such as 'Asia/Shanghai'"
    try:
        known_zone(value)
    except ValueError as exc:
        return str(exc)
    return None


class Converter:
    """Base: one vendor field to one canonical value."""

    name: ClassVar[str]
    categories: ClassVar[frozenset[Category]] = frozenset()  # empty: fits every field
    options: ClassVar[Mapping[str, OptionCheck]] = {}
    required_options: ClassVar[frozenset[str]] = frozenset()
    min_fields: ClassVar[int] = 1
    max_fields: ClassVar[int | None] = 1
    only_canonical: ClassVar[frozenset[str]] = frozenset()  # non-empty: only these fields

    def produces(self, fmap: FieldMap) -> tuple[str, ...]:
        """The canonical fields a read sets."""
        return (fmap.canonical,)

    def check(self, fmap: FieldMap, ctx: FieldContext) -> str | None:
        """Checks across options, once each option passed its own check."""
        return None

    def read(self, fmap: FieldMap, cells: tuple[Any, ...], ctx: FieldContext) -> dict[str, Any]:
        """Canonical values from the cells (never all empty); ``None`` values are dropped."""
        return {fmap.canonical: self.parse(cells[0], fmap, ctx)}

    def write(self, fmap: FieldMap, contact: BaseModel, ctx: FieldContext) -> tuple[Any, ...]:
        """Vendor values, one per vendor field; ``None`` for empty."""
        value = getattr(contact, fmap.canonical)
        if value is None or value in ((), ""):
            return (None,) * len(fmap.vendor_fields)
        return (self.format(value, fmap, ctx),)

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> Any:
        raise NotImplementedError

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> Any:
        raise NotImplementedError


def as_text(value: Any) -> str:
    """A cell as text: strings stripped, numbers written out (``10086.0`` is ``10086``)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"expected text, got {type(value).__name__}")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet's 10086.0 is the text 10086
    return str(value)


class StrConverter(Converter):
    name = "str"
    categories = frozenset({Category.TEXT, Category.CHOICE})

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> str:
        return as_text(value)

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> str:
        return str(value)


class IntConverter(Converter):
    name = "int"
    categories = frozenset({Category.INT})

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> int:
        return to_whole(value)

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> int:
        return int(value)


_TRUE = frozenset({"true", "t", "yes", "y", "1", "on", "是", "对"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off", "否", "错"})


def _bool_word(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and value in (0, 1):
        return str(int(value))
    try:
        return folded(as_text(value))
    except ValueError:
        raise ValueError(f"expected a yes/no value, got {type(value).__name__}") from None


class BoolConverter(Converter):
    name = "bool"
    categories = frozenset({Category.BOOL})
    options: ClassVar[Mapping[str, OptionCheck]] = {"true": _is_scalar, "false": _is_scalar}

    def check(self, fmap: FieldMap, ctx: FieldContext) -> str | None:
        written = fmap.options.get("true", "true"), fmap.options.get("false", "false")
        return "options 'true' and 'false' must differ" if written[0] == written[1] else None

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> bool:
        if isinstance(value, bool):
            return value
        word = _bool_word(value)
        for flag in (True, False):
            option = fmap.options.get("true" if flag else "false")
            if option is not None and _bool_word(option) == word:
                return flag
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(f"not a yes/no value: {value!r} (write true/false, 1/0, yes/no, 是/否)")

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> Any:
        return fmap.options.get("true", "true") if value else fmap.options.get("false", "false")


def _is_format(value: Any, ctx: FieldContext) -> str | None:
    if not isinstance(value, str) or "%" not in value:
        return "must be a strptime format such as '%Y-%m-%d %H:%M'"
    sample = datetime(2024, 1, 31, 13, 45, 30, tzinfo=UTC)
    try:
        datetime.strptime(sample.strftime(value), value)
    except ValueError as exc:
        return f"is not a usable strptime format ({exc})"
    return None


class DatetimeConverter(Converter):
    name = "datetime"
    categories = frozenset({Category.DATETIME})
    options: ClassVar[Mapping[str, OptionCheck]] = {
        "format": _is_format, "timezone": _is_zone, "write_utc": _is_bool,
    }

    @staticmethod
    def _zone(fmap: FieldMap, ctx: FieldContext) -> str | None:
        zone = fmap.options.get("timezone", ctx.timezone)
        return zone if isinstance(zone, str) else None

    def check(self, fmap: FieldMap, ctx: FieldContext) -> str | None:
        fmt = fmap.options.get("format")
        if fmt is not None and format_is_naive(fmt) and self._zone(fmap, ctx) is None:
            return (
                f"format {fmt!r} has no offset, so its values are local times: name their "
                "zone with 'timezone' on the field or the object"
            )
        if fmap.options.get("write_utc") is False and self._zone(fmap, ctx) is None:
            return "write_utc = false needs a 'timezone' on the field or the object"
        return None

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> datetime:
        return parse_datetime(value, fmt=fmap.options.get("format"), zone=self._zone(fmap, ctx))

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> str:
        fmt = fmap.options.get("format")
        local = self._zone(fmap, ctx)
        if fmt is not None and format_is_naive(fmt):
            zone = local  # read back in this zone, so it must be written in it
        else:
            zone = None if fmap.options.get("write_utc", True) else local
        return format_datetime(value, fmt=fmt, zone=zone)


LONGEST_TIME_LIMIT = timedelta(days=30)
"""The longest duration read: a response-time limit beyond it is a typing slip (or another
column's number, a phone's digits), never a limit anyone can be held to."""

_UNIT_SPAN = {"m": (timedelta(minutes=1), "minutes"), "h": (timedelta(hours=1), "hours")}


class DurationConverter(Converter):
    """ISO 8601 durations; a bare number is in ``unit``. Writes ISO 8601.

    Durations longer than ``LONGEST_TIME_LIMIT`` are refused. Zero and negative ones are
    read as written and refused by the contact model (the limit must be positive).
    """

    name = "duration"
    categories = frozenset({Category.DURATION})
    unit: ClassVar[str] = "m"

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> timedelta:
        try:
            limit = parse_duration(value, self.unit)
        except DurationOutOfRange as exc:
            if exc.negative:
                reason = f"{shown(value)} is negative: a time limit must be positive"
                raise ValueError(reason) from None
            raise ValueError(self._too_long(value)) from None
        if limit > LONGEST_TIME_LIMIT:
            raise ValueError(self._too_long(value))
        return limit

    def write(self, fmap: FieldMap, contact: BaseModel, ctx: FieldContext) -> tuple[Any, ...]:
        value = getattr(contact, fmap.canonical)
        if isinstance(value, timedelta) and value > LONGEST_TIME_LIMIT:
            raise ValueError(f"{self._too_long(None)}; it would not read back")
        return super().write(fmap, contact, ctx)

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> Any:
        return format_iso_duration(value)

    def _too_long(self, value: Any) -> str:
        return _too_long(value, self.unit)


def _too_long(value: Any, unit: str) -> str:
    """Why a duration longer than ``LONGEST_TIME_LIMIT`` is refused (``None``: a value
    being written, not one read)."""
    span, unit_name = _UNIT_SPAN.get(unit, _UNIT_SPAN["m"])
    what = "the limit" if value is None else shown(value)
    return (
        f"{what} is longer than {LONGEST_TIME_LIMIT.days} days "
        f"({LONGEST_TIME_LIMIT // span} {unit_name}), the longest time limit contactsync accepts"
    )


class MinutesConverter(DurationConverter):
    name = "minutes"

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> Any:
        return format_in_unit(value, self.unit)


class HoursConverter(MinutesConverter):
    name = "hours"
    unit = "h"


def _vendor_key(value: Any) -> str:
    """How a vendor value is looked up in a ``values`` table (whose keys are text)."""
    return folded(as_text(value))


def _picklist_lookup(table: Mapping[str, Any], value: Any) -> Any:
    key = as_text(value)
    if key in table:
        return table[key]
    wanted = _vendor_key(value)
    for vendor, canonical in table.items():
        if folded(vendor) == wanted:
            return canonical
    known = ", ".join(repr(v) for v in table)
    raise ValueError(f"unknown value {key!r} (known: {known})")


def _picklist_reverse(table: Mapping[str, Any], value: Any) -> str:
    for vendor, canonical in table.items():  # the first vendor value in file order wins
        if _same(canonical, value):
            return vendor
    raise ValueError(f"canonical value {_plain(value)!r} has no vendor value in 'values'")


def _same(a: Any, b: Any) -> bool:
    """Equal, without taking True for 1 (bool is an int in Python)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _plain(value: Any) -> Any:
    return value.value if hasattr(value, "value") else value


def _check_choice(value: Any, field: CanonicalField) -> str | None:
    choices = field.choices
    if choices is not None:
        if isinstance(value, str) and value in {c.value for c in choices}:
            return None
        return f"{value!r} is not one of {', '.join(c.value for c in choices)}"
    expected = {Category.INT: int, Category.BOOL: bool}.get(field.category, str)
    if type(value) is not expected:
        return f"{value!r} is not a {expected.__name__} value for {field.name!r}"
    return None


def _check_values(value: Any, ctx: FieldContext) -> str | None:
    if not isinstance(value, dict) or not value:
        return "must be a non-empty table of vendor value = canonical value"
    for vendor, canonical in value.items():
        problem = _check_choice(canonical, ctx.field)
        if problem:
            return f"{vendor!r} = {problem}"
    return None


class PicklistConverter(Converter):
    name = "picklist"
    categories = frozenset({Category.TEXT, Category.CHOICE, Category.INT, Category.BOOL})
    options: ClassVar[Mapping[str, OptionCheck]] = {"values": _check_values}
    required_options = frozenset({"values"})

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> Any:
        return _picklist_lookup(fmap.options["values"], value)

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> str:
        return _picklist_reverse(fmap.options["values"], _plain(value))


class ListConverter(Converter):
    name = "list"
    categories = frozenset({Category.CHOICE_LIST, Category.TEXT_LIST})
    options: ClassVar[Mapping[str, OptionCheck]] = {"separator": _is_text, "values": _check_values}

    @staticmethod
    def _separators(fmap: FieldMap) -> list[str]:
        chosen = fmap.options.get("separator", ",")
        return [chosen.strip() or chosen, *LIST_SEPARATORS]

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> list[Any]:
        if isinstance(value, list | tuple):
            items = [as_text(v) for v in value]
        elif isinstance(value, str):
            items = [value]
            for sep in self._separators(fmap):
                items = [piece for item in items for piece in item.split(sep)]
        else:
            raise ValueError(f"expected a delimited list, got {type(value).__name__}")
        elements = [item.strip() for item in items if item.strip()]
        table = fmap.options.get("values")
        if table is not None:
            elements = [_picklist_lookup(table, item) for item in elements]
        choices = ctx.field.choices
        if choices is None:
            return elements
        parsed = []
        for item in elements:
            try:
                parsed.append(choices(folded(item)))
            except ValueError:
                known = ", ".join(c.value for c in choices)
                raise ValueError(f"unknown value {item!r} (known: {known})") from None
        return parsed

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> str:
        table = fmap.options.get("values")
        items = [
            _picklist_reverse(table, _plain(v)) if table is not None else str(_plain(v))
            for v in value
        ]
        for item in items:
            clash = [s for s in self._separators(fmap) if s in item]
            if clash or not item.strip():
                reason = f"contains the separator {clash[0]!r}" if clash else "is empty"
                raise ValueError(f"list element {item!r} {reason}; it would not read back")
        separator: str = fmap.options.get("separator", ",")
        return separator.join(items)


class PhonesConverter(Converter):
    """Several vendor phone fields to one list of raw values, in field order."""

    name = "phones"
    categories = frozenset({Category.PHONES})
    options: ClassVar[Mapping[str, OptionCheck]] = {
        "extension_marker": _is_text, "max_length": _is_length,
    }
    max_fields = None

    def read(self, fmap: FieldMap, cells: tuple[Any, ...], ctx: FieldContext) -> dict[str, Any]:
        phones: list[Any] = []
        for vendor, cell in zip(fmap.vendor_fields, cells, strict=True):
            if is_empty(cell):
                continue
            if isinstance(cell, bool) or not isinstance(cell, str | int | float | Decimal):
                raise CellError(f"expected a phone number, got {type(cell).__name__}", vendor, cell)
            if isinstance(cell, str):
                phones.extend(p.strip() for p in cell.split(PHONE_JOINER) if p.strip())
            else:
                phones.append(cell)  # the normalizer decides what a number cell means
        return {fmap.canonical: phones or None}

    def write(self, fmap: FieldMap, contact: BaseModel, ctx: FieldContext) -> tuple[Any, ...]:
        marker = fmap.options.get("extension_marker", " ext ")
        written = [self._one(phone, marker) for phone in getattr(contact, fmap.canonical)]
        slots = len(fmap.vendor_fields)
        head, rest = written[: slots - 1], written[slots - 1 :]
        cells: list[Any] = [*head, PHONE_JOINER.join(rest) if rest else None]
        limit = fmap.options.get("max_length")
        if isinstance(limit, int):
            for vendor, cell in zip(fmap.vendor_fields, cells, strict=False):
                if isinstance(cell, str) and len(cell) > limit:
                    many = f"{len(rest)} numbers" if cell is cells[-1] and len(rest) > 1 else (
                        "the number")
                    raise ValueError(
                        f"{many} in {vendor!r} take {len(cell)} characters, and the field holds "
                        f"{limit}: map another phone field, or keep fewer numbers"
                    )
        return tuple(cells + [None] * (slots - len(cells)))

    @staticmethod
    def _one(phone: Phone, marker: str) -> str:
        if phone.e164 is None:
            return phone.raw.strip()
        return phone.e164 + (f"{marker}{phone.extension}" if phone.extension else "")


def _is_order(value: Any, ctx: FieldContext) -> str | None:
    if isinstance(value, list) and sorted(value) == ["family", "given"]:
        return None
    return 'must be ["family", "given"] or ["given", "family"]'


class NameSplitConverter(Converter):
    """The display name and its parts, from one name field or from family + given fields."""

    name = "name_split"
    categories = frozenset({Category.TEXT})
    options: ClassVar[Mapping[str, OptionCheck]] = {"order": _is_order}
    max_fields = 2
    only_canonical = frozenset({"name"})

    def produces(self, fmap: FieldMap) -> tuple[str, ...]:
        return ("name", "family_name", "given_name")

    def check(self, fmap: FieldMap, ctx: FieldContext) -> str | None:
        if "order" in fmap.options and len(fmap.vendor_fields) != 2:
            return "option 'order' needs two fields (the family and the given name)"
        return None

    @staticmethod
    def _order(fmap: FieldMap) -> list[str]:
        order = fmap.options.get("order", ["family", "given"])
        return list(order)

    def read(self, fmap: FieldMap, cells: tuple[Any, ...], ctx: FieldContext) -> dict[str, Any]:
        texts = [None if is_empty(c) else as_text(c) for c in cells]
        if len(texts) == 1:
            name = texts[0]
            assert name is not None
            family, given = split_name(name)
            if given is None:
                family = None  # one word: the parts are unknown, not the whole name
        else:
            parts = dict(zip(self._order(fmap), texts, strict=True))
            family, given = parts["family"], parts["given"]
            name = join_name(family, given)
        return {"name": name, "family_name": family, "given_name": given}

    def write(self, fmap: FieldMap, contact: BaseModel, ctx: FieldContext) -> tuple[Any, ...]:
        name: str = getattr(contact, "name")  # noqa: B009 - any contact model
        if len(fmap.vendor_fields) == 1:
            return (name,)
        family = getattr(contact, "family_name", None)
        given = getattr(contact, "given_name", None)
        if not family and not given:
            family, given = split_name(name)
        parts = {"family": family or None, "given": given or None}
        return tuple(parts[p] for p in self._order(fmap))


class TimeWindowsConverter(Converter):
    name = "time_windows"
    categories = frozenset({Category.WINDOWS})
    options: ClassVar[Mapping[str, OptionCheck]] = {"timezone": _is_zone}

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> tuple[Any, ...]:
        if not isinstance(value, str):
            raise ValueError(f"expected time windows as text, got {type(value).__name__}")
        zone = fmap.options.get("timezone") or ctx.timezone or DEFAULT_WINDOW_ZONE
        return parse_time_windows(value, zone)

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> str:
        return format_time_windows(value)


class JsonConverter(Converter):
    """JSON text holding the canonical value in pydantic's JSON form (lists, objects)."""

    name = "json"

    def parse(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> Any:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"not valid JSON: {exc}") from None
        if value is None:
            return None
        category = ctx.field.category
        if category is Category.PHONES:
            return _json_phones(value)
        if category is Category.DATETIME:
            return parse_datetime(value, fmt=None, zone=ctx.timezone)
        try:
            result = ctx.field.adapter.validate_python(value)
        except ValidationError as exc:
            raise ValueError(describe_validation_error(exc)[1]) from None
        if category in (Category.CHOICE_LIST, Category.TEXT_LIST):
            return list(result)
        if isinstance(result, timedelta) and result > LONGEST_TIME_LIMIT:
            raise ValueError(_too_long(value, "m"))
        return result

    def format(self, value: Any, fmap: FieldMap, ctx: FieldContext) -> str:
        data = ctx.field.adapter.dump_python(value, mode="json")
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _json_phones(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    phones: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            try:
                phones.append(Phone.model_validate(item))
            except ValidationError as exc:
                raise ValueError(f"not a phone: {describe_validation_error(exc)[1]}") from None
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            if not is_empty(item):
                phones.append(item.strip() if isinstance(item, str) else item)
        else:
            raise ValueError(f"expected a phone number, got {type(item).__name__}")
    return phones


CONVERTERS: dict[str, Converter] = {
    c.name: c
    for c in (
        StrConverter(), IntConverter(), BoolConverter(), DatetimeConverter(),
        DurationConverter(), MinutesConverter(), HoursConverter(), PicklistConverter(),
        ListConverter(), PhonesConverter(), NameSplitConverter(), TimeWindowsConverter(),
        JsonConverter(),
    )
}
"""Every converter by the name a mapping gives in ``convert``."""

NATURAL_CONVERTER: dict[Category, str] = {
    Category.TEXT: "str", Category.CHOICE: "str", Category.INT: "int", Category.BOOL: "bool",
    Category.DATETIME: "datetime", Category.DURATION: "duration", Category.PHONES: "phones",
    Category.WINDOWS: "time_windows", Category.CHOICE_LIST: "list", Category.TEXT_LIST: "list",
    Category.OTHER: "json",
}
"""The converter a field gets when its mapping names none."""

"""What each canonical field holds, read from the models, so a mapping can be checked
against them and new model fields need no change here."""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, StrEnum
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, FutureDatetime, NaiveDatetime, PastDatetime, TypeAdapter

from contactsync.models import MODEL_BY_KIND, Kind, Phone, TimeWindow

# Fields a mapping never names: the kind is the object's, the key comes from ``key_field``
# and provenance is set by whoever read the record.
UNMAPPABLE = frozenset({"kind", "key", "provenance"})


class Category(StrEnum):
    """The shape of a canonical value, which decides the converters that fit it."""

    TEXT = "text"
    CHOICE = "choice"  # a text enum such as ``contact_type``
    INT = "int"
    BOOL = "bool"
    DATETIME = "datetime"
    DURATION = "duration"
    PHONES = "phones"
    WINDOWS = "time windows"
    CHOICE_LIST = "list of choices"  # ``preferred_channels``
    TEXT_LIST = "list of text"  # ``tags``
    OTHER = "other"


@dataclass(frozen=True)
class CanonicalField:
    """One field of a canonical model, as a mapping sees it.

    Attributes:
        name: the field name.
        category: the shape of its value.
        required: whether a contact cannot be built without it.
        choices: the enum of a ``CHOICE`` or ``CHOICE_LIST`` field.
    """

    name: str
    category: Category
    required: bool
    annotation: Any
    choices: type[StrEnum] | None = None

    @property
    def adapter(self) -> TypeAdapter[Any]:
        return _adapter(self.annotation)


@cache
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


@cache
def canonical_fields(kind: Kind) -> dict[str, CanonicalField]:
    """The mappable fields of ``kind``'s model, in declaration order."""
    model = MODEL_BY_KIND[kind.value]
    result: dict[str, CanonicalField] = {}
    for name, info in model.model_fields.items():
        if name in UNMAPPABLE:
            continue
        category, choices = _categorise(info.annotation)
        result[name] = CanonicalField(name, category, info.is_required(), info.annotation, choices)
    return result


# pydantic's constrained date-time markers are classes of their own, not datetime subclasses.
_PYDANTIC_DATETIMES: tuple[Any, ...] = (AwareDatetime, NaiveDatetime, PastDatetime, FutureDatetime)


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def _categorise(annotation: Any) -> tuple[Category, type[StrEnum] | None]:
    plain = _unwrap(annotation)
    if get_origin(plain) is tuple:
        item = _unwrap(get_args(plain)[0])
        if item is Phone:
            return Category.PHONES, None
        if item is TimeWindow:
            return Category.WINDOWS, None
        if isinstance(item, type) and issubclass(item, StrEnum):
            return Category.CHOICE_LIST, item
        if item is str:
            return Category.TEXT_LIST, None
        return Category.OTHER, None
    if plain in _PYDANTIC_DATETIMES:
        return Category.DATETIME, None
    if get_origin(plain) is Literal or not isinstance(plain, type):
        return Category.OTHER, None
    if issubclass(plain, StrEnum):
        return Category.CHOICE, plain
    if issubclass(plain, Enum):
        return Category.OTHER, None
    simple = {
        bool: Category.BOOL, int: Category.INT, str: Category.TEXT,
        datetime: Category.DATETIME, timedelta: Category.DURATION,
    }
    for base, category in simple.items():  # bool before int: bool is an int
        if issubclass(plain, base):
            return category, None
    return Category.OTHER, None

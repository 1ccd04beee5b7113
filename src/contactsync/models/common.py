"""Small value types shared by both kinds of contact."""

from __future__ import annotations

import unicodedata
from datetime import time
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from contactsync.models.text import Text


def is_known_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (``Asia/Shanghai``, ``UTC``).

    ``ZoneInfo`` raises ``IsADirectoryError`` for a region folder such as ``Asia`` and
    ``ValueError`` for a path-like key: both are "not a zone", never a crash.
    """
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if len(code) != 2 or not (code.isascii() and code.isalpha()):
        raise ValueError(f"country must be an ISO 3166-1 alpha-2 code such as 'CN', not {value!r}")
    return code


NonBlank = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]
"""Text with at least one character that is not whitespace."""


def _customer_key(value: str) -> str:
    key = unicodedata.normalize("NFKC", value).strip()
    if not key:
        raise ValueError("must not be blank")
    return key


CustomerKey = Annotated[str, Field(min_length=1), AfterValidator(_customer_key)]
"""A customer's cross-system key, in compatibility form (NFKC) without surrounding space:
a key typed with full-width characters (``Ｃ００２``) is the same customer as ``C002``, so it
can neither split a customer in two nor get round the emergency-contact cap. Case is kept:
some systems' keys are case-sensitive."""

CountryCode = Annotated[str, AfterValidator(_country_code)]
"""An ISO 3166-1 alpha-2 code, upper-cased (``cn`` becomes ``CN``)."""


class Frozen(BaseModel):
    """Base for canonical values: immutable, and unknown keys are an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Kind(StrEnum):
    """The two kinds of contact, which never share storage."""

    EMERGENCY = "emergency"
    BUSINESS = "business"


class Channel(StrEnum):
    """Ways to reach an emergency contact, in the order a person prefers."""

    PHONE = "phone"
    SMS = "sms"
    WECHAT = "wechat"
    EMAIL = "email"


class Provenance(Frozen):
    """The system, object and record a canonical value was read from."""

    system: str
    object: str
    record_id: str

    def __str__(self) -> str:
        return f"{self.system}/{self.object}/{self.record_id}"


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TimeWindow(Frozen):
    """When a contact can be reached: days of the week, a local time range and its zone.

    ``end`` before ``start`` means the window runs past midnight (22:00-06:00).
    """

    days: tuple[Weekday, ...] = ALL_DAYS
    start: time
    end: time
    tz: str = "Asia/Shanghai"

    @field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if not is_known_zone(value):
            raise ValueError(f"unknown time zone {value!r}")
        return value


class CustomerRef(Frozen):
    """A customer account, known by one stable key across systems.

    Attributes:
        key: the cross-system key (customer number, unified social credit code, DUNS...).
        name: the account's display name, when known.
        country: ISO 3166-1 alpha-2, used as the default phone region for its contacts.
        account_ids: the account's record id in each system, by system name.
    """

    key: CustomerKey
    name: Text | None = None
    country: CountryCode | None = None
    account_ids: dict[str, str] = Field(default_factory=dict)

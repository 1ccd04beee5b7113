"""Small value types shared by both kinds of contact."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class CustomerRef(Frozen):
    """A customer account, known by one stable key across systems.

    Attributes:
        key: the cross-system key (customer number, unified social credit code, DUNS...).
        name: the account's display name, when known.
        country: ISO 3166-1 alpha-2, used as the default phone region for its contacts.
        account_ids: the account's record id in each system, by system name.
    """

    key: str = Field(min_length=1)
    name: str | None = None
    country: str | None = Field(default=None, min_length=2, max_length=2)
    account_ids: dict[str, str] = Field(default_factory=dict)

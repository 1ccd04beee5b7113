"""The two kinds of contact, kept apart by a ``kind`` literal.

``extra="forbid"`` plus the literal discriminator means an emergency contact can never
validate as a business contact, nor the reverse: each carries required fields the other
kind forbids.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    Field,
    TypeAdapter,
    field_validator,
)

from contactsync.models.common import (
    Channel,
    CountryCode,
    CustomerKey,
    Frozen,
    NonBlank,
    Provenance,
    TimeWindow,
)
from contactsync.models.phone import Phone
from contactsync.models.text import RequiredText, Text


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware datetime, stored in UTC. A naive one is rejected."""

NonEmpty = NonBlank
"""A required key: blank or whitespace-only text is as good as missing."""


def _not_bool(value: object) -> object:
    # pydantic's lax mode reads True as 1: a priority of "true" is a mistake, not 1.
    if isinstance(value, bool):
        raise ValueError("expected a whole number, not true/false")
    return value


WholeNumber = Annotated[int, BeforeValidator(_not_bool)]

_UTC_ADAPTER: TypeAdapter[datetime] = TypeAdapter(UtcDatetime)


def json_datetime(value: datetime) -> str:
    """``value`` in the JSON form canonical values use (UTC, as pydantic writes it)."""
    return str(_UTC_ADAPTER.dump_python(_UTC_ADAPTER.validate_python(value), mode="json"))


class ContactType(StrEnum):
    BUSINESS = "business"
    TECHNICAL = "technical"
    PROCUREMENT = "procurement"
    FINANCE = "finance"
    SUPPORT = "support"
    LEGAL = "legal"
    OTHER = "other"


class ContactBase(Frozen):
    """Fields both kinds share.

    Attributes:
        key: the contactsync key, the same in every system (the upsert external id).
        customer: the customer's cross-system key (``CustomerRef.key``).
        name: the display name, as written but for invisible characters and folded
            whitespace; a control character is refused (``contactsync.models.text``,
            which every free-text field shares).
        phones: at least one; ``raw`` is always kept even when it cannot be normalised.
        updated_at: when the source last changed the record, in UTC.
        provenance: where this value was read, when it was read from a system.
    """

    key: str | None = None
    customer: CustomerKey
    name: RequiredText
    given_name: Text | None = None
    family_name: Text | None = None
    phones: tuple[Phone, ...] = Field(min_length=1)
    email: str | None = None
    wechat_id: str | None = None
    country: CountryCode | None = None
    updated_at: UtcDatetime | None = None
    provenance: Provenance | None = None


class EmergencyContact(ContactBase):
    """A person who can decide in a crisis and answers within a time limit.

    Priorities run 1..3 and are unique per customer (the policies see to that).
    """

    kind: Literal["emergency"] = "emergency"
    role: RequiredText
    relationship: Text | None = None
    priority: WholeNumber | None = Field(default=None, ge=1, le=3)
    decision_authority: bool | None = None
    response_time_limit: timedelta
    contactable_hours: tuple[TimeWindow, ...] = ()
    responsibility: Text | None = None
    emergency_only: bool = False
    preferred_channels: tuple[Channel, ...] = ()
    last_reviewed_at: UtcDatetime | None = None
    reviewed_by: Text | None = None
    review_interval_months: WholeNumber | None = Field(default=None, ge=1, le=24)
    """Months between reviews; ``None`` means the configured default (3)."""

    @field_validator("response_time_limit")
    @classmethod
    def _positive_limit(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("response-time limit must be positive")
        return value


class BusinessContact(ContactBase):
    """A day-to-day contact: sales, service, projects, marketing."""

    kind: Literal["business"] = "business"
    title: RequiredText
    department: RequiredText
    contact_type: ContactType = ContactType.BUSINESS
    project: Text | None = None
    business_line: Text | None = None
    owner: Text | None = None
    tags: tuple[Text, ...] = ()


Contact = Annotated[EmergencyContact | BusinessContact, Field(discriminator="kind")]
"""Either kind, told apart by ``kind``."""

CONTACT_ADAPTER: TypeAdapter[EmergencyContact | BusinessContact] = TypeAdapter(Contact)

MODEL_BY_KIND: dict[str, type[EmergencyContact] | type[BusinessContact]] = {
    "emergency": EmergencyContact,
    "business": BusinessContact,
}

# Fields that identify or describe a record rather than hold synced data.
IDENTITY_FIELDS = frozenset({"kind", "key", "customer", "provenance", "updated_at"})


def synced_fields(kind: str) -> tuple[str, ...]:
    """The fields of ``kind`` that reconcile merges and pushes, in declaration order."""
    model = MODEL_BY_KIND[kind]
    return tuple(name for name in model.model_fields if name not in IDENTITY_FIELDS)

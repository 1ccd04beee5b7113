"""Canonical models (pydantic v2): the shapes every connector maps to and from."""

from contactsync.models.build import build_contact, describe_validation_error
from contactsync.models.common import (
    ALL_DAYS,
    Channel,
    CustomerRef,
    Frozen,
    Kind,
    Provenance,
    TimeWindow,
)
from contactsync.models.contacts import (
    CONTACT_ADAPTER,
    IDENTITY_FIELDS,
    MODEL_BY_KIND,
    BusinessContact,
    Contact,
    ContactBase,
    ContactType,
    EmergencyContact,
    UtcDatetime,
    json_datetime,
    synced_fields,
)
from contactsync.models.phone import Phone, PhoneKind

__all__ = [
    "ALL_DAYS",
    "CONTACT_ADAPTER",
    "IDENTITY_FIELDS",
    "MODEL_BY_KIND",
    "BusinessContact",
    "Channel",
    "Contact",
    "ContactBase",
    "ContactType",
    "CustomerRef",
    "EmergencyContact",
    "Frozen",
    "Kind",
    "Phone",
    "PhoneKind",
    "Provenance",
    "TimeWindow",
    "UtcDatetime",
    "build_contact",
    "describe_validation_error",
    "json_datetime",
    "synced_fields",
]

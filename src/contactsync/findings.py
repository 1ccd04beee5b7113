"""Findings: what a reconcile noticed that a person may need to act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    """Every finding code contactsync reports."""

    MIXED_STORAGE = "MIXED_STORAGE"
    CAP_EXCEEDED = "CAP_EXCEEDED"
    NO_EMERGENCY_CONTACT = "NO_EMERGENCY_CONTACT"
    REVIEW_OVERDUE = "REVIEW_OVERDUE"
    MISSING_FIELD = "MISSING_FIELD"
    INVALID_RECORD = "INVALID_RECORD"
    INVALID_VALUE = "INVALID_VALUE"
    CONFLICT = "CONFLICT"
    AMBIGUOUS_MATCH = "AMBIGUOUS_MATCH"
    DUPLICATE_IN_SYSTEM = "DUPLICATE_IN_SYSTEM"
    DUPLICATE_PRIORITY = "DUPLICATE_PRIORITY"
    PHONE_UNVERIFIED = "PHONE_UNVERIFIED"
    EMAIL_INVALID = "EMAIL_INVALID"
    DELETED = "DELETED"
    DEFERRED = "DEFERRED"
    RELEASED = "RELEASED"


# Codes that need a person (exit code 1). The rest are informational.
NEEDS_PERSON = frozenset(
    {
        Code.MIXED_STORAGE,
        Code.CAP_EXCEEDED,
        Code.NO_EMERGENCY_CONTACT,
        Code.REVIEW_OVERDUE,
        Code.MISSING_FIELD,
        Code.INVALID_RECORD,
        Code.CONFLICT,
        Code.AMBIGUOUS_MATCH,
        Code.DUPLICATE_IN_SYSTEM,
        Code.PHONE_UNVERIFIED,
    }
)


@dataclass(frozen=True)
class Finding:
    """One finding.

    Attributes:
        code: what kind of finding (``CAP_EXCEEDED``...).
        customer: the customer key, when it is known.
        message: a sentence a person can act on; never holds a phone number or e-mail.
        records: ``system/object/record_id`` of the records concerned, sorted.
        key: the contactsync key concerned, when there is one.
        details: extra machine-readable facts (both values of a conflict, a due date).
    """

    code: Code
    customer: str | None
    message: str
    records: tuple[str, ...] = ()
    key: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def needs_person(self) -> bool:
        return self.code in NEEDS_PERSON

    def sort_key(self) -> tuple[str, str, str, str, str]:
        records = ",".join(self.records)
        return (self.customer or "", self.code.value, self.key or "", records, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "customer": self.customer,
            "key": self.key,
            "records": list(self.records),
            "message": self.message,
            "details": self.details,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(
            code=Code(data["code"]),
            customer=data.get("customer"),
            message=data["message"],
            records=tuple(data.get("records", ())),
            key=data.get("key"),
            details=dict(data.get("details", {})),
        )

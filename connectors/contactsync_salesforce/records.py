"""Salesforce records to the flat vendor values a mapping reads, and back.

A mapping names fields of related records with a dot: ``Account__r.Customer_Number__c``
is the customer number of the Account the ``Account__c`` lookup points to. That is how
the customer key is resolved, both ways, without a lookup of our own:

* reading, the query selects the path and the nested answer is flattened back to it;
* writing, the value becomes ``{"Account__r": {"Customer_Number__c": "C001"}}``, which
  Salesforce resolves to the Account whose external-id field ``Customer_Number__c`` holds
  ``C001`` (an unknown number fails that record alone).

Fields Salesforce maintains itself (``LastModifiedDate``, ``SystemModstamp``...) may be
mapped for reading; they are never sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

SYSTEM_FIELDS = frozenset({
    "Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById",
    "SystemModstamp", "LastActivityDate", "LastViewedDate", "LastReferencedDate",
})
"""Read-only fields every object has: readable through a mapping, never written."""


class UnwritableValue(ValueError):
    """A value that cannot be sent as it is (a path more than one relationship deep)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field


def flatten(record: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The value of each field (or relationship path) of a query result record.

    A path through an empty lookup reads as ``None``.
    """
    values: dict[str, Any] = {}
    for name in fields:
        value: Any = record
        for part in name.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        values[name] = value
    return values


def lookup_field(relationship: str) -> str:
    """The lookup field behind a relationship name: ``Account__r`` → ``Account__c``,
    ``Account`` → ``AccountId``."""
    if relationship.endswith("__r"):
        return relationship[:-3] + "__c"
    return relationship + "Id"


def nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """The record body for ``values``: paths nested, system fields left out.

    An empty value of a path clears the lookup itself (``Account__c: null``).

    Raises:
        UnwritableValue: for a path of more than one relationship.
    """
    body: dict[str, Any] = {}
    for name, value in values.items():
        if name in SYSTEM_FIELDS:
            continue
        if "." not in name:
            body[name] = value
            continue
        relationship, _, field = name.partition(".")
        if "." in field:
            raise UnwritableValue(name, "only one relationship deep can be written")
        if value is None:
            body[lookup_field(relationship)] = None
            continue
        reference = body.get(relationship)
        if not isinstance(reference, dict):
            reference = body[relationship] = {}
        reference[field] = value
    return body

"""Small builders shared by the mapping tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contactsync.mapping import (
    FieldProblem,
    ObjectMapping,
    SystemMapping,
    parse_mapping,
    to_canonical,
)
from contactsync.models import BusinessContact, EmergencyContact, Kind, Phone

SOURCE = "test.toml"

EMERGENCY_REQUIRED: dict[str, Any] = {
    "customer": "customer",
    "name": "name",
    "phones": {"fields": ["phone"], "convert": "phones"},
    "role": "role",
    "response_time_limit": {"field": "response_minutes", "convert": "minutes"},
}
BUSINESS_REQUIRED: dict[str, Any] = {
    "customer": "customer",
    "name": "name",
    "phones": {"fields": ["phone"], "convert": "phones"},
    "title": "title",
    "department": "department",
}


def kind_table(kind: Kind, extra: dict[str, Any] | None = None, **keys: Any) -> dict[str, Any]:
    """A valid table for ``kind`` with ``extra`` fields merged over the required ones."""
    base = EMERGENCY_REQUIRED if kind is Kind.EMERGENCY else BUSINESS_REQUIRED
    table: dict[str, Any] = {
        "object": f"{kind.value}_contacts",
        "key_field": "key",
        "fields": {**base, **(extra or {})},
    }
    table.update(keys)
    return table


def mapping_data(**kinds: dict[str, Any]) -> dict[str, Any]:
    """A mapping document for connector ``test`` (both kinds unless given)."""
    data: dict[str, Any] = {"connector": "test", "version": 1}
    data["emergency"] = kinds.get("emergency", kind_table(Kind.EMERGENCY))
    data["business"] = kinds.get("business", kind_table(Kind.BUSINESS))
    return data


def system(data: dict[str, Any], **kwargs: Any) -> SystemMapping:
    return parse_mapping(data, source=SOURCE, **kwargs)


def emergency_om(extra: dict[str, Any] | None = None, **keys: Any) -> ObjectMapping:
    """The emergency object of a mapping with ``extra`` fields."""
    return system(mapping_data(emergency=kind_table(Kind.EMERGENCY, extra, **keys))).objects[
        Kind.EMERGENCY
    ]


def business_om(extra: dict[str, Any] | None = None, **keys: Any) -> ObjectMapping:
    return system(mapping_data(business=kind_table(Kind.BUSINESS, extra, **keys))).objects[
        Kind.BUSINESS
    ]


MISSING = object()
"""What ``read`` returns for a field left out of the canonical dict."""


def read(
    om: ObjectMapping, field: str, values: dict[str, Any]
) -> tuple[Any, list[FieldProblem]]:
    """The canonical ``field`` read from ``values`` (``MISSING`` when left out)."""
    canonical, problems = to_canonical(om, values)
    return canonical.get(field, MISSING), problems


PHONE = Phone(raw="138 0013 8000", e164="+8613800138000", kind="mobile")


def emergency(**changes: Any) -> EmergencyContact:
    values: dict[str, Any] = {
        "key": "k-1",
        "customer": "C001",
        "name": "张三",
        "phones": (PHONE,),
        "role": "总经理",
        "response_time_limit": timedelta(minutes=15),
    }
    values.update(changes)
    return EmergencyContact(**values)


def business(**changes: Any) -> BusinessContact:
    values: dict[str, Any] = {
        "key": "b-1",
        "customer": "C001",
        "name": "李四",
        "phones": (PHONE,),
        "title": "采购经理",
        "department": "采购部",
    }
    values.update(changes)
    return BusinessContact(**values)

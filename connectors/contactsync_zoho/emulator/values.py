"""Checking written values the way Zoho does, and the per-record error entries it answers.

The entries have Zoho's real shapes (``shared/fixtures/real/zoho``): ``INVALID_DATA`` with
``details.api_name`` / ``json_path`` (and ``expected_data_type`` for a type mismatch),
``MANDATORY_NOT_FOUND``, ``DUPLICATE_DATA`` with ``duplicate_record`` and ``more_records``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from contactsync_zoho.emulator.schema import FieldSpec, ModuleSpec

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

OWNER = {"name": "Fake Owner", "id": "9100000000000000001", "email": "owner@example.com"}
OWNER_ZUID = {"name": "Fake Owner", "id": "9100000000000000001", "zuid": "91000001"}
USER = {"name": "Fake Owner", "id": "9100000000000000001"}


def error_entry(code: str, message: str, details: Mapping[str, Any]) -> dict[str, Any]:
    return {"code": code, "details": dict(details), "message": message, "status": "error"}


def invalid_field(name: str, index: int) -> dict[str, Any]:
    return error_entry(
        "INVALID_DATA", "the field api name given seems to be invalid",
        {"api_name": name, "json_path": f"$.data[{index}].{name}"},
    )


def invalid_type(spec: FieldSpec, index: int) -> dict[str, Any]:
    return error_entry(
        "INVALID_DATA", "invalid data",
        {"expected_data_type": spec.data_type, "api_name": spec.api_name,
         "json_path": f"$.data[{index}].{spec.api_name}"},
    )


def mandatory_missing(name: str, index: int) -> dict[str, Any]:
    return error_entry(
        "MANDATORY_NOT_FOUND", "required field not found",
        {"api_name": name, "json_path": f"$.data[{index}].{name}"},
    )


def duplicate(name: str, index: int, existing_id: str) -> dict[str, Any]:
    return error_entry(
        "DUPLICATE_DATA", "duplicate data",
        {"api_name": name, "duplicate_record": {"Owner": dict(OWNER_ZUID), "id": existing_id},
         "json_path": f"$.data[{index}].{name}", "id": existing_id, "more_records": False},
    )


def check_value(spec: FieldSpec, value: Any) -> bool:
    """Whether ``value`` is a value Zoho takes for ``spec`` (``None`` always is)."""
    if value is None:
        return True
    kind = spec.data_type
    if kind in ("text", "textarea", "picklist", "phone", "email"):
        if not isinstance(value, str) or len(value) > spec.length:
            return False
        return kind != "email" or not value or bool(_EMAIL.fullmatch(value))
    if kind in ("integer", "bigint"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "double":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "datetime":
        return isinstance(value, str) and bool(_DATETIME.fullmatch(value))
    if kind == "date":
        return isinstance(value, str) and bool(_DATE.fullmatch(value))
    if kind == "lookup":
        if isinstance(value, Mapping):
            value = value.get("id")
        return isinstance(value, str) and value.isdigit()
    return False  # owner lookups and read-only fields are not written here


def check_record(
    module: ModuleSpec, record: Mapping[str, Any], index: int, *, creating: bool
) -> dict[str, Any] | None:
    """The first problem of one written record, as Zoho's error entry, or ``None``."""
    for name, value in record.items():
        if name == "id":
            continue
        spec = module.field(name)
        if spec is None or spec.read_only:
            return invalid_field(name, index)
        if not check_value(spec, value):
            return invalid_type(spec, index)
    if creating:
        for spec in module.fields:
            if spec.mandatory and record.get(spec.api_name) in (None, ""):
                return mandatory_missing(spec.api_name, index)
    return None

"""Turn mapped values into a canonical contact, or a rejection naming record and field."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from contactsync.errors import RecordLocation, RecordRejected
from contactsync.models.contacts import MODEL_BY_KIND, BusinessContact, EmergencyContact


def describe_validation_error(exc: ValidationError) -> tuple[str | None, str]:
    """The first failing field and a one-line reason for ``exc``."""
    first = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "required field is missing"
    elif first["type"] == "extra_forbidden":
        message = "not a field of this kind of contact"
    elif first["type"] == "timezone_aware":
        message = (
            "datetime has no time zone; give one in the value or name the zone in the mapping"
        )
    return field, message


def build_contact(
    kind: str, values: dict[str, Any], location: RecordLocation
) -> EmergencyContact | BusinessContact:
    """Validate ``values`` as a contact of ``kind``.

    Raises:
        RecordRejected: naming the system, object, record id and the first bad field.
    """
    model = MODEL_BY_KIND.get(kind)
    if model is None:
        raise RecordRejected(location, f"unknown contact kind {kind!r}", field="kind")
    try:
        return model.model_validate({**values, "kind": kind})
    except ValidationError as exc:
        field, reason = describe_validation_error(exc)
        code = "MISSING_FIELD" if reason == "required field is missing" else "INVALID_FIELD"
        raise RecordRejected(location, reason, field=field, code=code) from exc

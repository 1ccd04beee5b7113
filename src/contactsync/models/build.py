"""Turn mapped values into a canonical contact, or a rejection naming record and field."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ValidationError

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


_SHARED_NAMES: dict[frozenset[str], set[str]] = {}
_SHARED_NAMES_LIMIT = 4096  # distinct combinations of fields set; a few dozen in practice
_NESTED: dict[type[BaseModel], tuple[str, ...]] = {}


def _holds_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in get_args(annotation))


def _nested_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``cls`` whose type names a model (``phones``, ``provenance``...)."""
    found = _NESTED.get(cls)
    if found is None:
        found = tuple(
            name for name, info in cls.model_fields.items() if _holds_model(info.annotation)
        )
        _NESTED[cls] = found
    return found


def share_fields_set(model: BaseModel) -> None:
    """Let a frozen ``model``, and the frozen models it holds, share their set of the
    field names given when they were made with every model that was given the same names.

    pydantic keeps that set per instance (``model_fields_set``, what ``exclude_unset``
    reads): 216 bytes for up to four names and 728 for up to eighteen, a third of what a
    contact, its phones and its provenance take, and the same few sets over and over. A
    frozen model's set is never changed in place (assignment is refused and
    ``model_copy`` copies the set before it adds to it), so one set per combination of
    names serves every such model. Values, validation and dumps are unchanged.
    """
    cls = type(model)
    if cls.model_config.get("frozen"):  # else assignment adds to the instance's own set
        own = model.__pydantic_fields_set__
        names = frozenset(own)
        shared = _SHARED_NAMES.get(names)
        if shared is None and len(_SHARED_NAMES) < _SHARED_NAMES_LIMIT:
            shared = _SHARED_NAMES.setdefault(names, set(names))
        if shared is not None and shared is not own:
            object.__setattr__(model, "__pydantic_fields_set__", shared)
    held = model.__dict__
    for name in _nested_fields(cls):
        value = held.get(name)
        if isinstance(value, BaseModel):
            share_fields_set(value)
        elif isinstance(value, tuple):
            for item in value:
                if isinstance(item, BaseModel):
                    share_fields_set(item)

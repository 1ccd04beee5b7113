"""Vendor records to canonical values and canonical contacts back to vendor records.

Reading never aborts on a bad value: the field is left out and a ``FieldProblem`` says why
(the caller reports it; a required field left out is then named by validation). Writing a
value the vendor cannot hold raises ``UnmappableValue`` for that one record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contactsync.errors import ConfigError, ContactsyncError, InvariantViolation
from contactsync.mapping.converters import CONVERTERS, CellError, FieldContext, as_text
from contactsync.mapping.fields import canonical_fields
from contactsync.mapping.model import FieldMap, ObjectMapping
from contactsync.mapping.values import folded, is_empty
from contactsync.models import BusinessContact, EmergencyContact, Kind


@dataclass(frozen=True)
class FieldProblem:
    """A vendor value that could not be read into its canonical field.

    Attributes:
        field: the canonical field left out.
        vendor_field: the vendor field(s) it was read from (comma-joined when several).
        value: the vendor value as read (may hold a phone number or e-mail: mask in logs).
        reason: why, in words a person can act on.
    """

    field: str
    vendor_field: str
    value: Any
    reason: str

    def __str__(self) -> str:
        return f"{self.field} (vendor field {self.vendor_field}): {self.reason}"


class UnmappableValue(ContactsyncError):
    """A canonical value this vendor object cannot hold (``to_vendor``); reject the record.

    Attributes:
        field: the canonical field.
        vendor_field: the vendor field(s) it would be written to.
        value: the canonical value.
        reason: why.
    """

    def __init__(self, field: str, vendor_field: str, value: Any, reason: str) -> None:
        super().__init__(f"{field} (vendor field {vendor_field}): {reason}")
        self.field = field
        self.vendor_field = vendor_field
        self.value = value
        self.reason = reason


def classify(om: ObjectMapping, values: Mapping[str, Any]) -> Kind:
    """The kind of one row: ``EMERGENCY`` for a row of a mixed (legacy) business object whose
    type field holds one of ``emergency_values`` (compared after NFKC, strip and case
    folding), otherwise the object's own kind."""
    if om.mixed is None:
        return om.kind
    raw = values.get(om.mixed.type_field)
    if is_empty(raw):
        return om.kind
    marker = folded(str(raw))
    if any(folded(value) == marker for value in om.mixed.emergency_values):
        return Kind.EMERGENCY
    return om.kind


def mapping_for_row(om: ObjectMapping, kind: Kind) -> dict[str, FieldMap]:
    """The fields a row of ``kind`` in ``om`` is read and written with."""
    if kind is om.kind:
        return om.fields
    if om.mixed is not None and kind is Kind.EMERGENCY:
        return om.mixed.fields
    raise ConfigError(f"the {om.kind.value} object {om.object!r} holds no {kind.value} rows")


def to_canonical(
    om: ObjectMapping,
    values: Mapping[str, Any],
    *,
    kind: Kind | None = None,
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """Canonical values from one vendor record, and the values that could not be read.

    Args:
        om: the object the record was read from.
        values: vendor field name to value, as the connector read it.
        kind: the row's kind when it is not the object's (``classify`` on a mixed object);
            the row is then read with ``mapping_for_row(om, kind)``.

    Returns:
        The canonical dict (empty cells left out; ``key`` from ``key_field``) and the
        problems. Shapes: see ``docs/mappings.md`` ("What to_canonical returns").
    """
    row_kind = om.kind if kind is None else kind
    fields = mapping_for_row(om, row_kind)
    known = canonical_fields(row_kind)
    result: dict[str, Any] = {}
    problems: list[FieldProblem] = []
    key = values.get(om.key_field)
    if not is_empty(key):
        try:
            result["key"] = as_text(key)
        except ValueError as exc:
            problems.append(FieldProblem("key", om.key_field, key, str(exc)))
    for fmap in fields.values():
        cells = tuple(values.get(name) for name in fmap.vendor_fields)
        if all(is_empty(cell) for cell in cells):
            continue
        ctx = FieldContext(known[fmap.canonical], om.timezone)
        try:
            produced = CONVERTERS[fmap.convert].read(fmap, cells, ctx)
        except CellError as exc:
            problems.append(FieldProblem(fmap.canonical, exc.vendor_field, exc.value, str(exc)))
            continue
        except ValueError as exc:
            value = cells[0] if len(cells) == 1 else cells
            problems.append(
                FieldProblem(fmap.canonical, ", ".join(fmap.vendor_fields), value, str(exc))
            )
            continue
        result.update((k, v) for k, v in produced.items() if not _blank(v))
    return result, problems


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, list | tuple | str) and not value)


def to_vendor(
    om: ObjectMapping,
    contact: EmergencyContact | BusinessContact,
    *,
    fields: dict[str, FieldMap] | None = None,
) -> dict[str, Any]:
    """The vendor record for ``contact``: every mapped field (``None`` for empty) and the
    ``key_field`` set to ``contact.key``.

    ``fields`` writes with other fields than the object's own: only the emergency fields of
    a mixed (legacy) business object, to render such a row (the type field is then set to
    the first of ``emergency_values`` unless a field writes it).

    Raises:
        InvariantViolation: ``contact`` is of the other kind than ``om`` stores (DESIGN
            invariant 1), outside the mixed-row case above.
        UnmappableValue: a value the vendor object cannot hold (one record's problem).
    """
    kind = Kind(contact.kind)
    if kind is not om.kind and (fields is None or om.mixed is None or kind is not Kind.EMERGENCY):
        raise InvariantViolation(
            f"refusing to write a {kind.value} contact into the {om.kind.value} object "
            f"{om.object!r}: the two kinds are stored separately"
        )
    chosen = mapping_for_row(om, kind) if fields is None else fields
    known = canonical_fields(kind)
    record: dict[str, Any] = {om.key_field: contact.key}
    for fmap in chosen.values():
        ctx = FieldContext(known[fmap.canonical], om.timezone)
        try:
            cells = CONVERTERS[fmap.convert].write(fmap, contact, ctx)
        except ValueError as exc:
            raise UnmappableValue(
                fmap.canonical, ", ".join(fmap.vendor_fields),
                getattr(contact, fmap.canonical, None), str(exc),
            ) from None
        record.update(zip(fmap.vendor_fields, cells, strict=True))
    if kind is not om.kind and om.mixed is not None:
        record.setdefault(om.mixed.type_field, om.mixed.emergency_values[0])
    return record

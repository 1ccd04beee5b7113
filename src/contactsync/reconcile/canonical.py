"""Vendor record → canonical contact: mapping, normalization, validation.

Also the comparison form of field values, which decides whether a value changed:
formatting differences (``138 0013 8000`` against ``+8613800138000``) are not changes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from contactsync.errors import RecordLocation, RecordRejected
from contactsync.findings import Code, Finding
from contactsync.mapping import ObjectMapping
from contactsync.mapping.convert import classify, mapping_for_row, to_canonical
from contactsync.models import Kind, Phone, Provenance, build_contact
from contactsync.normalize import checked_email, phone_region
from contactsync.plugins import PluginHost
from contactsync.reconcile.records import VALUE_DUMP_EXCLUDE, AnyContact, dump_values
from contactsync.redact import mask_text


def row_mapping(om: ObjectMapping, values: Mapping[str, Any]) -> tuple[Kind, ObjectMapping]:
    """The kind of one row and the mapping to read it with (legacy mixed sheets)."""
    if om.mixed is None:
        return om.kind, om
    kind = classify(om, values)
    if kind == om.kind:
        return kind, om
    return kind, dataclasses.replace(om, kind=kind, fields=mapping_for_row(om, kind), mixed=None)


class Canonicalizer:
    """Turns one system's vendor records into canonical contacts."""

    def __init__(self, host: PluginHost, system: str, region: str | None, default_region: str):
        self.host = host
        self.system = system
        self.region = region
        self.default_region = default_region

    def contact(
        self,
        om: ObjectMapping,
        values: Mapping[str, Any],
        *,
        object_name: str,
        record_id: str,
        locator: str | None,
    ) -> tuple[AnyContact, list[Finding]]:
        """Map, normalise and validate one record.

        Raises:
            RecordRejected: when the record cannot become a valid contact; it names the
                system, object, record (or row) and the field.
        """
        canonical, notes, location = self.prepare(
            om, values, object_name=object_name, record_id=record_id, locator=locator
        )
        return build_contact(om.kind.value, canonical, location), notes

    def prepare(
        self,
        om: ObjectMapping,
        values: Mapping[str, Any],
        *,
        object_name: str,
        record_id: str,
        locator: str | None,
    ) -> tuple[dict[str, Any], list[Finding], RecordLocation]:
        """Map and normalise one record, not yet validated: what ``contact`` validates.

        The values are what is known of a record even when it then fails validation (its
        phones and e-mail still say who it is).
        """
        location = RecordLocation(self.system, object_name, locator or record_id)
        canonical, problems = to_canonical(om, values)
        notes = [
            Finding(
                Code.INVALID_VALUE,
                _text(canonical.get("customer")),
                f"{location}: field {p.field!r} (column {p.vendor_field!r}) ignored: "
                f"{mask_text(p.reason)}",
                records=(str(location),),
            )
            for p in problems
        ]
        key = values.get(om.key_field)
        canonical["key"] = str(key).strip() if key not in (None, "") else None
        canonical["provenance"] = Provenance(
            system=self.system, object=object_name, record_id=record_id
        )
        region = phone_region(
            _text(canonical.get("country")), self.region, default=self.default_region
        )
        raw_phones = canonical.pop("phones", None) or ()
        if raw_phones:  # none at all is a missing required field, not an invalid one
            canonical["phones"] = [self._phone(raw, region) for raw in raw_phones]
        email = canonical.get("email")
        if isinstance(email, str):
            normalized, problem = checked_email(email)
            if problem:
                notes.append(
                    Finding(
                        Code.EMAIL_INVALID,
                        _text(canonical.get("customer")),
                        f"{location}: e-mail kept as written: {problem}",
                        records=(str(location),),
                    )
                )
            canonical["email"] = normalized
        self.host.normalize_contact(om.kind.value, canonical, self.system)
        return canonical, notes, location

    def _phone(self, raw: Any, region: str) -> Phone:
        if isinstance(raw, Phone):
            return raw
        if isinstance(raw, dict) and "raw" in raw:
            return Phone.model_validate(raw)
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raw = str(raw)
        return self.host.normalize_phone(raw, region)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def compare_form(field: str, value: Any) -> Any:
    """What decides whether two values of ``field`` differ."""
    if value in (None, "", [], ()):
        return None
    if field == "phones":
        return tuple(_phone_compare(item) for item in value)
    if field == "email" and isinstance(value, str):
        return value.casefold()
    if isinstance(value, list):
        return tuple(compare_form(field, item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((k, compare_form(k, v)) for k, v in value.items()))
    return value


def _phone_compare(item: Any) -> str:
    if isinstance(item, Phone):
        return item.compare_key
    if isinstance(item, dict):  # Phone.compare_key, without building a Phone
        e164, ext = item.get("e164"), item.get("extension")
        if e164:
            return f"{e164};ext={ext}" if ext else str(e164)
        return "raw:" + "".join(ch for ch in str(item.get("raw", "")) if not ch.isspace())
    return str(item)


def is_empty(value: Any) -> bool:
    return compare_form("", value) is None


__all__ = [
    "VALUE_DUMP_EXCLUDE",
    "Canonicalizer",
    "RecordRejected",
    "compare_form",
    "dump_values",
    "is_empty",
    "row_mapping",
]

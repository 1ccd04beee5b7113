"""The live schema: describe the mapped objects and check the mapping against them.

One ``/composite`` call describes every object a mapping touches (each subrequest judged
by its own status), a second one the objects its relationship paths lead to. The check
(``contactsync check --online``, through ``Connector.check_schema``) says, one line each,
what an administrator must fix beyond a missing field (the core reports those from
``describe()``):

* every mapped field has a type the field's converter can read and write, and can be
  written (fields Salesforce maintains, like ``LastModifiedDate``, are read only);
* the key field is an external id, and unique;
* the customer path (``Account__r.Customer_Number__c``) goes through a lookup to the
  customer object (Account by default) to a field marked external id, which is what lets
  a write name the account by its customer number;
* every field the object requires is written by the mapping.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from contactsync.connector import FieldSchema, ObjectSchema
from contactsync.mapping import FieldMap, ObjectMapping
from contactsync.models import Kind
from contactsync_salesforce.api import SalesforceApi
from contactsync_salesforce.errors import parse_errors
from contactsync_salesforce.records import SYSTEM_FIELDS

Describe = Mapping[str, Any]

_TEXT = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "combobox",
                   "multipicklist", "encryptedstring"})
_NUMBER = frozenset({"double", "int", "long", "currency", "percent"})
_COMPATIBLE: dict[str, frozenset[str]] = {
    "str": _TEXT | {"id", "reference"},
    "int": _NUMBER,
    "minutes": _NUMBER,
    "hours": _NUMBER,
    "duration": frozenset({"string", "textarea"}),
    "datetime": frozenset({"datetime"}),
    "picklist": frozenset({"picklist", "string", "combobox"}),
    "list": frozenset({"string", "textarea", "multipicklist"}),
    "phones": frozenset({"phone", "string"}),
    "name_split": frozenset({"string"}),
    "time_windows": frozenset({"string", "textarea"}),
    "json": frozenset({"string", "textarea"}),
}


@dataclass
class LiveSchema:
    """Describe bodies by object name, and why the others could not be described."""

    bodies: dict[str, Describe] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def fields(self, obj: str) -> dict[str, Describe]:
        body = self.bodies.get(obj) or {}
        return {str(f.get("name")): f for f in body.get("fields") or [] if isinstance(f, Mapping)}

    def lookup(self, obj: str, relationship: str) -> Describe | None:
        for item in self.fields(obj).values():
            if item.get("relationshipName") == relationship:
                return item
        return None


def describe_live(api: SalesforceApi, objects: Iterable[str], paths: Iterable[tuple[str, str]],
                  ) -> LiveSchema:
    """Describe ``objects``, then the objects the relationship ``paths`` lead to."""
    schema = LiveSchema()
    _describe_into(api, schema, list(dict.fromkeys(objects)))
    parents: dict[str, None] = {}
    for obj, relationship in paths:
        lookup = schema.lookup(obj, relationship)
        for target in (lookup or {}).get("referenceTo") or []:
            if target not in schema.bodies:
                parents[str(target)] = None
    if parents:
        _describe_into(api, schema, list(parents))
    return schema


def _describe_into(api: SalesforceApi, schema: LiveSchema, objects: list[str]) -> None:
    urls = {f"d_{obj}": f"{api.data_path}/sobjects/{obj}/describe" for obj in objects}
    answers = api.composite_get(urls, f"the describe of {', '.join(objects)}")
    for obj in objects:
        status, body = answers.get(f"d_{obj}", (0, None))
        if status == 200 and isinstance(body, Mapping):
            schema.bodies[obj] = body
        else:
            first = parse_errors(body)[0]
            schema.errors[obj] = f"HTTP {status} {first.code}: {first.message}"


def field_schema(name: str, item: Describe) -> FieldSchema:
    return FieldSchema(
        name=name,
        type=str(item.get("type") or ""),
        external_id=bool(item.get("externalId")),
        reference_to=tuple(str(t) for t in item.get("referenceTo") or []),
        required=not item.get("nillable", True) and bool(item.get("createable"))
        and not item.get("defaultedOnCreate"),
    )


def object_schema(om: ObjectMapping, schema: LiveSchema) -> ObjectSchema:
    """The object's fields, plus one entry per relationship path of the mapping (typed as
    the field at its end, ``reference_to`` the lookup's targets)."""
    fields = {name: field_schema(name, item) for name, item in schema.fields(om.object).items()}
    for vendor in om.vendor_fields:
        if "." not in vendor:
            continue
        found = _path(om.object, vendor, schema)
        if found is not None:
            lookup, end = found
            base = field_schema(vendor, end)
            fields[vendor] = FieldSchema(
                vendor, base.type, base.external_id,
                tuple(str(t) for t in lookup.get("referenceTo") or []),
                required=not lookup.get("nillable", True),
            )
    return ObjectSchema(name=om.object, fields=fields)


def _path(obj: str, vendor: str, schema: LiveSchema) -> tuple[Describe, Describe] | None:
    relationship, _, rest = vendor.partition(".")
    lookup = schema.lookup(obj, relationship)
    if lookup is None or "." in rest:
        return None
    for target in lookup.get("referenceTo") or []:
        end = schema.fields(str(target)).get(rest)
        if end is not None:
            return lookup, end
    return None


def check_mapping(
    kind: Kind, om: ObjectMapping, schema: LiveSchema, customer_object: str
) -> list[str]:
    """What does not fit, one line each (empty when the object fits the mapping)."""
    where = f"{kind.value} object {om.object!r}"
    if om.object not in schema.bodies:
        reason = schema.errors.get(om.object, "not described")
        return [f"{where} cannot be described ({reason}): create it or fix the mapping"]
    problems: list[str] = []
    fields = schema.fields(om.object)
    key = fields.get(om.key_field)  # a missing one is the core's report
    if key is not None:
        if key.get("type") not in ("string", "email"):
            problems.append(f"{where}: key field {om.key_field!r} is {key.get('type')}, not Text")
        if not key.get("externalId"):
            problems.append(f"{where}: key field {om.key_field!r} is not marked External ID")
        if not key.get("unique"):
            problems.append(f"{where}: key field {om.key_field!r} is not marked Unique")
    maps = list(om.fields.values()) + (list(om.mixed.fields.values()) if om.mixed else [])
    written: set[str] = {om.key_field}
    for fmap in maps:
        for vendor in fmap.vendor_fields:
            written.add(vendor.partition(".")[0])
            problems.extend(_check_field(where, om.object, fmap, vendor, schema, customer_object))
    for name, item in fields.items():
        if field_schema(name, item).required and name not in written and not _path_writes(
            name, written, fields
        ):
            problems.append(f"{where} requires field {name!r}, which the mapping does not write")
    return problems


def _path_writes(name: str, written: set[str], fields: Mapping[str, Describe]) -> bool:
    """A required lookup is written when the mapping writes its relationship."""
    relationship = fields.get(name, {}).get("relationshipName")
    return bool(relationship) and relationship in written


def _check_field(
    where: str, obj: str, fmap: FieldMap, vendor: str, schema: LiveSchema, customer_object: str
) -> list[str]:
    label = f"{where}: field {vendor!r} ({fmap.canonical}, converter {fmap.convert})"
    if "." in vendor:
        relationship, _, rest = vendor.partition(".")
        lookup = schema.lookup(obj, relationship)
        if lookup is None:
            return [f"{label}: {obj} has no lookup with relationship name {relationship!r}"]
        targets = [str(t) for t in lookup.get("referenceTo") or []]
        problems = []
        if fmap.canonical == "customer" and customer_object not in targets:
            problems.append(
                f"{label}: lookup {lookup.get('name')!r} points to "
                f"{', '.join(targets) or 'nothing'}, not {customer_object}"
            )
        found = _path(obj, vendor, schema)
        if found is None:
            return [*problems, f"{label}: {', '.join(targets) or 'the target'} has no field "
                               f"{rest!r}"]
        end = found[1]
        if not end.get("externalId"):
            problems.append(
                f"{label}: {rest!r} on {', '.join(targets)} is not marked External ID, so a "
                "record cannot name its parent by it"
            )
        return problems + _check_type(label, fmap, end)
    item = schema.fields(obj).get(vendor)
    if item is None:
        return []  # a missing field is the core's report (from describe())
    problems = _check_type(label, fmap, item)
    if vendor not in SYSTEM_FIELDS and not (item.get("createable") and item.get("updateable")):
        problems.append(f"{label}: the integration user cannot write it (createable/updateable)")
    return problems


def _check_type(label: str, fmap: FieldMap, item: Describe) -> list[str]:
    kind = str(item.get("type") or "")
    allowed = _COMPATIBLE.get(fmap.convert)
    if fmap.convert == "bool":
        written = [fmap.options.get("true", "true"), fmap.options.get("false", "false")]
        if all(isinstance(w, bool) for w in written):
            allowed = frozenset({"boolean"})
        elif all(isinstance(w, int) and not isinstance(w, bool) for w in written):
            allowed = _NUMBER
        else:
            allowed = frozenset({"picklist", "string", "combobox"})
    if fmap.convert == "datetime" and "format" in fmap.options:
        allowed = frozenset({"datetime", "date", "string"})
    if allowed is not None and kind not in allowed:
        use = ", ".join(sorted(allowed))
        return [f"{label}: is of type {kind}, which it cannot hold (use {use})"]
    return []

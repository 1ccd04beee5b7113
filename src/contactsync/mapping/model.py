"""What a loaded mapping holds. Loading and conversion live beside it (``load.py``,
``convert.py``); connectors only read these objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contactsync.errors import ConfigError
from contactsync.models import Kind


@dataclass(frozen=True)
class FieldMap:
    """How one canonical field is stored in the vendor object.

    Attributes:
        canonical: the canonical field name (``name``, ``phones``, ``response_time_limit``...).
        vendor_fields: the vendor field(s); several only for converters that join fields
            (``phones`` from several phone columns, ``name`` from given + family).
        convert: the converter name (``str``, ``int``, ``bool``, ``datetime``, ``duration``,
            ``minutes``, ``hours``, ``picklist``, ``list``, ``phones``, ``name_split``,
            ``time_windows``, ``json``; see ``converters.CONVERTERS`` and docs/mappings.md).
        options: converter options (picklist ``values``, datetime ``format``, ``separator``),
            checked on load by the converter.
    """

    canonical: str
    vendor_fields: tuple[str, ...]
    convert: str = "str"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MixedSpec:
    """A legacy business object that also holds emergency contacts (DESIGN invariant 1).

    Rows whose ``type_field`` holds one of ``emergency_values`` are emergency contacts
    stored in the wrong place: they are read with ``fields`` and reported
    ``MIXED_STORAGE``; contactsync never writes emergency contacts here.
    """

    type_field: str
    emergency_values: tuple[str, ...]
    fields: dict[str, FieldMap]


@dataclass(frozen=True)
class ObjectMapping:
    """One kind's object in one system.

    Attributes:
        kind: the contact kind stored here.
        object: the vendor object, table, sheet, file or form.
        key_field: the vendor field holding the contactsync key (external id).
        id_field: the vendor field holding the record id, when it is a field.
        timezone: the zone naive datetimes of this object are in, when the vendor
            writes them without one; ``None`` means a naive datetime is an error.
        fields: canonical field name to its ``FieldMap``, in file order.
        mixed: set when this business object is a legacy sheet holding both kinds.
    """

    kind: Kind
    object: str
    key_field: str
    fields: dict[str, FieldMap]
    id_field: str | None = None
    timezone: str | None = None
    mixed: MixedSpec | None = None

    @property
    def vendor_fields(self) -> tuple[str, ...]:
        """Every vendor field this mapping reads or writes, key first, in file order."""
        seen: dict[str, None] = {self.key_field: None}
        for fmap in self.fields.values():
            for name in fmap.vendor_fields:
                seen.setdefault(name, None)
        if self.mixed is not None:
            seen.setdefault(self.mixed.type_field, None)
            for fmap in self.mixed.fields.values():
                for name in fmap.vendor_fields:
                    seen.setdefault(name, None)
        return tuple(seen)


@dataclass(frozen=True)
class SystemMapping:
    """A system's mapping: one ``ObjectMapping`` per kind it stores.

    Attributes:
        connector: the connector the mapping is for.
        source: where it was loaded from (file names), for error messages.
        objects: kind to its object mapping.
    """

    connector: str
    source: str
    objects: dict[Kind, ObjectMapping]

    @property
    def kinds(self) -> frozenset[Kind]:
        return frozenset(self.objects)

    def has(self, kind: Kind) -> bool:
        return kind in self.objects

    def for_kind(self, kind: Kind) -> ObjectMapping:
        try:
            return self.objects[kind]
        except KeyError:
            raise ConfigError(f"{self.source}: this mapping has no {kind.value} object") from None

    def object_for(self, kind: Kind) -> str:
        return self.for_kind(kind).object

"""Modules and fields, fetched explicitly from ``/settings/modules`` and ``/settings/fields``
and cached in memory for the connector's life (no hidden metadata calls elsewhere)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contactsync.errors import ConfigError
from contactsync_zoho.client import ZohoApiError, ZohoClient

SYSTEM_FIELDS = frozenset(
    {"id", "Created_Time", "Modified_Time", "Created_By", "Modified_By", "Last_Activity_Time"}
)
"""Fields Zoho sets itself; never written."""


@dataclass(frozen=True)
class FieldMeta:
    """One field of a module, as ``/settings/fields`` describes it.

    Attributes:
        api_name: the field's API name.
        data_type: ``text``, ``integer``, ``boolean``, ``datetime``, ``lookup``...
        read_only: whether the API refuses to write it.
        unique: whether "do not allow duplicate values" is on (a ``duplicate_check_field``).
        mandatory: whether a record cannot be saved without it.
        lookup_module: for a lookup, the module it points to.
        length: the longest text it takes, when it says.
    """

    api_name: str
    data_type: str
    read_only: bool = False
    unique: bool = False
    mandatory: bool = False
    lookup_module: str | None = None
    length: int | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldMeta:
        lookup = data.get("lookup")
        module = None
        if isinstance(lookup, Mapping) and isinstance(lookup.get("module"), Mapping):
            module = lookup["module"].get("api_name")
        unique = data.get("unique")
        length = data.get("length")
        name = str(data.get("api_name") or "")
        return cls(
            api_name=name,
            data_type=str(data.get("data_type") or ""),
            read_only=bool(data.get("read_only")) or name in SYSTEM_FIELDS,
            unique=isinstance(unique, Mapping) and bool(unique),
            mandatory=bool(data.get("system_mandatory") or data.get("required")),
            lookup_module=str(module) if module else None,
            length=length if isinstance(length, int) and not isinstance(length, bool) else None,
        )


@dataclass(frozen=True)
class ModuleMeta:
    """A module and its fields."""

    api_name: str
    fields: dict[str, FieldMeta]

    def field(self, name: str) -> FieldMeta | None:
        return self.fields.get(name)


class Metadata:
    """The tenant's modules and fields, each fetched once."""

    def __init__(self, client: ZohoClient) -> None:
        self._client = client
        self._modules: dict[str, Mapping[str, Any]] | None = None
        self._fields: dict[str, ModuleMeta] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def module_names(self) -> dict[str, Mapping[str, Any]]:
        """Every module by API name (``GET /settings/modules``, once)."""
        with self._lock:
            if self._modules is None:
                self.fetches += 1
                answer = self._client.call("GET", "/settings/modules")
                modules = answer.body.get("modules") if isinstance(answer.body, Mapping) else None
                if not isinstance(modules, list):
                    raise ConfigError("Zoho's /settings/modules answer lists no modules")
                self._modules = {
                    str(m["api_name"]): m
                    for m in modules
                    if isinstance(m, Mapping) and m.get("api_name")
                }
            return self._modules

    def module(self, api_name: str) -> ModuleMeta:
        """The module and its fields (``GET /settings/fields?module=``, once per module).

        Raises:
            ConfigError: the module does not exist or the API cannot use it.
        """
        modules = self.module_names()
        info = modules.get(api_name)
        if info is None:
            known = ", ".join(sorted(n for n, m in modules.items() if m.get("api_supported")))
            raise ConfigError(f"Zoho has no module {api_name!r} (modules the API can use: {known})")
        if not info.get("api_supported", False):
            raise ConfigError(f"Zoho module {api_name!r} cannot be used through the API")
        with self._lock:
            cached = self._fields.get(api_name)
            if cached is not None:
                return cached
            self.fetches += 1
            try:
                answer = self._client.call("GET", "/settings/fields", params={"module": api_name})
            except ZohoApiError as exc:
                raise ConfigError(
                    f"Zoho refused the fields of module {api_name!r}: {exc}"
                ) from None
            raw = answer.body.get("fields") if isinstance(answer.body, Mapping) else None
            if not isinstance(raw, list):
                raise ConfigError(
                    f"Zoho's /settings/fields answer for {api_name!r} lists no fields"
                )
            fields = {}
            for item in raw:
                if isinstance(item, Mapping) and item.get("api_name"):
                    meta = FieldMeta.from_json(item)
                    fields[meta.api_name] = meta
            module = ModuleMeta(api_name, fields)
            self._fields[api_name] = module
            return module

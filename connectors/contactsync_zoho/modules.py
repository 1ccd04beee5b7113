"""Each kind's module, checked against the live metadata before anything is read or written.

The mapping names the module and its fields; ``/settings/fields`` says whether they exist,
which one is the unique ``Contactsync_Key`` (the upsert's ``duplicate_check_fields``), and
whether the customer field is a lookup to Accounts (then the connector reads and writes
the Account's customer key, see ``accounts.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from contactsync.errors import ConfigError
from contactsync.mapping import ObjectMapping
from contactsync.models import Kind
from contactsync_zoho.metadata import SYSTEM_FIELDS, Metadata, ModuleMeta

MODIFIED_TIME = "Modified_Time"
RECORD_ID = "id"


@dataclass(frozen=True)
class ModulePlan:
    """What the connector needs to read and write one kind's module.

    Attributes:
        kind: the contact kind stored in it.
        module: the module's API name.
        key_field: the unique field holding the contactsync key.
        customer_field: the lookup to the accounts module holding the customer, when the
            mapping's customer field is one (``None``: the customer is stored as text).
        fields: the fields to read, ``Modified_Time`` first, without ``id``.
        meta: the module's metadata.
    """

    kind: Kind
    module: str
    key_field: str
    customer_field: str | None
    fields: tuple[str, ...]
    meta: ModuleMeta

    def writable(self, name: str) -> bool:
        meta = self.meta.field(name)
        return meta is not None and not meta.read_only and name not in SYSTEM_FIELDS


def plan_module(
    om: ObjectMapping, metadata: Metadata, *, accounts_module: str, account_key_field: str
) -> ModulePlan:
    """Check ``om`` against the live module and say how to read and write it.

    Raises:
        ConfigError: the module or a mapped field is missing, the key field is not
            unique, or the customer lookup points elsewhere than the accounts module.
    """
    meta = metadata.module(om.object)
    where = f"Zoho module {om.object!r} ({om.kind.value} contacts)"
    wanted = [name for name in om.vendor_fields if name != RECORD_ID]
    missing = [name for name in wanted if name not in meta.fields]
    if missing:
        raise ConfigError(
            f"{where} has no field(s) {', '.join(missing)} named by the mapping; create them "
            "in Zoho or rename them in the system's mapping overrides"
        )
    key = meta.fields[om.key_field]
    if not key.unique:
        raise ConfigError(
            f"{where}: key field {om.key_field!r} must be a unique field (\"Do not allow "
            "duplicate values\"): contactsync upserts by it, so retries cannot duplicate"
        )
    customer_field = None
    fmap = om.fields.get("customer")
    if fmap is not None and len(fmap.vendor_fields) == 1:
        candidate = meta.fields[fmap.vendor_fields[0]]
        if candidate.data_type == "lookup":
            if candidate.lookup_module != accounts_module:
                raise ConfigError(
                    f"{where}: customer field {candidate.api_name!r} looks up "
                    f"{candidate.lookup_module!r}, not {accounts_module!r}"
                )
            accounts = metadata.module(accounts_module)
            if account_key_field not in accounts.fields:
                raise ConfigError(
                    f"Zoho module {accounts_module!r} has no field {account_key_field!r} "
                    "(setting account_key_field: the field holding the customer key)"
                )
            customer_field = candidate.api_name
    fields = [MODIFIED_TIME, *[name for name in wanted if name != MODIFIED_TIME]]
    if MODIFIED_TIME not in meta.fields:
        raise ConfigError(f"{where} has no Modified_Time field")
    return ModulePlan(om.kind, om.object, om.key_field, customer_field, tuple(fields), meta)


@dataclass
class Seen:
    """What this connector last read of one module, for ``If-Unmodified-Since``.

    Attributes:
        stamps: record id → the ``Modified_Time`` it had when read (or last written).
        unchanged_since: after an incremental read, the time since which every record it
            did not return is known unchanged: such a record may be updated with this as
            its ``If-Unmodified-Since``. ``None`` after a full read (every record was seen)
            or before any read.
    """

    stamps: dict[str, datetime] = field(default_factory=dict)
    unchanged_since: datetime | None = None

    def stamp_for(self, record_id: str) -> datetime | None:
        return self.stamps.get(record_id) or self.unchanged_since

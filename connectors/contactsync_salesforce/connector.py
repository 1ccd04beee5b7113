"""``SalesforceConnector``: emergency and business contacts in a Salesforce org.

Emergency contacts live in a custom object (``Emergency_Contact__c`` by default, with a
lookup to Account), business contacts in ``Contact`` (or a custom object), each with a
``Contactsync_Key__c`` external-id field. The objects and field names come from the
mapping (``mappings/salesforce.toml``); see ``docs/connectors/salesforce.md``.

Nothing is sent when the connector is built: the first call logs in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import requests

from contactsync.connector import (
    Capabilities,
    Connector,
    ConnectorContext,
    Cursor,
    ObjectSchema,
    PullPage,
    VendorRecord,
    WriteOp,
    WriteResult,
)
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync_salesforce.api import SalesforceApi, Sleep
from contactsync_salesforce.auth import Authenticator, private_key_file_problems
from contactsync_salesforce.errors import SalesforceCallError
from contactsync_salesforce.pull import ObjectPull
from contactsync_salesforce.push import ObjectPush
from contactsync_salesforce.records import flatten
from contactsync_salesforce.schema import LiveSchema, check_mapping, describe_live, object_schema
from contactsync_salesforce.settings import SalesforceSettings
from contactsync_salesforce.soql import api_name

BATCH_LIMIT = 200
"""sObject Collections take at most 200 records (or ids) a call."""

CAPABILITIES = Capabilities(
    kinds=frozenset(Kind),
    incremental=True,
    deletes="feed",
    batch_size=BATCH_LIMIT,
    upsert_by_external_id=True,
    archive=True,
)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SalesforceConnector(Connector):
    """A Salesforce org through its REST API (simple-salesforce on the injected session).

    Args:
        context: the system's context (settings: see ``SalesforceSettings``).
        sleep: waits between retries (tests record them instead of waiting).
        clock: local time, used only when Salesforce sent no ``Date`` header.
        authenticator: a login flow other than the one the settings name (tests).

    Raises:
        ConfigError: bad settings or mapping names.
    """

    capabilities = CAPABILITIES

    def __init__(
        self,
        context: ConnectorContext,
        *,
        sleep: Sleep = time.sleep,
        clock: Clock = _utc_now,
        authenticator: Authenticator | None = None,
    ) -> None:
        super().__init__(context)
        where = f"system {context.system!r}"
        self.settings = SalesforceSettings.from_settings(context.settings, where, context.base_dir)
        if self.settings.batch_size != BATCH_LIMIT:
            self.capabilities = replace(CAPABILITIES, batch_size=self.settings.batch_size)
        for kind, om in context.mapping.objects.items():
            api_name(om.object, f"{kind.value} object")
            api_name(om.key_field, f"{kind.value} key_field")
            for vendor in om.vendor_fields:
                api_name(vendor, f"{kind.value} field")
        self._sleep = sleep
        self._clock = clock
        self._authenticator = authenticator
        self._own_session = context.session is None
        self._api: SalesforceApi | None = None

    @property
    def api(self) -> SalesforceApi:
        """The org's REST API (built on first use; no call is made here)."""
        if self._api is None:
            session = self.context.session or requests.Session()
            self._api = SalesforceApi(
                self.settings, session, sleep=self._sleep, authenticator=self._authenticator
            )
        return self._api

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
            if self._own_session:
                self._api.session.close()
            self._api = None

    # -- describe and check -------------------------------------------------------------

    def live_schema(self) -> LiveSchema:
        objects = [om.object for om in self.context.mapping.objects.values()]
        paths = [
            (om.object, vendor.partition(".")[0])
            for om in self.context.mapping.objects.values()
            for vendor in om.vendor_fields
            if "." in vendor
        ]
        return describe_live(self.api, objects, paths)

    def describe(self) -> dict[Kind, ObjectSchema]:
        """Each kind's object as the org describes it; relationship paths of the mapping
        appear as fields of their own (``Account__r.Customer_Number__c``)."""
        schema = self.live_schema()
        found: dict[Kind, ObjectSchema] = {}
        for kind, om in sorted(self.context.mapping.objects.items()):
            if om.object not in schema.bodies:
                raise ConfigError(
                    f"system {self.system!r}: {kind.value} object {om.object!r} cannot be "
                    f"described ({schema.errors.get(om.object, 'no answer')})"
                )
            found[kind] = object_schema(om, schema)
        return found

    def check_offline(self) -> list[str]:
        """The JWT flow's ``private_key_file``, when it is what signs: missing, unreadable,
        not a PEM private key, or encrypted (see ``private_key_file_problems``)."""
        settings = self.settings
        if (
            self._authenticator is not None or settings.auth != "jwt"
            or settings.credential("private_key") or settings.private_key_file is None
        ):
            return []
        return private_key_file_problems(settings.private_key_file)

    def check_schema(self) -> list[str]:
        """What does not fit the mapping beyond a missing field, one line each: types,
        writability, the key's External ID and Unique flags, the customer lookup to
        Account and its External ID, required fields left unwritten (``check --online``)."""
        schema = self.live_schema()
        problems: list[str] = []
        for kind, om in sorted(self.context.mapping.objects.items()):
            problems.extend(check_mapping(kind, om, schema, self.settings.customer_object))
        return problems

    # -- pull ---------------------------------------------------------------------------

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        """Pages in ``SystemModstamp, Id`` order; see ``contactsync_salesforce.pull``."""
        om = self.context.mapping.for_kind(kind)
        reader = ObjectPull(
            self.api,
            om.object,
            om.vendor_fields,
            page_size=self.settings.page_size,
            lookback=timedelta(seconds=self.settings.lookback_seconds),
            clock=self._clock,
        )
        try:
            yield from reader.pages(since)
        except SalesforceCallError as exc:
            raise ConfigError(f"system {self.system!r}: {exc}") from None

    def fetch(self, kind: Kind, key: str) -> VendorRecord | None:
        """The live record holding ``key``, read by external id (``None`` when none does).

        The key is percent-encoded into the URL path, so any text is safe.
        """
        om = self.context.mapping.for_kind(kind)
        fields = list(dict.fromkeys(["Id", "SystemModstamp", *om.vendor_fields]))
        path = f"sobjects/{om.object}/{om.key_field}/{quote(key, safe='')}"
        try:
            row = self.api.rest(
                "GET", path, f"the {om.object} record by key", params={"fields": ",".join(
                    name for name in fields if "." not in name
                )},
            )
        except SalesforceCallError as exc:
            if exc.status == 404:
                return None
            raise
        if not isinstance(row, dict):
            return None
        return VendorRecord(
            record_id=str(row.get("Id")),
            values=flatten(row, [name for name in fields if "." not in name]),
            object=om.object,
        )

    # -- push ---------------------------------------------------------------------------

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        """Write ``operations``; see ``contactsync_salesforce.push``. The work is done
        before this returns."""
        om = self.context.mapping.for_kind(kind)
        writer = ObjectPush(
            self.api,
            om.object,
            om.key_field,
            batch_size=self.capabilities.batch_size,
            max_attempts=self.settings.max_attempts,
            max_wait=self.settings.max_wait_seconds,
            sleep=self._sleep,
        )
        return iter(writer.write(operations))


__all__ = ["BATCH_LIMIT", "CAPABILITIES", "SalesforceConnector"]

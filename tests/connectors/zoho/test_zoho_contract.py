"""The connector kit's contract suite, run against the Zoho emulator."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import requests

from contactsync.connector import Connector, ConnectorContext, ConnectorSpec
from contactsync.mapping import ObjectMapping, load_mapping, to_vendor
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync.testing.contract import AnyContact, EmulatedContract
from contactsync.testing.emulator import EmulatorApp
from contactsync_zoho import ZohoConnector
from contactsync_zoho.emulator import CREDENTIALS, SingleHostZoho

CUSTOMERS = ("C001", "C002", "C003")


class TestZohoContract(EmulatedContract):
    """Every point of the connector contract, on a Zoho org emulated on one host."""

    lookback: ClassVar[timedelta] = timedelta(seconds=2)
    read_only_fields: ClassVar[frozenset[str]] = frozenset({"updated_at"})  # Modified_Time
    rejection_code: ClassVar[str] = "INVALID_DATA"
    lost_response_hold: ClassVar[bool] = False

    def make_emulator(self) -> EmulatorApp:
        app = SingleHostZoho()
        self.account_ids = {key: app.add_account(key, f"Customer {key}") for key in CUSTOMERS}
        return app

    def make_connector(self, workdir: Path) -> Connector:
        settings: dict[str, Any] = {
            "data_centre": "EU",
            "accounts_url": self.server.url,
            "credentials": dict(CREDENTIALS),
            "page_size": self.page_size,
            "lookback_seconds": self.lookback.total_seconds(),
        }
        context = ConnectorContext(
            "zoho-contract", settings, load_mapping("zoho"), workdir, requests.Session()
        )
        return ZohoConnector(context, sleep=lambda seconds: None)

    def spec(self) -> ConnectorSpec | None:
        return PluginHost(entry_points=True).connector("zoho")

    # The kit writes vendor values straight into the store; in Zoho the customer is a
    # lookup to an Account, so the customer key becomes that Account's id first.
    def _stored(self, om: ObjectMapping, contact: AnyContact) -> dict[str, Any]:
        values = to_vendor(om, contact)
        lookup = om.fields["customer"].vendor_fields[0]
        values[lookup] = {"id": self.account_ids[str(values[lookup])]}
        return values

    def seed(self, connector: Connector, kind: Kind, contacts: Sequence[AnyContact]) -> None:
        om = connector.context.mapping.for_kind(kind)
        with self.emulator.store.batch():
            for contact in contacts:
                self.emulator.store.upsert(om.object, om.key_field, self._stored(om, contact))

    def write_late(
        self, connector: Connector, kind: Kind, contact: AnyContact, modified_at: datetime
    ) -> None:
        om = connector.context.mapping.for_kind(kind)
        self.emulator.store.upsert(
            om.object, om.key_field, self._stored(om, contact), modified_at=modified_at
        )

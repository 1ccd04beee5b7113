"""The salesforce connector passes the kit's contract suite against the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from salesforce_helpers import connector, make_emulator

from contactsync.connector import Connector, ConnectorSpec
from contactsync.plugins import PluginHost
from contactsync.testing import EmulatedContract
from contactsync.testing.emulator import EmulatorApp
from contactsync_salesforce.emulator import SalesforceEmulator


class TestSalesforceContract(EmulatedContract):
    read_only_fields: ClassVar[frozenset[str]] = frozenset({"updated_at"})  # LastModifiedDate
    emulator: SalesforceEmulator

    def make_emulator(self) -> EmulatorApp:
        return make_emulator()

    def make_connector(self, workdir: Path) -> Connector:
        return connector(
            self.server.url,
            credentials={"session_id": self.emulator.grant_session()},
            page_size=self.page_size,
            lookback_seconds=self.lookback.total_seconds(),
            timeout_seconds=2.0,  # the lost-response check waits this long, once
        )

    def spec(self) -> ConnectorSpec:
        return PluginHost(entry_points=True).connector("salesforce")

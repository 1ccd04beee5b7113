"""The example connector passes the contract suite: one subclass, run against its emulator."""

from __future__ import annotations

from pathlib import Path

from example_crm_emulator import ExampleCrm
from example_crm_helpers import connector_for

from contactsync.connector import Connector, ConnectorSpec
from contactsync.plugins import get_host
from contactsync.testing import EmulatedContract
from contactsync.testing.emulator import EmulatorApp


class TestExampleCrmContract(EmulatedContract):
    def make_emulator(self) -> EmulatorApp:
        return ExampleCrm()

    def make_connector(self, workdir: Path) -> Connector:
        return connector_for(
            self.server.url,
            page_size=self.page_size,
            lookback_seconds=self.lookback.total_seconds(),
            timeout_seconds=1.0,  # a lost response is noticed quickly
        )

    def spec(self) -> ConnectorSpec:
        return get_host().connector("example_crm")  # loaded through its entry point

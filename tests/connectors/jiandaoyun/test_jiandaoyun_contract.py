"""The connector kit's contract suite, run against the Jiandaoyun emulator.

Where the suite's emulator defaults do not fit Jiandaoyun, the hooks say why:

* seeding goes through the connector (one ``batch_create``: one stamp), because the
  customer field is a link to the customer form and only the connector turns a customer's
  key into the linked record's id;
* Jiandaoyun's errors name no field, so the refused write's error carries none;
* every call is a POST, so the lost answer is armed on ``batch_create`` only (an armed
  "any write method" would hit the first read).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from jiandaoyun_helpers import FakeTime, make_connector, seeded_emulator

from contactsync.connector import Connector, ConnectorSpec
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync.testing.contract import (
    AnyContact,
    ConnectorContract,
    EmulatedContract,
    LostResponse,
    RejectedWrite,
    create_op,
)
from contactsync.testing.emulator import CommitThenDrop, EmulatorApp
from contactsync_jiandaoyun.emulator import JiandaoyunEmulator


class TestJiandaoyunContract(EmulatedContract):
    page_size: ClassVar[int] = 2
    lookback: ClassVar[timedelta] = timedelta(seconds=2)
    read_only_fields: ClassVar[frozenset[str]] = frozenset({"updated_at"})  # updateTime
    lost_response_hold: ClassVar[bool] = False

    def make_emulator(self) -> EmulatorApp:
        return seeded_emulator()

    def make_connector(self, workdir: Path) -> Connector:
        return make_connector(
            f"{self.server.url}/api",
            FakeTime(),
            page_size=self.page_size,
            lookback_seconds=self.lookback.total_seconds(),
        )

    def spec(self) -> ConnectorSpec | None:
        return PluginHost().connectors()["jiandaoyun"]

    seed = ConnectorContract.seed

    def write_late(
        self, connector: Connector, kind: Kind, contact: AnyContact, modified_at: datetime
    ) -> None:
        om = connector.context.mapping.for_kind(kind)
        [result] = list(connector.push(kind, [create_op(om, contact)]))
        assert result.ok and result.record_id, result
        assert isinstance(self.emulator, JiandaoyunEmulator)
        self.emulator.restamp(om.object, result.record_id, modified_at)

    def rejected_write(
        self, connector: Connector, kind: Kind, contact: AnyContact
    ) -> RejectedWrite:
        rejected = super().rejected_write(connector, kind, contact)
        return RejectedWrite(rejected.op, rejected.code, None)

    def arm_lost_response(self, connector: Connector) -> LostResponse | None:
        rule = self.server.faults.add(
            CommitThenDrop(hold=False), method="POST", path=r".*/data/batch_create"
        )
        return lambda: rule.fired > 0

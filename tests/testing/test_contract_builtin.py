"""The built-in connectors pass the contract suite, each with one subclass."""

from __future__ import annotations

import math
import sqlite3
from datetime import datetime
from pathlib import Path

from contactsync.connector import Connector, ConnectorContext, ConnectorSpec
from contactsync.mapping import load_mapping, to_vendor
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync.testing import ConnectorContract, RejectedWrite, create_op
from contactsync.testing.contract import AnyContact
from contactsync_csv import CsvConnector
from contactsync_sqlite import SqliteConnector
from contactsync_sqlite.stamps import format_stamp


def _spec(name: str) -> ConnectorSpec:
    return PluginHost(entry_points=True).connector(name)


class TestSqliteContract(ConnectorContract):
    def make_connector(self, workdir: Path) -> Connector:
        settings = {
            "path": "hub.db",
            "page_size": self.page_size,
            "lookback_seconds": self.lookback.total_seconds(),
        }
        mapping = load_mapping("sqlite", connector="sqlite")
        return SqliteConnector(ConnectorContext("hub", settings, mapping, workdir))

    def spec(self) -> ConnectorSpec:
        return _spec("sqlite")

    def write_late(
        self, connector: Connector, kind: Kind, contact: AnyContact, modified_at: datetime
    ) -> None:
        assert isinstance(connector, SqliteConnector) and contact.key is not None
        om = connector.context.mapping.for_kind(kind)
        values = to_vendor(om, contact)
        columns = ["record_id", *values, "modified_at"]
        with sqlite3.connect(connector.path) as other_writer:  # behind the connector's back
            other_writer.execute(
                f"INSERT INTO {om.object} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                [contact.key, *values.values(), format_stamp(modified_at)],
            )

    def rejected_write(
        self, connector: Connector, kind: Kind, contact: AnyContact
    ) -> RejectedWrite:
        om = connector.context.mapping.for_kind(kind)
        op = create_op(om, contact)
        values = {**op.values, "name": {"not": "storable"}}  # SQLite holds no dict
        return RejectedWrite(
            op=type(op)(op.action, op.key, values, None, op.idempotency_key),
            code="INVALID_VALUE",
            field="name",
        )


class TestCsvContract(ConnectorContract):
    def make_connector(self, workdir: Path) -> Connector:
        mapping = load_mapping("csv", connector="csv", base_dir=workdir)
        return CsvConnector(
            ConnectorContext("sheet", {"page_size": self.page_size}, mapping, workdir)
        )

    def spec(self) -> ConnectorSpec:
        return _spec("csv")

    def rejected_write(
        self, connector: Connector, kind: Kind, contact: AnyContact
    ) -> RejectedWrite:
        om = connector.context.mapping.for_kind(kind)
        op = create_op(om, contact)
        values = {**op.values, "name": math.nan}  # a spreadsheet cell cannot hold NaN
        return RejectedWrite(
            op=type(op)(op.action, op.key, values, None, op.idempotency_key),
            code="INVALID_VALUE",
            field="name",
        )


class TestXlsxContract(TestCsvContract):
    def make_connector(self, workdir: Path) -> Connector:
        objects = {Kind.EMERGENCY: "emergency.xlsx", Kind.BUSINESS: "business.xlsx"}
        mapping = load_mapping("csv", connector="csv", objects=objects, base_dir=workdir)
        return CsvConnector(
            ConnectorContext("book", {"page_size": self.page_size}, mapping, workdir)
        )

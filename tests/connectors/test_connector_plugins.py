"""Both connectors are found through the ``contactsync`` entry points, like any plugin."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from connector_helpers import context

from contactsync.models import Kind
from contactsync.plugins import ENTRY_POINT_GROUP, PluginHost
from contactsync_csv import CsvConnector
from contactsync_sqlite import SqliteConnector


def test_entry_points_name_both_packages() -> None:
    found = {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert found["csv"] == "contactsync_csv"
    assert found["sqlite"] == "contactsync_sqlite"


def test_the_plugin_host_lists_both_with_their_capabilities() -> None:
    host = PluginHost()
    assert host.load_errors == []
    connectors = host.connectors()
    assert {"csv", "sqlite"} <= set(connectors)
    assert host.connector_plugin("csv") == "csv"
    assert host.connector_plugin("sqlite") == "sqlite"
    plugins = {info.name: info for info in host.plugins()}
    assert plugins["csv"].hooks == ("contactsync_register_connectors",)
    assert plugins["csv"].distribution == "contactsync"

    csv_spec, sqlite_spec = connectors["csv"], connectors["sqlite"]
    assert csv_spec.default_mapping == "csv.toml" and csv_spec.description
    assert sqlite_spec.default_mapping == "sqlite.toml" and sqlite_spec.description
    assert csv_spec.capabilities.to_json() == {
        "kinds": ["business", "emergency"],
        "incremental": False,
        "deletes": "enumeration",
        "batch_size": 500,
        "upsert_by_external_id": True,
        "archive": True,
    }
    assert sqlite_spec.capabilities.to_json() == {
        "kinds": ["business", "emergency"],
        "incremental": True,
        "deletes": "feed",
        "batch_size": 500,
        "upsert_by_external_id": True,
        "archive": True,
    }


def test_the_factories_build_connectors_that_carry_the_same_capabilities(tmp_path: Path) -> None:
    specs = PluginHost().connectors()
    objects = {
        Kind.EMERGENCY: ("emergency.csv", "key", ["name"]),
        Kind.BUSINESS: ("business.xlsx", "key", ["name"]),
    }
    built_csv = specs["csv"].factory(context("csv", tmp_path, objects))
    assert isinstance(built_csv, CsvConnector)
    assert built_csv.capabilities == specs["csv"].capabilities
    tables = {
        Kind.EMERGENCY: ("emergency_contacts", "key", ["name"]),
        Kind.BUSINESS: ("business_contacts", "key", ["name"]),
    }
    built_sqlite = specs["sqlite"].factory(context("sqlite", tmp_path, tables))
    assert isinstance(built_sqlite, SqliteConnector)
    assert built_sqlite.capabilities == specs["sqlite"].capabilities
    built_sqlite.close()

"""The sqlite hub: separate tables, values stored as given, per-record failures."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from connector_helpers import FakeClock, archive, create, hub, records, update

from contactsync.connector import WriteOp
from contactsync.errors import ConfigError, RetryableError
from contactsync.models import Kind


def push(connector: Any, kind: Kind, *ops: WriteOp) -> list[Any]:
    return list(connector.push(kind, list(ops)))


def table_rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(f'SELECT * FROM "{table}" ORDER BY record_id').fetchall()


def test_values_come_back_exactly_as_given(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock)
    values = {"name": "张三", "phone": 13800138000, "priority": 1}
    results = push(
        connector,
        Kind.EMERGENCY,
        create("e1", values),
        create("e2", {"name": "0010", "phone": "0086 138", "priority": 2.5}),
        create("e3", {"name": '{"a": [1, "二"]}', "phone": None, "priority": True}),
    )
    assert [(r.ok, r.record_id, r.action) for r in results] == [
        (True, "e1", "create"),
        (True, "e2", "create"),
        (True, "e3", "create"),
    ]
    pages = list(connector.pull(Kind.EMERGENCY))
    assert len(pages) == 1 and pages[0].last and pages[0].complete
    got = {r.record_id: r for r in records(pages)}
    assert dict(got["e1"].values) == {"contactsync_key": "e1", **values}
    assert got["e1"].values["phone"] == 13800138000 and type(got["e1"].values["phone"]) is int
    assert got["e2"].values["name"] == "0010"  # text stays text: no leading zero lost
    assert got["e2"].values["priority"] == 2.5
    assert got["e3"].values["phone"] is None and got["e3"].values["priority"] == 1
    assert got["e1"].modified_at == clock.now and got["e1"].object == "emergency_contacts"
    assert not got["e1"].deleted


def test_each_kind_lives_in_its_own_table(tmp_path: Path) -> None:
    connector = hub(tmp_path, FakeClock())
    push(connector, Kind.EMERGENCY, create("e1", {"name": "Ann"}))
    push(connector, Kind.BUSINESS, create("b1", {"name": "Bob", "title": "CFO"}))
    assert [r.record_id for r in records(connector.pull(Kind.EMERGENCY))] == ["e1"]
    assert [r.record_id for r in records(connector.pull(Kind.BUSINESS))] == ["b1"]
    connector.close()
    with sqlite3.connect(tmp_path / "hub.db") as connection:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    assert tables == {"emergency_contacts", "business_contacts"}


@pytest.mark.parametrize(
    ("objects", "message"),
    [
        (
            {
                Kind.EMERGENCY: ("Contacts", "key", ["name"]),
                Kind.BUSINESS: ("contacts", "key", ["name"]),
            },
            "each kind needs its own table",
        ),
        ({Kind.BUSINESS: ("b", "key", ["name", "modified_at"])}, "clashes"),
        ({Kind.BUSINESS: ("b", "key", ["record_id"])}, "clashes"),
        ({Kind.BUSINESS: ("b", "key", ["Phone", "phone"])}, "ignore case"),
        ({Kind.BUSINESS: ("sqlite_master", "key", ["name"])}, "cannot be a table name"),
    ],
)
def test_refused_mappings(tmp_path: Path, objects: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        hub(tmp_path, FakeClock(), objects)


@pytest.mark.parametrize(
    "settings",
    [{"path": ""}, {"page_size": 0}, {"lookback_seconds": -1}, {"lookback_seconds": "5"}],
)
def test_bad_settings(tmp_path: Path, settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="setting '"):
        hub(tmp_path, FakeClock(), **settings)


def test_the_default_path_is_relative_to_the_config_folder(tmp_path: Path) -> None:
    from connector_helpers import HUB_OBJECTS, context

    from contactsync_sqlite import SqliteConnector

    connector = SqliteConnector(context("sqlite", tmp_path, HUB_OBJECTS))
    push(connector, Kind.BUSINESS, create("b1", {"name": "Bob"}))
    connector.close()
    assert (tmp_path / "contactsync_hub.db").is_file()


def test_key_field_record_id_is_the_primary_key_itself(tmp_path: Path) -> None:
    objects = {Kind.BUSINESS: ("people", "record_id", ["name"])}
    connector = hub(tmp_path, FakeClock(), objects)
    push(connector, Kind.BUSINESS, create("b1", {"record_id": "b1", "name": "Bob"}))
    (got,) = records(connector.pull(Kind.BUSINESS))
    assert dict(got.values) == {"record_id": "b1", "name": "Bob"}
    connector.close()
    with sqlite3.connect(tmp_path / "hub.db") as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(people)")]
    assert columns == ["record_id", "name", "modified_at", "archived_at"]


def test_a_bad_value_fails_only_its_record(tmp_path: Path) -> None:
    connector = hub(tmp_path, FakeClock())
    results = push(
        connector,
        Kind.BUSINESS,
        create("b1", {"name": "Ann"}),
        create("b2", {"name": {"not": "bindable"}}),
        create("b3", {"phone": 2**70}),
        create("b4", {"phone": math.nan}),
        create("b5", {"modified_at": "2020-01-01"}),
        create(" ", {"name": "no key"}),
        create("b6", {"name": "Cy"}),
    )
    assert [r.ok for r in results] == [True, False, False, False, False, False, True]
    codes = [r.error.code for r in results if r.error]
    assert codes == [
        "INVALID_VALUE",
        "INVALID_VALUE",
        "INVALID_VALUE",
        "INVALID_VALUE",
        "INVALID_KEY",
    ]
    assert results[1].error is not None and results[1].error.fields == ("name",)
    assert [r.record_id for r in records(connector.pull(Kind.BUSINESS))] == ["b1", "b6"]


def test_updates_merge_into_the_stored_record(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock)
    push(connector, Kind.BUSINESS, create("b1", {"name": "Ann", "phone": "1", "title": "CEO"}))
    clock.advance(10)
    (result,) = push(connector, Kind.BUSINESS, update("b1", {"phone": "2"}))
    assert result.ok and result.action == "update"
    (got,) = records(connector.pull(Kind.BUSINESS))
    assert dict(got.values) == {
        "contactsync_key": "b1",
        "name": "Ann",
        "phone": "2",
        "title": "CEO",
    }
    assert got.modified_at == clock.now


def test_an_update_adopts_a_row_written_without_a_key(tmp_path: Path) -> None:
    connector = hub(tmp_path, FakeClock())
    push(connector, Kind.BUSINESS, create("typed-by-hand", {"name": "Ann", "title": "CEO"}))
    with sqlite3.connect(tmp_path / "hub.db") as db:  # a row someone added without a key
        db.execute("UPDATE business_contacts SET contactsync_key = NULL")
    (result,) = push(connector, Kind.BUSINESS, update("k1", {"name": "Ann"}, "typed-by-hand"))
    assert result.ok and result.record_id == "k1"
    got = records(connector.pull(Kind.BUSINESS))
    assert [(r.record_id, r.values["contactsync_key"], r.values["title"]) for r in got] == [
        ("k1", "k1", "CEO")
    ]


def test_an_update_of_an_unknown_key_is_an_upsert(tmp_path: Path) -> None:
    connector = hub(tmp_path, FakeClock())
    (result,) = push(connector, Kind.BUSINESS, update("b9", {"name": "New"}))
    assert result.ok
    assert [r.record_id for r in records(connector.pull(Kind.BUSINESS))] == ["b9"]


def test_archive_is_soft_and_idempotent(tmp_path: Path) -> None:
    clock = FakeClock()
    connector = hub(tmp_path, clock)
    push(connector, Kind.BUSINESS, create("b1", {"name": "Ann"}), create("b2", {"name": "Bob"}))
    clock.advance(60)
    results = push(connector, Kind.BUSINESS, archive("b1"), archive("ghost"))
    assert results[0].ok
    assert results[1].error is not None and results[1].error.code == "NOT_FOUND"
    pages = list(connector.pull(Kind.BUSINESS))
    assert [r.record_id for r in records(pages)] == ["b2"] and pages[-1].complete
    stored = {row[0]: row for row in table_rows(tmp_path / "hub.db", "business_contacts")}
    assert stored["b1"][1:3] == ("b1", "Ann")  # the row and its values are kept
    archived_at = stored["b1"][-1]
    assert archived_at is not None

    clock.advance(60)
    (again,) = push(connector, Kind.BUSINESS, archive("b1"))
    assert again.ok
    stored = {row[0]: row for row in table_rows(tmp_path / "hub.db", "business_contacts")}
    assert stored["b1"][-1] == archived_at and stored["b1"][-2] == archived_at  # no bump


def test_a_create_brings_an_archived_record_back(tmp_path: Path) -> None:
    connector = hub(tmp_path, FakeClock())
    push(connector, Kind.BUSINESS, create("b1", {"name": "Ann"}))
    push(connector, Kind.BUSINESS, archive("b1"))
    (result,) = push(connector, Kind.BUSINESS, create("b1", {"name": "Ann"}))
    assert result.ok
    assert [r.record_id for r in records(connector.pull(Kind.BUSINESS))] == ["b1"]


def test_columns_the_mapping_gained_are_added(tmp_path: Path) -> None:
    old = {Kind.BUSINESS: ("people", "key", ["name"])}
    first = hub(tmp_path, FakeClock(), old)
    push(first, Kind.BUSINESS, create("b1", {"name": "Ann"}))
    first.close()

    new = {Kind.BUSINESS: ("people", "key", ["name", "wechat", "department"])}
    second = hub(tmp_path, FakeClock(), new)
    (got,) = records(second.pull(Kind.BUSINESS))
    assert dict(got.values) == {"key": "b1", "name": "Ann", "wechat": None, "department": None}
    (result,) = push(second, Kind.BUSINESS, update("b1", {"wechat": "wx_ann", "extra": 7}))
    assert result.ok  # a field the mapping does not name yet gets its column too
    (got,) = records(second.pull(Kind.BUSINESS))
    assert got.values["wechat"] == "wx_ann" and got.values["extra"] == 7
    schema = second.describe()[Kind.BUSINESS]
    assert list(schema.fields) == [
        "record_id",
        "key",
        "name",
        "modified_at",
        "archived_at",
        "wechat",
        "department",
        "extra",
    ]
    assert schema.fields["record_id"].external_id and schema.fields["key"].external_id


def test_describe_creates_no_file(tmp_path: Path) -> None:
    connector = hub(tmp_path, FakeClock())
    schema = connector.describe()
    assert list(schema[Kind.EMERGENCY].fields) == [
        "record_id",
        "contactsync_key",
        "name",
        "phone",
        "priority",
        "modified_at",
        "archived_at",
    ]
    assert schema[Kind.EMERGENCY].name == "emergency_contacts"
    assert not (tmp_path / "hub.db").exists()


def test_large_pushes_are_split_into_batches(tmp_path: Path) -> None:
    connector = hub(tmp_path, FakeClock(), page_size=400)
    ops = [create(f"b{n:04d}", {"name": f"n{n}"}) for n in range(1200)]
    results = push(connector, Kind.BUSINESS, *ops)
    assert len(results) == 1200 and all(r.ok for r in results)
    pages = list(connector.pull(Kind.BUSINESS))
    assert [len(p.records) for p in pages] == [400, 400, 400]
    stamps = {r.modified_at for r in records(pages)}
    assert len(stamps) == 3  # one modified_at per 500-record transaction


def test_not_a_database_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "hub.db").write_text("this is not sqlite " * 100, encoding="utf-8")
    connector = hub(tmp_path, FakeClock())
    with pytest.raises(ConfigError, match=r"hub\.db"):
        list(connector.pull(Kind.BUSINESS))


def test_a_busy_database_is_retryable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import contactsync_sqlite.connector as module

    monkeypatch.setattr(module, "_BUSY_TIMEOUT_SECONDS", 0.01)
    connector = hub(tmp_path, FakeClock())
    push(connector, Kind.BUSINESS, create("b1", {"name": "Ann"}))
    other = sqlite3.connect(tmp_path / "hub.db", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        connector.close()
        with pytest.raises(RetryableError):
            push(connector, Kind.BUSINESS, create("b2", {"name": "Bob"}))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert push(connector, Kind.BUSINESS, create("b2", {"name": "Bob"}))[0].ok

"""The schema is versioned and migrates forward; a newer database is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Connection, inspect, text
from state_helpers import Backend

from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.state import LATEST_VERSION, Link, migrations
from contactsync.state.migrations import MIGRATIONS, Migration, current_version, migrate
from contactsync.state.schema import metadata

V1_TABLES = {
    "schema_version",
    "links",
    "bases",
    "cursors",
    "runs",
    "journal",
    "quarantine",
    "audit",
}


def _tables(backend: Backend) -> dict[str, dict[str, bool]]:
    with backend.raw_engine().connect() as conn:
        found = inspect(conn)
        return {
            name: {col["name"]: col["nullable"] for col in found.get_columns(name)}
            for name in found.get_table_names()
        }


def _indexes(backend: Backend, table: str) -> set[str]:
    with backend.raw_engine().connect() as conn:
        return {index["name"] or "" for index in inspect(conn).get_indexes(table)}


def test_versions_are_consecutive() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))
    assert LATEST_VERSION >= 2


def test_an_empty_database_migrates_to_what_schema_py_describes(backend: Backend) -> None:
    store = backend.open()
    assert store.schema_version() == LATEST_VERSION
    expected = {
        table.name: {col.name: bool(col.nullable) for col in table.columns}
        for table in metadata.sorted_tables
    }
    assert _tables(backend) == expected
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT version FROM schema_version ORDER BY version")).all()
    assert [row[0] for row in rows] == list(range(1, LATEST_VERSION + 1))


def test_opening_again_changes_nothing(backend: Backend) -> None:
    backend.open().close()
    before = _tables(backend)
    assert backend.open().schema_version() == LATEST_VERSION
    assert _tables(backend) == before


def test_a_v1_database_with_data_is_upgraded(backend: Backend) -> None:
    engine = backend.raw_engine()
    assert migrate(engine, target=1) == 1
    assert set(_tables(backend)) == V1_TABLES
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO links (key, kind, customer, system, object, record_id) "
                "VALUES ('k1', 'emergency', '客户1', 'crm', 'EC__c', 'r1')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO bases (key, system, object, record_id, data, digest, run_id, "
                "updated_at) VALUES ('k1', 'crm', 'EC__c', 'r1', '{\"name\":\"王五\"}', 'd', "
                "NULL, '2026-01-02T03:04:05.000006+00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO runs (run_id, plan_id, kind, status, started_at) "
                "VALUES ('run1', 'plan1', 'apply', 'running', '2026-01-02T03:04:05.000006+00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO journal (run_id, seq, plan_id, system, object, kind, batch_no, "
                "phase, op_ids, results, at) VALUES ('run1', 1, 'plan1', 'crm', 'EC__c', "
                "'emergency', 0, 'sent', '[\"op1\"]', NULL, '2026-01-02T03:04:05.000006+00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO quarantine (key, customer, kind, reason, data, quarantined_at) "
                "VALUES ('k9', '客户1', 'emergency', 'CAP_EXCEEDED', :data, "
                "'2026-01-02T03:04:05.000006+00:00')"
            ),
            {"data": '{"a":1}'},
        )
    engine.dispose()

    store = backend.open()
    assert store.schema_version() == LATEST_VERSION
    assert store.load_links() == [Link("k1", Kind.EMERGENCY, "客户1", "crm", "EC__c", "r1")]
    assert store.load_bases("crm")["r1"].data == {"name": "王五"}
    assert [entry.op_ids for entry in store.pending_batches("plan1")] == [("op1",)]
    assert [entry.key for entry in store.quarantined("客户1")] == ["k9"]
    # What the later versions added works on the upgraded data.
    assert store.try_lock("客户1", "worker-1", timedelta(minutes=5))
    assert "ix_links_customer" in _indexes(backend, "links")
    assert {"ix_audit_key", "ix_audit_run_id"} <= _indexes(backend, "audit")
    mark = store.mark_reviewed("k1", "客户1", "李四", store.load_bases("crm")["r1"].updated_at)
    assert store.review_marks() == [mark]


def test_a_newer_database_is_refused_naming_both_versions(backend: Backend) -> None:
    backend.open().close()
    engine = backend.raw_engine()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO schema_version (version, description, applied_at) "
                "VALUES (99, 'from the future', '2030-01-01T00:00:00.000000+00:00')"
            )
        )
    with pytest.raises(ConfigError) as caught:
        backend.open()
    assert "99" in str(caught.value)
    assert f"up to {LATEST_VERSION}" in str(caught.value)
    with engine.connect() as conn:
        assert current_version(conn) == 99  # refused before anything was written


def test_a_failing_migration_leaves_the_database_as_it_was(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.open().close()

    def half_done(conn: Connection) -> None:
        conn.execute(text("CREATE TABLE half_done (x INTEGER)"))
        conn.execute(
            text(
                "INSERT INTO links (key, kind, customer, system, object, record_id) "
                "VALUES ('k', 'emergency', 'c', 's', 'o', 'r')"
            )
        )
        raise RuntimeError("migration failed half-way")

    broken = Migration(LATEST_VERSION + 1, "broken", half_done)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "LATEST_VERSION", broken.version)
    with pytest.raises(RuntimeError, match="half-way"):
        migrations.migrate(backend.raw_engine())
    monkeypatch.undo()
    assert "half_done" not in _tables(backend)
    store = backend.open()
    assert store.schema_version() == LATEST_VERSION
    assert store.load_links() == []


def test_an_unknown_target_is_refused(backend: Backend) -> None:
    with pytest.raises(ConfigError, match="unknown schema version"):
        migrate(backend.raw_engine(), target=LATEST_VERSION + 1)

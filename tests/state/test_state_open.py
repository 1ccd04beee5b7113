"""Opening a store: URLs, the SQLite file and its settings, PostgreSQL schemas."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from state_helpers import Backend, libpq_dsn, link

from contactsync.errors import ConfigError
from contactsync.state import LATEST_VERSION, StateStore, default_state_url
from contactsync.state.engine import normalize_url


def test_postgresql_urls_get_psycopg() -> None:
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url", "oracle+cx_oracle://h/x"])
def test_other_databases_are_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="state store URL"):
        StateStore.open(url)


def test_a_schema_is_for_postgresql_only(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PostgreSQL only"):
        StateStore.open(f"sqlite:///{tmp_path / 's.db'}", schema="cs_x")


def test_a_database_that_cannot_be_reached_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="cannot open the state store"):
        StateStore.open("postgresql://postgres@127.0.0.1:1/test")


def test_default_url_is_beside_the_config(tmp_path: Path) -> None:
    url = default_state_url(tmp_path)
    assert url == f"sqlite:///{tmp_path.resolve() / '.contactsync' / 'state.db'}"
    with StateStore.open(url) as store:
        assert store.schema_version() == LATEST_VERSION
    assert (tmp_path / ".contactsync" / "state.db").is_file()


def test_opens_migrated_and_closes_as_a_context_manager(backend: Backend) -> None:
    with StateStore.open(backend.url, schema=backend.schema) as store:
        assert store.schema_version() == LATEST_VERSION
        assert store.dialect == backend.name
        store.save_links([link("k1", "r1")])
    with StateStore.open(backend.url, schema=backend.schema) as again:
        assert [found.key for found in again.load_links()] == ["k1"]


def test_a_password_never_reaches_the_message() -> None:
    with pytest.raises(ConfigError) as caught:
        StateStore.open("postgresql://postgres:s3cret-pw@127.0.0.1:1/test")
    assert "s3cret-pw" not in str(caught.value)


def test_sqlite_creates_the_folder_and_uses_wal(sqlite_backend: Backend, tmp_path: Path) -> None:
    store = sqlite_backend.open()
    assert (tmp_path / "state" / "state.db").is_file()
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 30_000


def test_sqlite_in_memory_works_for_quick_tools() -> None:
    with StateStore.open("sqlite://") as store:
        store.save_links([link("k1", "r1")])
        assert store.link_for("crm", "EC__c", "r1") == link("k1", "r1")


@pytest.mark.postgres
def test_postgresql_url_without_driver_and_a_new_schema(postgres_url: str) -> None:
    schema = f"cs_{uuid.uuid4().hex[:12]}"
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with StateStore.open(plain, schema=schema) as store:  # the schema is created
            assert store.url.startswith("postgresql+psycopg://")
            store.save_links([link("k1", "r1")])
            with store.engine.connect() as conn:
                assert conn.execute(text("SELECT current_schema()")).scalar_one() == schema
    finally:
        with psycopg.connect(libpq_dsn(postgres_url), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_a_schema_name_must_be_an_identifier() -> None:
    with pytest.raises(ConfigError, match="identifier"):
        StateStore.open("postgresql://postgres@127.0.0.1:5432/test", schema='x"; drop')

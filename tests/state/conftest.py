"""Fixtures for the state-store tests: every test runs on SQLite and on PostgreSQL.

SQLite lives in ``tmp_path``. PostgreSQL is the server on 127.0.0.1:5432, database ``test``
(trust auth; user ``postgres``, else ``root``; ``CONTACTSYNC_TEST_POSTGRES_URL`` overrides),
each test in a fresh schema ``cs_<random>`` dropped afterwards. When the server cannot be
reached the PostgreSQL tests are skipped, unless ``CI`` is set: then they fail, because CI
must prove the PostgreSQL run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from state_helpers import Backend, FakeClock, libpq_dsn

from contactsync.state import StateStore

PG_HOST = "127.0.0.1:5432"
PG_USERS = ("postgres", "root")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of a reachable PostgreSQL ``test`` database, or skip/fail as above."""
    override = os.environ.get("CONTACTSYNC_TEST_POSTGRES_URL")
    candidates = (
        [override]
        if override
        else [f"postgresql+psycopg://{user}@{PG_HOST}/test" for user in PG_USERS]
    )
    errors = []
    for url in candidates:
        try:
            with psycopg.connect(libpq_dsn(url)):
                return url
        except psycopg.Error as exc:
            detail = " ".join(str(exc).split())
            errors.append(f"{make_url(url).render_as_string(hide_password=True)}: {detail}")
    reason = f"PostgreSQL for the state-store tests is not reachable ({'; '.join(errors)})"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the PostgreSQL state-store tests")
    pytest.skip(reason)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _sqlite_backend(tmp_path: Path, clock: FakeClock) -> Iterator[Backend]:
    backend = Backend("sqlite", f"sqlite:///{tmp_path / 'state' / 'state.db'}", None, clock)
    yield backend
    backend.close()


def _postgres_backend(url: str, clock: FakeClock) -> Iterator[Backend]:
    schema = f"cs_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(libpq_dsn(url), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    backend = Backend("postgresql", url, schema, clock)
    try:
        yield backend
    finally:
        backend.close()
        with psycopg.connect(libpq_dsn(url), autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def backend(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[Backend]:
    """An empty database on each backend (nothing created in it yet)."""
    if request.param == "sqlite":
        yield from _sqlite_backend(tmp_path, clock)
    else:
        yield from _postgres_backend(request.getfixturevalue("postgres_url"), clock)


@pytest.fixture
def sqlite_backend(tmp_path: Path, clock: FakeClock) -> Iterator[Backend]:
    """SQLite only, for what only SQLite has (a file, WAL mode)."""
    yield from _sqlite_backend(tmp_path, clock)


@pytest.fixture
def store(backend: Backend) -> StateStore:
    """A freshly migrated store on each backend, stamped by the test's clock."""
    return backend.open()

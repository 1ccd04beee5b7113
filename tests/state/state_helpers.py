"""Helpers shared by the state-store tests (fixtures are in ``conftest.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from contactsync.models import Kind
from contactsync.state import BaseSnapshot, Link, StateStore
from contactsync.state.engine import create_state_engine

START = datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand: lock expiry without sleeping."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Backend:
    """Where one test's state store lives, and a way to open more stores on it."""

    name: str
    url: str
    schema: str | None
    clock: FakeClock
    opened: list[StateStore] = field(default_factory=list)
    engines: list[Engine] = field(default_factory=list)

    def open(self, **options: Any) -> StateStore:
        options.setdefault("clock", self.clock)
        store = StateStore.open(self.url, schema=self.schema, **options)
        self.opened.append(store)
        return store

    def raw_engine(self) -> Engine:
        """An engine on the same database and schema, with no migration run."""
        engine = create_state_engine(self.url, schema=self.schema)
        self.engines.append(engine)
        return engine

    def close(self) -> None:
        for store in self.opened:
            store.close()
        for engine in self.engines:
            engine.dispose()


def libpq_dsn(url: str) -> str:
    """The libpq connection string of a SQLAlchemy PostgreSQL URL (for admin work)."""
    parsed = make_url(url)
    return (
        f"host={parsed.host or '127.0.0.1'} port={parsed.port or 5432} "
        f"user={parsed.username} dbname={parsed.database} connect_timeout=5"
    )


def link(
    key: str,
    record_id: str,
    *,
    system: str = "crm",
    object: str = "EC__c",
    customer: str = "c1",
    kind: Kind = Kind.EMERGENCY,
) -> Link:
    return Link(key, kind, customer, system, object, record_id)


def base(
    key: str,
    record_id: str,
    data: dict[str, Any],
    *,
    system: str = "crm",
    object: str = "EC__c",
    run_id: str | None = None,
    at: datetime = START,
) -> BaseSnapshot:
    return BaseSnapshot(key, system, object, record_id, data, run_id, at)

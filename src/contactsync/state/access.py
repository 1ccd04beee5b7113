"""What every part of the store shares: the engine, the clock, and transactions.

Each public store method is one transaction of its own, unless it runs inside
``StateStore.transaction()``, in which case it joins that one (per thread), so a caller can
commit links, bases, cursor and audit of one sync together or not at all.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import islice
from typing import TypeVar

from sqlalchemy import ColumnElement, Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

Clock = Callable[[], datetime]
T = TypeVar("T")

CHUNK_ROWS = 5_000
"""Rows per executemany call in the bulk writers (all chunks in one transaction)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a bulk load builds a million objects.

    The objects hold no cycles, yet each generation-0 overflow would make the collector
    walk them all again: a third of a million-record load. Reference counting still frees
    memory meanwhile; the collector's previous state is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def chunked(items: Iterable[T], size: int = CHUNK_ROWS) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Access:
    """The engine, the clock and the transaction scope the store's parts share."""

    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self._engine = engine
        self._clock = clock or utc_now
        self._local = threading.local()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tools and tests; the store's methods are the API)."""
        return self._engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def _now(self) -> datetime:
        moment = self._clock()
        if moment.tzinfo is None:
            raise ValueError("the state store's clock returned a naive datetime")
        return moment

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction around several store calls (in this thread); nests by joining."""
        if self._current() is not None:
            yield
            return
        with self._engine.connect() as conn:
            conn.execution_options(contactsync_write=True)
            with conn.begin():
                self._local.conn = conn
                try:
                    yield
                finally:
                    self._local.conn = None

    def _current(self) -> Connection | None:
        conn: Connection | None = getattr(self._local, "conn", None)
        return conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        current = self._current()
        if current is not None:
            yield current
            return
        with self._engine.connect() as conn:
            conn.execution_options(contactsync_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        current = self._current()
        if current is not None:
            yield current
            return
        with self._engine.connect() as conn:
            yield conn  # one snapshot for the whole read; rolled back on close

    def _upsert(
        self,
        table: Table,
        keys: Sequence[str],
        update: Sequence[str],
        where: ColumnElement[bool] | None = None,
    ) -> Insert:
        """INSERT ... ON CONFLICT (keys) DO UPDATE SET update = excluded [WHERE where]."""
        if self.dialect == "postgresql":
            pg = postgresql.insert(table)
            return pg.on_conflict_do_update(
                index_elements=list(keys),
                set_={name: pg.excluded[name] for name in update},
                where=where,
            )
        lite = sqlite.insert(table)
        return lite.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: lite.excluded[name] for name in update},
            where=where,
        )

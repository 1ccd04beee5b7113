"""``StateStore``: the one object reconcile, plan and apply keep their state in."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from contactsync.errors import ConfigError
from contactsync.state.access import Clock
from contactsync.state.engine import create_state_engine
from contactsync.state.locks import Locks
from contactsync.state.migrations import current_version, migrate
from contactsync.state.quarantine import Quarantine
from contactsync.state.reviews import Reviews
from contactsync.state.runs import Runs
from contactsync.state.secrets import Secrets
from contactsync.state.sync_state import SyncState


class StateStore(SyncState, Runs, Quarantine, Reviews, Locks, Secrets):
    """Links, base snapshots, cursors, runs and journal, quarantine, audit, reviews, locks,
    and connectors' sealed secrets.

    Build it with ``StateStore.open(url)``; see the package docstring for the whole API.
    The store is safe to share between threads; ``transaction()`` is per thread.
    """

    def __init__(self, engine: Engine, *, clock: Clock | None = None) -> None:
        super().__init__(engine, clock)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        schema: str | None = None,
        clock: Clock | None = None,
        busy_timeout: float = 30.0,
    ) -> StateStore:
        """Open (creating and migrating forward as needed) the state store at ``url``.

        Args:
            url: ``sqlite:///path/state.db`` or ``postgresql+psycopg://user@host/db``
                (``postgresql://`` means psycopg too).
            schema: PostgreSQL only: keep the tables in this schema (created if missing).
            clock: returns the aware "now" the store stamps rows with (tests fix it).
            busy_timeout: SQLite only: seconds to wait for another process's write lock.

        Raises:
            ConfigError: a bad URL, a database that cannot be reached, or one whose
                schema is newer than this contactsync.
        """
        engine = create_state_engine(url, schema=schema, busy_timeout=busy_timeout)
        try:
            migrate(engine)
        except OperationalError as exc:
            engine.dispose()
            shown = engine.url.render_as_string(hide_password=True)
            raise ConfigError(f"cannot open the state store {shown}: {exc.orig}") from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, clock=clock)

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._engine.url.render_as_string(hide_password=True)

    def schema_version(self) -> int:
        with self._read() as conn:
            return current_version(conn)

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"StateStore({self.url!r})"

"""From a state store URL to a configured SQLAlchemy engine.

* ``sqlite:///path/state.db``: the file's folder is created; WAL mode (readers never block
  the writer, the writer never blocks readers); a busy timeout so a second process waits
  for the write lock instead of failing. contactsync emits ``BEGIN`` itself (the sqlite3
  module's own transaction handling skips it before SELECT and DDL): ``BEGIN IMMEDIATE``
  for writes, so two writers queue at the start of their transaction rather than fail
  half-way, and a plain deferred ``BEGIN`` for reads. ``sqlite://`` is an in-memory store.
* ``postgresql+psycopg://user@host:5432/db``; ``postgresql://`` and ``postgres://`` mean
  the same (psycopg 3). ``schema=`` puts every table in that schema (created if missing)
  through the connection's ``search_path``; without it the server's ``search_path`` decides.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from contactsync.errors import ConfigError

STATE_DIR = ".contactsync"
STATE_FILE = "state.db"
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_PG_DRIVERS = {"postgres": "postgresql+psycopg", "postgresql": "postgresql+psycopg"}


def default_state_url(config_dir: Path) -> str:
    """The embedded default: ``.contactsync/state.db`` beside the configuration file."""
    return f"sqlite:///{(Path(config_dir) / STATE_DIR / STATE_FILE).resolve()}"


def normalize_url(url: str) -> URL:
    """Parse ``url``; PostgreSQL without a driver gets psycopg 3.

    Raises:
        ConfigError: the URL cannot be parsed or names a database other than SQLite or
            PostgreSQL.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"state store URL {url!r} cannot be parsed: {exc}") from exc
    if parsed.drivername in _PG_DRIVERS:
        parsed = parsed.set(drivername=_PG_DRIVERS[parsed.drivername])
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        shown = parsed.render_as_string(hide_password=True)
        raise ConfigError(f"state store URL {shown!r}: only sqlite and postgresql are supported")
    return parsed


def create_state_engine(
    url: str, *, schema: str | None = None, busy_timeout: float = 30.0
) -> Engine:
    """An engine for ``url``, set up as the module docstring says.

    Raises:
        ConfigError: a bad URL, a bad schema name, or a schema given for SQLite.
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        if schema is not None:
            raise ConfigError("a state store schema applies to PostgreSQL only, not SQLite")
        return _sqlite_engine(parsed, busy_timeout)
    return _postgres_engine(parsed, schema)


def _sqlite_engine(url: URL, busy_timeout: float) -> Engine:
    database = url.database or ""
    in_memory = database in {"", ":memory:"} or url.query.get("mode") == "memory"
    options: dict[str, Any] = {"connect_args": {"timeout": busy_timeout}}
    if in_memory:
        # One shared connection, or every checkout would see its own empty database.
        options["poolclass"] = StaticPool
        options["connect_args"]["check_same_thread"] = False
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # contactsync emits BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # A 64 MiB page cache: the million-record bulk paths thrash the default 2 MiB.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("contactsync_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _postgres_engine(url: URL, schema: str | None) -> Engine:
    connect_args: dict[str, Any] = {}
    if schema is not None:
        if not _SCHEMA_NAME.match(schema):
            raise ConfigError(f"state store schema {schema!r} is not a plain SQL identifier")
        connect_args["options"] = f"-c search_path={schema}"
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    if schema is not None:
        _ensure_schema(engine, schema)
    return engine


def _ensure_schema(engine: Engine, schema: str) -> None:
    # Look before creating: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the
    # database even when the schema is already there.
    with engine.begin() as conn:
        found = conn.exec_driver_sql(
            "SELECT 1 FROM pg_namespace WHERE nspname = %(name)s", {"name": schema}
        ).first()
        if found is None:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')

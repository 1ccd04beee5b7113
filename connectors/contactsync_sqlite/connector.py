"""``SqliteConnector``: the embedded default hub, one SQLite table per kind.

stdlib ``sqlite3`` rather than SQLAlchemy Core: the hub is SQLite by definition (the
state store is the part that also runs on PostgreSQL), and the connector needs exactly
what ``sqlite3`` gives directly: ``BEGIN IMMEDIATE`` batches, ``INSERT ... ON CONFLICT``
and values stored with their Python type, with no type layer in between.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import timedelta

from contactsync.connector import (
    Capabilities,
    Connector,
    ConnectorContext,
    Cursor,
    FieldSchema,
    ObjectSchema,
    PullPage,
    WriteOp,
    WriteResult,
    local_file_problem,
)
from contactsync.errors import ConfigError, RetryableError
from contactsync.models import Kind
from contactsync_sqlite.paging import PageState, read_pages
from contactsync_sqlite.schema import (
    ARCHIVED_AT,
    BOOKKEEPING,
    MODIFIED_AT,
    RECORD_ID,
    TableSpec,
    add_column,
    ensure_table,
    fold,
    table_columns,
    table_specs,
)
from contactsync_sqlite.settings import SqliteSettings
from contactsync_sqlite.stamps import Clock, utc_now
from contactsync_sqlite.writer import BatchWriter, busy_is_retryable

CAPABILITIES = Capabilities(
    kinds=frozenset(Kind),
    incremental=True,
    deletes="feed",
    batch_size=500,
    upsert_by_external_id=True,
    archive=True,
)

_BUSY_TIMEOUT_SECONDS = 10.0
_SQLITE_HEADER = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite 3 database file."""


class SqliteConnector(Connector):
    """A local SQLite file holding each kind in its own table, keyed by the contactsync key.

    Args:
        context: the system's context; settings ``path``, ``page_size``,
            ``lookback_seconds``.
        clock: the time source for ``modified_at`` (tests inject a fixed one).

    Raises:
        ConfigError: for bad settings, or a mapping whose kinds share a table.
    """

    capabilities = CAPABILITIES

    def __init__(self, context: ConnectorContext, *, clock: Clock | None = None) -> None:
        super().__init__(context)
        where = f"system {context.system!r}"
        self.settings = SqliteSettings.from_settings(context.settings, where)
        self.path = context.base_dir / self.settings.path
        self.specs = table_specs(context.mapping, f"{where} ({context.mapping.source})")
        self._clock = clock or utc_now
        self._connection: sqlite3.Connection | None = None
        self._columns: dict[Kind, list[str]] = {}

    def check_offline(self) -> list[str]:
        """The database file, when it certainly cannot be opened: a folder, unreadable,
        under a "folder" that is a file, or a file that is not SQLite. A missing file is
        no problem: the first write creates it."""
        path = self.path
        problem = local_file_problem(path)
        if problem is not None:
            hint = " (setting 'path' names the database file)"
            return [problem + hint if problem.endswith("is not a file") else problem]
        if not path.exists() or path.stat().st_size == 0:
            return []  # created by the first write; SQLite takes an empty file as empty
        try:
            with path.open("rb") as handle:
                header = handle.read(len(_SQLITE_HEADER))
        except OSError as exc:
            return [f"{path}: cannot be read ({exc.strerror or exc})"]
        if header != _SQLITE_HEADER:
            return [f"{path}: is not a SQLite database (setting 'path' names the hub's file)"]
        return []

    # -- connection and tables --------------------------------------------------------

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection (autocommit; each push batch is one explicit transaction)."""
        if self._connection is None:
            self._connection = self._open()
        return self._connection

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise ConfigError(
                f"{self.path}: cannot be opened as a SQLite database ({exc})"
            ) from None
        try:
            with busy_is_retryable():
                connection.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise ConfigError(f"{self.path}: is not a SQLite database ({exc})") from None
        except RetryableError:
            connection.close()
            raise
        return connection

    def _table(self, kind: Kind) -> tuple[TableSpec, list[str]]:
        """The kind's table, created or widened on first use; its value columns."""
        spec = self.specs.get(kind)
        if spec is None:
            self.context.mapping.for_kind(kind)  # raises the mapping's ConfigError
            raise ConfigError(f"system {self.system!r}: no table for {kind.value}")
        if kind not in self._columns:
            with busy_is_retryable():
                self._columns[kind] = ensure_table(self.connection, spec)
        return spec, self._columns[kind]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._columns.clear()

    # -- describe -------------------------------------------------------------------------

    def describe(self) -> dict[Kind, ObjectSchema]:
        """Each kind's table as it is, or as it will be created (no file is created here)."""
        schemas: dict[Kind, ObjectSchema] = {}
        for kind, spec in sorted(self.specs.items()):
            present = table_columns(self.connection, spec.name) if self.path.exists() else []
            columns = present or [RECORD_ID, *spec.columns, MODIFIED_AT, ARCHIVED_AT]
            fields: dict[str, FieldSchema] = {}
            for column in columns:
                if column in (MODIFIED_AT, ARCHIVED_AT):
                    fields[column] = FieldSchema(column, "datetime", required=column == MODIFIED_AT)
                else:
                    key = column in (RECORD_ID, spec.key_field)
                    fields[column] = FieldSchema(column, "string", external_id=key, required=key)
            schemas[kind] = ObjectSchema(name=spec.name, fields=fields)
        return schemas

    # -- pull -----------------------------------------------------------------------------

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        """Pages ordered by ``(modified_at, record_id)``; see ``contactsync_sqlite.paging``.

        ``since=None`` (or a cursor without a watermark): every live row, ``complete``.
        A cursor with a watermark: rows changed since ``watermark - lookback_seconds``,
        archived ones as ``deleted`` records. A cursor with ``page_state`` resumes the
        interrupted pull it came from.
        """
        if self._connection is None and not self.path.exists():
            # A hub that was never written holds nothing; reading must not create it.
            self.context.mapping.for_kind(kind)
            yield PullPage(records=[], cursor=since or Cursor(), last=True, complete=True)
            return
        spec, columns = self._table(kind)
        lookback = timedelta(seconds=self.settings.lookback_seconds)
        state = PageState.start(spec.name, since, lookback)
        with busy_is_retryable():
            yield from read_pages(self.connection, state, columns, self.settings.page_size)

    # -- push -----------------------------------------------------------------------------

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        """Upsert or archive by key; one transaction per ``batch_size`` operations.

        The work is done before this returns. ``create`` and ``update`` are the same
        upsert (an update of a key the hub lacks inserts it; either one makes an archived
        record live again); ``archive`` sets ``archived_at`` and keeps the row. A field the
        table lacks is added as a column first, so no value is dropped.
        """
        spec, _ = self._table(kind)
        with busy_is_retryable():
            self._add_new_columns(kind, spec, operations)
        columns = {fold(column): column for column in self._columns[kind] if column != RECORD_ID}
        writer = BatchWriter(self.connection, spec, columns, self._clock)
        results: list[WriteResult] = []
        size = self.capabilities.batch_size
        for start in range(0, len(operations), size):
            results.extend(writer.write(operations[start : start + size]))
        return iter(results)

    def _add_new_columns(self, kind: Kind, spec: TableSpec, operations: Sequence[WriteOp]) -> None:
        known = {fold(column) for column in self._columns[kind]}
        for op in operations:
            if op.action == "archive":
                continue
            for name in op.values:
                folded = fold(name)
                if not name or "\x00" in name or folded in BOOKKEEPING or folded in known:
                    continue  # reserved and impossible names fail in the writer
                add_column(self.connection, spec.name, name)
                self._columns[kind].append(name)
                known.add(folded)


__all__ = ["CAPABILITIES", "SqliteConnector"]

"""The state store's schema history: migrations applied forward, in order.

Each migration states its own DDL as it was at that version (never by importing
``schema.py``, which describes only the newest version), runs in its own transaction and
records itself in ``schema_version``. ``migrate`` serialises concurrent openers: SQLite
through ``BEGIN IMMEDIATE`` (see ``engine.py``), PostgreSQL through a transaction-scoped
advisory lock keyed by the current schema. A database at a version newer than the code knows
is refused with ``ConfigError``, before anything is written.

To change the schema: append a ``Migration`` with the next version, and update
``schema.py`` to match (a test compares a migrated database with it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    inspect,
    select,
    text,
)

from contactsync.errors import ConfigError
from contactsync.state.codec import identifier, utc_text

VERSION_TABLE = "schema_version"
_PG_LOCK_CLASS = 0x6373  # "cs": the advisory-lock namespace of contactsync migrations


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _version_table(metadata: MetaData) -> Table:
    return Table(
        VERSION_TABLE,
        metadata,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("description", Text, nullable=False),
        Column("applied_at", String(32), nullable=False),
    )


def _v1_initial(conn: Connection) -> None:
    md = MetaData()
    _version_table(md)
    ts = String(32)
    Table(
        "links",
        md,
        Column("key", identifier(), nullable=False),
        Column("kind", String(16), nullable=False),
        Column("customer", identifier(), nullable=False),
        Column("system", identifier(), nullable=False),
        Column("object", identifier(), nullable=False),
        Column("record_id", identifier(), nullable=False),
        PrimaryKeyConstraint("system", "object", "record_id", name="pk_links"),
        UniqueConstraint("key", "system", "object", name="uq_links_key_system_object"),
    )
    Table(
        "bases",
        md,
        Column("key", identifier(), nullable=False),
        Column("system", identifier(), nullable=False),
        Column("object", identifier(), nullable=False),
        Column("record_id", identifier(), nullable=False),
        Column("data", Text, nullable=False),
        Column("digest", String(64), nullable=False),
        Column("run_id", identifier(), nullable=True),
        Column("updated_at", ts, nullable=False),
        PrimaryKeyConstraint("system", "object", "record_id", name="pk_bases"),
    )
    Table(
        "cursors",
        md,
        Column("system", identifier(), nullable=False),
        Column("object", identifier(), nullable=False),
        Column("kind", String(16), nullable=False),
        Column("cursor", Text, nullable=False),
        Column("updated_at", ts, nullable=False),
        PrimaryKeyConstraint("system", "object", name="pk_cursors"),
    )
    Table(
        "runs",
        md,
        Column("run_id", identifier(), primary_key=True),
        Column("plan_id", identifier(), nullable=False, index=True),
        Column("kind", String(8), nullable=False),
        Column("status", String(16), nullable=False),
        Column("started_at", ts, nullable=False),
        Column("finished_at", ts, nullable=True),
        Column("summary", Text, nullable=True),
        CheckConstraint("kind IN ('plan', 'apply')", name="ck_runs_kind"),
        CheckConstraint(
            "status IN ('running', 'done', 'failed', 'interrupted')", name="ck_runs_status"
        ),
    )
    Table(
        "journal",
        md,
        Column("run_id", identifier(), nullable=False),
        Column("seq", Integer, nullable=False, autoincrement=False),
        Column("plan_id", identifier(), nullable=False),
        Column("system", identifier(), nullable=False),
        Column("object", identifier(), nullable=False),
        Column("kind", String(16), nullable=False),
        Column("batch_no", Integer, nullable=False),
        Column("phase", String(8), nullable=False),
        Column("op_ids", Text, nullable=False),
        Column("results", Text, nullable=True),
        Column("at", ts, nullable=False),
        PrimaryKeyConstraint("run_id", "seq", name="pk_journal"),
        UniqueConstraint(
            "run_id", "system", "object", "kind", "batch_no", "phase", name="uq_journal_batch"
        ),
        CheckConstraint("phase IN ('sent', 'done')", name="ck_journal_phase"),
    )
    quarantine = Table(
        "quarantine",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("key", identifier(), nullable=False),
        Column("customer", identifier(), nullable=False),
        Column("kind", String(16), nullable=False),
        Column("reason", Text, nullable=False),
        Column("data", Text, nullable=False),
        Column("quarantined_at", ts, nullable=False),
        Column("run_id", identifier(), nullable=True),
        Column("restored_at", ts, nullable=True),
        Index("ix_quarantine_customer", "customer"),
    )
    # At most one entry per key that is not restored: a partial unique index (both backends).
    active = text("restored_at IS NULL")
    Index(
        "uq_quarantine_active_key",
        quarantine.c.key,
        unique=True,
        sqlite_where=active,
        postgresql_where=active,
    )
    Table(
        "audit",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("run_id", identifier(), nullable=True),
        Column("at", ts, nullable=False),
        Column("key", identifier(), nullable=False),
        Column("system", identifier(), nullable=True),
        Column("object", identifier(), nullable=True),
        Column("record_id", identifier(), nullable=True),
        Column("action", String(32), nullable=False),
        Column("before", Text, nullable=True),
        Column("after", Text, nullable=True),
    )
    md.create_all(conn)


def _v2_locks_and_indexes(conn: Connection) -> None:
    md = MetaData()
    Table(
        "locks",
        md,
        Column("customer", identifier(), primary_key=True),
        Column("owner", identifier(), nullable=False),
        Column("acquired_at", String(32), nullable=False),
        Column("expires_at", String(32), nullable=False),
    )
    md.create_all(conn)
    # Indexes for per-customer partitions, resume look-ups and audit queries; the tables
    # exist already, so they are reflected rather than restated.
    existing = MetaData()
    links = Table("links", existing, autoload_with=conn)
    journal = Table("journal", existing, autoload_with=conn)
    audit = Table("audit", existing, autoload_with=conn)
    for index in (
        Index("ix_links_customer", links.c.customer),
        Index("ix_journal_plan_phase", journal.c.plan_id, journal.c.phase),
        Index("ix_audit_key", audit.c.key),
        Index("ix_audit_run_id", audit.c.run_id),
    ):
        index.create(conn)


def _v3_review_marks(conn: Connection) -> None:
    md = MetaData()
    Table(
        "review_marks",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("key", identifier(), nullable=False),
        Column("customer", identifier(), nullable=False),
        Column("reviewed_at", String(32), nullable=False),
        Column("reviewed_by", Text, nullable=False),
        Column("marked_at", String(32), nullable=False),
        Index("ix_review_marks_key", "key"),
        Index("ix_review_marks_customer", "customer"),
    )
    md.create_all(conn)


def _v4_secrets(conn: Connection) -> None:
    md = MetaData()
    Table(
        "secrets",
        md,
        Column("system", identifier(), nullable=False),
        Column("name", identifier(), nullable=False),
        Column("sealed", Text, nullable=False),
        Column("updated_at", String(32), nullable=False),
        PrimaryKeyConstraint("system", "name", name="pk_secrets"),
    )
    md.create_all(conn)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial tables", _v1_initial),
    Migration(2, "locks table; indexes for customers, journal and audit", _v2_locks_and_indexes),
    Migration(3, "review marks", _v3_review_marks),
    Migration(4, "sealed secrets of connectors", _v4_secrets),
)
LATEST_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    """The database's schema version; 0 for a database contactsync never touched."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return 0
    table = _version_table(MetaData())
    return int(conn.execute(select(func.coalesce(func.max(table.c.version), 0))).scalar_one())


def _refuse_newer(version: int, where: str) -> None:
    if version > LATEST_VERSION:
        raise ConfigError(
            f"state store {where} is at schema version {version}, but this contactsync "
            f"knows versions up to {LATEST_VERSION}: upgrade contactsync to use it"
        )


def migrate(engine: Engine, target: int | None = None) -> int:
    """Bring the database forward to ``target`` (default: the newest); return its version.

    Raises:
        ConfigError: the database is newer than this code, or ``target`` is unknown.
    """
    goal = LATEST_VERSION if target is None else target
    if not 0 <= goal <= LATEST_VERSION:
        raise ConfigError(f"unknown schema version {goal} (known: 1..{LATEST_VERSION})")
    where = engine.url.render_as_string(hide_password=True)
    with _migration_transaction(engine) as conn:
        version = current_version(conn)
        _refuse_newer(version, where)
    for step in MIGRATIONS:
        if not version < step.version <= goal:
            continue
        with _migration_transaction(engine) as conn:
            version = current_version(conn)  # another opener may have got here first
            _refuse_newer(version, where)
            if version >= step.version:
                continue
            step.apply(conn)
            conn.execute(
                _version_table(MetaData()).insert(),
                {
                    "version": step.version,
                    "description": step.description,
                    "applied_at": utc_text(datetime.now(UTC)),
                },
            )
            version = step.version
    return version


@contextmanager
def _migration_transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        conn.execution_options(contactsync_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:cls, hashtext(current_schema()))"),
                    {"cls": _PG_LOCK_CLASS},
                )
            yield conn

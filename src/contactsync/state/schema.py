"""The state store's tables at the newest schema version, for the store's queries.

This describes; ``migrations.py`` creates. Keep the two in step (a test compares a
migrated database with this file). Times are fixed-width UTC text (``codec.utc_text``),
JSON values canonical text (``codec.dumps``).
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, PrimaryKeyConstraint, String, Table, Text

from contactsync.state.codec import identifier

metadata = MetaData()
_TS = String(32)

links = Table(
    "links",
    metadata,
    Column("key", identifier(), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("customer", identifier(), nullable=False),
    Column("system", identifier(), nullable=False),
    Column("object", identifier(), nullable=False),
    Column("record_id", identifier(), nullable=False),
    PrimaryKeyConstraint("system", "object", "record_id"),
)

bases = Table(
    "bases",
    metadata,
    Column("key", identifier(), nullable=False),
    Column("system", identifier(), nullable=False),
    Column("object", identifier(), nullable=False),
    Column("record_id", identifier(), nullable=False),
    Column("data", Text, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("run_id", identifier(), nullable=True),
    Column("updated_at", _TS, nullable=False),
    PrimaryKeyConstraint("system", "object", "record_id"),
)

cursors = Table(
    "cursors",
    metadata,
    Column("system", identifier(), nullable=False),
    Column("object", identifier(), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("cursor", Text, nullable=False),
    Column("updated_at", _TS, nullable=False),
    PrimaryKeyConstraint("system", "object"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", identifier(), primary_key=True),
    Column("plan_id", identifier(), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", _TS, nullable=False),
    Column("finished_at", _TS, nullable=True),
    Column("summary", Text, nullable=True),
)

journal = Table(
    "journal",
    metadata,
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
    Column("at", _TS, nullable=False),
    PrimaryKeyConstraint("run_id", "seq"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", identifier(), nullable=False),
    Column("customer", identifier(), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("data", Text, nullable=False),
    Column("quarantined_at", _TS, nullable=False),
    Column("run_id", identifier(), nullable=True),
    Column("restored_at", _TS, nullable=True),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", identifier(), nullable=True),
    Column("at", _TS, nullable=False),
    Column("key", identifier(), nullable=False),
    Column("system", identifier(), nullable=True),
    Column("object", identifier(), nullable=True),
    Column("record_id", identifier(), nullable=True),
    Column("action", String(32), nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
)

locks = Table(
    "locks",
    metadata,
    Column("customer", identifier(), primary_key=True),
    Column("owner", identifier(), nullable=False),
    Column("acquired_at", _TS, nullable=False),
    Column("expires_at", _TS, nullable=False),
)

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", _TS, nullable=False),
)

review_marks = Table(
    "review_marks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", identifier(), nullable=False),
    Column("customer", identifier(), nullable=False),
    Column("reviewed_at", _TS, nullable=False),
    Column("reviewed_by", Text, nullable=False),
    Column("marked_at", _TS, nullable=False),
)

secrets = Table(
    "secrets",
    metadata,
    Column("system", identifier(), nullable=False),
    Column("name", identifier(), nullable=False),
    Column("sealed", Text, nullable=False),
    Column("updated_at", _TS, nullable=False),
    PrimaryKeyConstraint("system", "name"),
)

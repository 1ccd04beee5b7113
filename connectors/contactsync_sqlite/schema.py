"""The hub's tables: one per kind, named by the mapping, created and widened on first use.

Each table has ``record_id TEXT PRIMARY KEY`` (the contactsync key), one column per vendor
field of the mapping, ``modified_at`` (UTC, set on every write) and ``archived_at``.

Vendor columns are declared without a type. SQLite then stores every value as it is given:
a ``TEXT`` column would turn the integer ``13800138000`` into the text ``'13800138000'``,
and a ``NUMERIC`` one would turn the text ``'0010'`` into the integer ``10``. Reading back
exactly what was written is also what lets a push tell an unchanged record from a changed
one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from contactsync.errors import ConfigError
from contactsync.mapping.model import SystemMapping
from contactsync.models import Kind

RECORD_ID = "record_id"
MODIFIED_AT = "modified_at"
ARCHIVED_AT = "archived_at"
BOOKKEEPING = (RECORD_ID, MODIFIED_AT, ARCHIVED_AT)


def quote(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def fold(name: str) -> str:
    """The name as SQLite compares identifiers (ASCII letters case-insensitively)."""
    return "".join(char.lower() if char.isascii() else char for char in name)


@dataclass(frozen=True)
class TableSpec:
    """What a kind's table must hold.

    Attributes:
        name: the table (the mapping's object).
        key_field: the mapping's key field; when it is ``record_id`` the primary key is it.
        columns: the vendor columns, in mapping order (``record_id`` not among them).
    """

    name: str
    key_field: str
    columns: tuple[str, ...]

    @property
    def key_column(self) -> str | None:
        """The vendor column that repeats the key, unless the key is ``record_id`` itself."""
        return None if self.key_field == RECORD_ID else self.key_field


def table_specs(mapping: SystemMapping, where: str) -> dict[Kind, TableSpec]:
    """One table per kind, checked.

    Raises:
        ConfigError: when two kinds name the same table (DESIGN invariant 1), a table name
            is reserved, or a field name clashes with the bookkeeping columns or another
            field that SQLite would take for the same column.
    """
    specs: dict[Kind, TableSpec] = {}
    tables: dict[str, Kind] = {}
    for kind in sorted(mapping.kinds):
        om = mapping.for_kind(kind)
        name = om.object
        if not name or "\x00" in name or fold(name).startswith("sqlite_"):
            raise ConfigError(f"{where}: {name!r} cannot be a table name ({kind.value})")
        other = tables.setdefault(fold(name), kind)
        if other != kind:
            raise ConfigError(
                f"{where}: {other.value} and {kind.value} contacts both name table {name!r}; "
                "each kind needs its own table"
            )
        columns: list[str] = []
        seen: dict[str, str] = {}
        for field in om.vendor_fields:
            if field == RECORD_ID and om.key_field == RECORD_ID:
                continue
            if not field or "\x00" in field or fold(field) in BOOKKEEPING:
                raise ConfigError(
                    f"{where}: field {field!r} of table {name!r} clashes with a column the "
                    f"hub keeps itself ({', '.join(BOOKKEEPING)})"
                )
            clash = seen.setdefault(fold(field), field)
            if clash != field:
                raise ConfigError(
                    f"{where}: fields {clash!r} and {field!r} of table {name!r} would be one "
                    "column (SQLite column names ignore case)"
                )
            columns.append(field)
        specs[kind] = TableSpec(name, om.key_field, tuple(columns))
    return specs


def ensure_table(connection: sqlite3.Connection, spec: TableSpec) -> list[str]:
    """Create the table if missing and add the columns the mapping gained since.

    Returns:
        The columns a record's values hold: the vendor columns in table order (mapping
        fields and any older ones), led by ``record_id`` when it is the key field.

    Raises:
        ConfigError: when a table of that name exists but is not a hub table.
    """
    table = quote(spec.name)
    declared = "".join(f", {quote(column)}" for column in spec.columns)
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {table} ({RECORD_ID} TEXT PRIMARY KEY NOT NULL{declared}, "
        f"{MODIFIED_AT} TEXT NOT NULL, {ARCHIVED_AT} TEXT)"
    )
    connection.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(spec.name + '__modified')} "
        f"ON {table} ({MODIFIED_AT}, {RECORD_ID})"
    )
    present = table_columns(connection, spec.name)
    folded = {fold(column) for column in present}
    missing = [name for name in BOOKKEEPING if name not in folded]
    if missing:
        raise ConfigError(
            f"table {spec.name!r} exists but is not a contactsync hub table "
            f"(it has no {', '.join(missing)} column)"
        )
    for column in spec.columns:
        if fold(column) not in folded:
            add_column(connection, spec.name, column)
            present.append(column)
            folded.add(fold(column))
    vendor = [column for column in present if fold(column) not in BOOKKEEPING]
    return [RECORD_ID, *vendor] if spec.key_field == RECORD_ID else vendor


def add_column(connection: sqlite3.Connection, table: str, column: str) -> None:
    connection.execute(f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column)}")


def table_columns(connection: sqlite3.Connection, table: str) -> list[str]:
    """The table's columns in order (empty when it does not exist)."""
    rows = connection.execute(f"PRAGMA table_info({quote(table)})").fetchall()
    return [str(row[1]) for row in rows]


def resolve(columns: Mapping[str, str], name: str) -> str | None:
    """The table column ``name`` refers to (``columns`` is folded name → column)."""
    return columns.get(fold(name))

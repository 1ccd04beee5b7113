"""Build a contactsync workspace from plain rows, for the reconcile and policy tests.

A ``Scenario`` is a folder with a ``contactsync.toml`` and the files of its systems:

* ``hub(...)``: the embedded SQLite hub (rows seeded through its connector, so they carry
  a contactsync key, as every hub row does);
* ``csv(...)``: a CSV system with one file per kind (``mixed=True`` adds a type column to
  its business file, so emergency contacts can be stored there, legacy style);
* ``legacy(...)``: a read-only sheet holding both kinds, told apart by a ``type`` column.

People are written as ``Person`` values and rendered in each system's own way (the CSV
mapping's columns, the hub's JSON phones and ISO durations). ``raw_rows`` reads a system's
rows back without contactsync, so tests check what really landed in the files.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from contactsync.apply import apply_plan
from contactsync.connector import WriteOp
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync.reconcile.engine import Reconciliation, reconcile
from contactsync.report import ApplySummary
from contactsync.runtime import Workspace

AS_OF = date(2026, 12, 4)
"""The business date every test reconciles on (``as_of``), so plans are reproducible."""

EMERGENCY_FILE = "emergency.csv"
BUSINESS_FILE = "business.csv"
HUB_TABLES = {Kind.EMERGENCY: "emergency_contacts", Kind.BUSINESS: "business_contacts"}
TYPE_COLUMN = "type"
EMERGENCY_MARK = "emergency"


@dataclass(frozen=True)
class Person:
    """One contact as a test writes it; ``None`` leaves a column empty.

    ``phones`` are written exactly as given (formats differ between systems on purpose).
    Date-times are ISO 8601 text.
    """

    customer: str
    name: str
    phones: tuple[str, ...] = ("13800138000",)
    kind: Kind = Kind.EMERGENCY
    key: str | None = None
    email: str | None = None
    role: str | None = "总经理"
    response_minutes: int | None = 30
    priority: int | None = None
    authority: bool | None = None
    reviewed_at: str | None = None
    reviewed_by: str | None = None
    review_interval_months: int | None = None
    relationship: str | None = None
    updated_at: str | None = None
    title: str | None = "经理"
    department: str | None = "采购部"
    extra: tuple[tuple[str, Any], ...] = ()
    """More columns, as (column, cell) pairs written as they are."""
    in_business_sheet: bool = False
    """An emergency contact kept in a mixed system's business sheet (legacy mixing)."""

    def but(self, **changes: Any) -> Person:
        return replace(self, **changes)


def emergency(customer: str, name: str, phone: str, **fields: Any) -> Person:
    return Person(customer, name, (phone,), Kind.EMERGENCY, **fields)


def business(customer: str, name: str, phone: str, **fields: Any) -> Person:
    return Person(customer, name, (phone,), Kind.BUSINESS, **fields)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_row(person: Person) -> dict[str, str]:
    """The row of the csv connector's default mapping (``mappings/csv.toml``)."""
    row: dict[str, Any] = {
        "contactsync_key": person.key,
        "customer": person.customer,
        "name": person.name,
        "phone": person.phones[0] if person.phones else None,
        "mobile": " / ".join(person.phones[1:]) or None,
        "email": person.email,
        "updated_at": person.updated_at,
    }
    if person.kind is Kind.EMERGENCY:
        row.update(
            role=person.role,
            relationship=person.relationship,
            priority=person.priority,
            decision_authority=person.authority,
            response_minutes=person.response_minutes,
            last_reviewed_at=person.reviewed_at,
            reviewed_by=person.reviewed_by,
            review_interval_months=person.review_interval_months,
        )
    else:
        row.update(title=person.title, department=person.department)
    row.update(dict(person.extra))
    return {name: _text(value) for name, value in row.items()}


def legacy_row(person: Person) -> dict[str, str]:
    """A row of a mixed sheet: the csv columns plus ``type`` telling the kinds apart."""
    row = csv_row(person)
    row[TYPE_COLUMN] = EMERGENCY_MARK if person.kind is Kind.EMERGENCY else "business"
    return row


def hub_values(person: Person) -> dict[str, Any]:
    """The hub's vendor values (``mappings/sqlite.toml``): JSON phones, ISO durations."""
    values: dict[str, Any] = {
        "customer": person.customer,
        "name": person.name,
        "phones": json.dumps(list(person.phones), ensure_ascii=False),
        "email": person.email,
        "updated_at": person.updated_at,
    }
    if person.kind is Kind.EMERGENCY:
        values.update(
            role=person.role,
            relationship=person.relationship,
            priority=person.priority,
            decision_authority=None if person.authority is None else int(person.authority),
            response_time_limit=(
                None if person.response_minutes is None else f"PT{person.response_minutes}M"
            ),
            last_reviewed_at=person.reviewed_at,
            reviewed_by=person.reviewed_by,
            review_interval_months=person.review_interval_months,
        )
    else:
        values.update(title=person.title, department=person.department)
    values.update(dict(person.extra))
    return values


def write_csv(path: Path, rows: list[dict[str, str]], header: Iterable[str] = ()) -> None:
    """A UTF-8 CSV file whose header is ``header`` then every other column the rows use."""
    columns: dict[str, None] = dict.fromkeys(["contactsync_key", *header])
    for row in rows:
        columns.update(dict.fromkeys(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in columns})


_EMERGENCY_FIELDS = """\
customer = "customer"
name = "name"
phones = { fields = ["phone", "mobile"], convert = "phones" }
email = "email"
role = "role"
relationship = "relationship"
priority = { field = "priority", convert = "int" }
decision_authority = { field = "decision_authority", convert = "bool" }
response_time_limit = { field = "response_minutes", convert = "minutes" }
last_reviewed_at = { field = "last_reviewed_at", convert = "datetime" }
reviewed_by = "reviewed_by"
review_interval_months = { field = "review_interval_months", convert = "int" }
updated_at = { field = "updated_at", convert = "datetime" }
"""

_BUSINESS_FIELDS = """\
customer = "customer"
name = "name"
phones = { fields = ["phone", "mobile"], convert = "phones" }
email = "email"
title = "title"
department = "department"
updated_at = { field = "updated_at", convert = "datetime" }
"""


def mixed_mapping(business_object: str, emergency_object: str | None = None) -> str:
    """A csv mapping whose business sheet also holds emergency rows (``type`` column)."""
    parts = ['connector = "csv"', "version = 1", ""]
    if emergency_object is not None:
        parts += [
            "[emergency]", f'object = "{emergency_object}"', 'key_field = "contactsync_key"',
            'timezone = "Asia/Shanghai"', "", "[emergency.fields]", _EMERGENCY_FIELDS,
        ]
    parts += [
        "[business]", f'object = "{business_object}"', 'key_field = "contactsync_key"',
        'timezone = "Asia/Shanghai"', "", "[business.fields]", _BUSINESS_FIELDS,
        "[business.mixed]", f'type_field = "{TYPE_COLUMN}"',
        f'emergency_values = ["{EMERGENCY_MARK}"]', "", "[business.mixed.fields]",
        _EMERGENCY_FIELDS,
    ]
    return "\n".join(parts)


@dataclass
class SystemSpec:
    name: str
    connector: str
    mode: str = "sync"
    people: list[Person] = field(default_factory=list)
    mixed: bool = False
    objects: dict[Kind, str] = field(default_factory=dict)


class Scenario:
    """A workspace folder built from people; see the module docstring."""

    def __init__(
        self,
        root: Path,
        *,
        policy: dict[str, Any] | None = None,
        sync: dict[str, Any] | None = None,
        host_plugins: Iterable[tuple[str, object]] = (),
    ) -> None:
        self.root = root
        self.policy_settings = dict(policy or {})
        self.sync_settings = dict(sync or {})
        self.host_plugins = list(host_plugins)
        self.systems: dict[str, SystemSpec] = {}
        self._written = False
        self._host: PluginHost | None = None

    # -- building ---------------------------------------------------------------------

    def hub(self, people: Iterable[Person] = (), name: str = "hub") -> Scenario:
        """The SQLite hub; every person needs a ``key`` (a hub row is keyed)."""
        self.systems[name] = SystemSpec(
            name, "sqlite", people=list(people), objects=dict(HUB_TABLES)
        )
        return self

    def csv(
        self, name: str, people: Iterable[Person] = (), *, mode: str = "sync", mixed: bool = False
    ) -> Scenario:
        """A CSV system, one file per kind in folder ``name``; ``mixed`` for legacy rows."""
        objects = {
            Kind.EMERGENCY: f"{name}/{EMERGENCY_FILE}",
            Kind.BUSINESS: f"{name}/{BUSINESS_FILE}",
        }
        self.systems[name] = SystemSpec(name, "csv", mode, list(people), mixed, objects)
        return self

    def legacy(self, name: str, people: Iterable[Person] = ()) -> Scenario:
        """A read-only sheet with both kinds mixed (no emergency object at all)."""
        objects = {Kind.BUSINESS: f"{name}/export.csv"}
        self.systems[name] = SystemSpec(name, "csv", "read", list(people), True, objects)
        return self

    @property
    def config_path(self) -> Path:
        return self.root / "contactsync.toml"

    def write(self) -> Path:
        """Write the configuration and the files, and seed the hub (once)."""
        if self._written:
            return self.config_path
        self._written = True
        self.root.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self._config_text(), encoding="utf-8")
        for spec in self.systems.values():
            if spec.connector == "csv":
                self._write_csv_system(spec)
        hubs = [s for s in self.systems.values() if s.connector == "sqlite" and s.people]
        if hubs:
            with self.workspace() as ws:
                for spec in hubs:
                    self.push_hub(ws, spec.name, spec.people)
        return self.config_path

    def _config_text(self) -> str:
        sync = {
            "business_timezone": "Asia/Shanghai",
            "default_region": "CN",
            "system_priority": list(self.systems),
            "clock_skew_seconds": 120,
            **self.sync_settings,
        }
        lines = ["[sync]", *(f"{k} = {_toml(v)}" for k, v in sync.items()), "", "[policy]"]
        lines += [f"{k} = {_toml(v)}" for k, v in self.policy_settings.items()]
        for spec in self.systems.values():
            lines += ["", f"[systems.{spec.name}]", f'connector = "{spec.connector}"',
                      f'mode = "{spec.mode}"']
            if spec.connector == "sqlite":
                lines.append(f'path = "{spec.name}.db"')
            elif spec.mixed:
                lines.append(f'mapping = "{spec.name}_mapping.toml"')
            else:
                objects = ", ".join(f'{k.value} = "{v}"' for k, v in spec.objects.items())
                lines.append(f"objects = {{ {objects} }}")
        return "\n".join(lines) + "\n"

    def _write_csv_system(self, spec: SystemSpec) -> None:
        if spec.mixed:
            text = mixed_mapping(spec.objects[Kind.BUSINESS], spec.objects.get(Kind.EMERGENCY))
            (self.root / f"{spec.name}_mapping.toml").write_text(text, encoding="utf-8")
            own_sheet = Kind.EMERGENCY in spec.objects
            in_sheet = [p for p in spec.people if p.kind is Kind.BUSINESS
                        or not own_sheet or p.in_business_sheet]
            write_csv(self.root / spec.objects[Kind.BUSINESS],
                      [legacy_row(p) for p in in_sheet], header=["customer", "name", TYPE_COLUMN])
            if own_sheet:
                rows = [csv_row(p) for p in spec.people if p not in in_sheet]
                write_csv(
                    self.root / spec.objects[Kind.EMERGENCY], rows, header=["customer", "name"]
                )
            return
        for kind, obj in spec.objects.items():
            write_csv(self.root / obj, [csv_row(p) for p in spec.people if p.kind is kind],
                      header=["customer", "name"])

    @staticmethod
    def push_hub(ws: Workspace, system: str, people: Iterable[Person]) -> None:
        """Write (upsert) people into a hub, as another application would."""
        connector = ws.systems[system].connector
        for kind in Kind:
            ops = []
            for person in people:
                if person.kind is not kind:
                    continue
                if not person.key:
                    raise ValueError(f"a hub row needs a key: {person}")
                values = hub_values(person)
                ops.append(WriteOp("create", person.key, values, None, f"seed-{person.key}"))
            if ops:
                results = list(connector.push(kind, ops))
                failed = [r for r in results if not r.ok]
                if failed:
                    raise AssertionError(f"seeding the hub failed: {failed}")

    # -- running ----------------------------------------------------------------------

    def host(self) -> PluginHost:
        """The plugin host (built once: loading the entry points is the slow part)."""
        if self._host is None:
            self._host = PluginHost(extra_plugins=self.host_plugins)
        return self._host

    @contextmanager
    def workspace(self) -> Iterator[Workspace]:
        self.write()
        ws = Workspace.open(self.config_path, host=self.host())
        try:
            yield ws
        finally:
            ws.close()

    def plan(self, **options: Any) -> Reconciliation:
        """A reconcile as of ``AS_OF`` (nothing written)."""
        options.setdefault("as_of", AS_OF)
        with self.workspace() as ws:
            return reconcile(ws, **options)

    def sync(self, **options: Any) -> tuple[Reconciliation, ApplySummary]:
        """Reconcile, then apply that plan."""
        options.setdefault("as_of", AS_OF)
        with self.workspace() as ws:
            result = reconcile(ws, **options)
            summary = apply_plan(ws, result.plan)
        return result, summary

    # -- changing the data between runs, as people and other applications do ---------

    def edit_csv(self, system: str, kind: Kind, name: str, **cells: str) -> None:
        """Set ``cells`` in the row(s) of ``name`` in a csv system's file for ``kind``."""
        rows = self.raw_rows(system, kind)
        hits = [row for row in rows if row["name"] == name]
        if not hits:
            raise AssertionError(f"no row named {name!r} in {system}/{kind.value}")
        for row in hits:
            row.update(cells)
        write_csv(self.path(system, kind), rows)

    def remove_csv(self, system: str, kind: Kind, name: str) -> None:
        """Delete the row(s) of ``name`` from a csv system's file (a person deleting it)."""
        rows = self.raw_rows(system, kind)
        kept = [row for row in rows if row["name"] != name]
        if len(kept) == len(rows):
            raise AssertionError(f"no row named {name!r} in {system}/{kind.value}")
        write_csv(self.path(system, kind), kept)

    def archive_hub(self, kind: Kind, *keys: str, system: str = "hub") -> None:
        """Archive hub rows through the connector (they then show in its delete feed)."""
        with self.workspace() as ws:
            ops = [WriteOp("archive", key, {}, key, f"test-archive-{key}") for key in keys]
            results = list(ws.systems[system].connector.push(kind, ops))
        if not all(r.ok for r in results):
            raise AssertionError(f"archiving failed: {results}")

    def hub_key(self, kind: Kind, name: str, system: str = "hub") -> str:
        """The key of the live hub row of ``name``."""
        keys = [row["record_id"] for row in self.raw_rows(system, kind) if row["name"] == name]
        if len(keys) != 1:
            raise AssertionError(f"{len(keys)} live hub rows named {name!r}")
        return str(keys[0])

    # -- reading back -----------------------------------------------------------------

    def path(self, system: str, kind: Kind) -> Path:
        return self.root / self.systems[system].objects[kind]

    def raw_rows(self, system: str, kind: Kind) -> list[dict[str, Any]]:
        """The live rows of one system object, read without contactsync."""
        spec = self.systems[system]
        if kind not in spec.objects:
            return []
        if spec.connector == "sqlite":
            db = self.root / f"{system}.db"
            if not db.exists():
                return []
            with sqlite3.connect(db) as conn:
                conn.row_factory = sqlite3.Row
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
                if spec.objects[kind] not in tables:
                    return []
                query = f'SELECT * FROM "{spec.objects[kind]}" WHERE archived_at IS NULL'
                return [dict(row) for row in conn.execute(query)]
        path = self.path(system, kind)
        if not path.exists() or path.stat().st_size == 0:
            return []
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [dict(row) for row in csv.DictReader(handle)]

    def archived_rows(self, system: str, kind: Kind) -> list[dict[str, Any]]:
        """Rows archived in a csv system (its ``.archived`` file)."""
        path = self.path(system, kind)
        archived = path.with_name(f"{path.stem}.archived{path.suffix}")
        if not archived.exists():
            return []
        with archived.open(encoding="utf-8-sig", newline="") as handle:
            return [dict(row) for row in csv.DictReader(handle)]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def codes(result: Reconciliation) -> list[str]:
    """The finding codes of a plan, sorted."""
    return sorted(f.code.value for f in result.plan.findings)


def findings(result: Reconciliation, code: str) -> list[Any]:
    return [f for f in result.plan.findings if f.code.value == code]


def ops(result: Reconciliation, **where: Any) -> list[Any]:
    """The plan's operations matching every ``attribute=value`` given."""
    return [
        op for op in result.plan.operations
        if all(getattr(op, name) == value for name, value in where.items())
    ]


def group_by_name(result: Reconciliation, name: str) -> Any:
    found = [g for g in result.groups if g.merged_values.get("name") == name]
    if len(found) != 1:
        raise AssertionError(f"{len(found)} groups named {name!r}")
    return found[0]


# -- in-memory records, for unit tests of match and merge ------------------------------


def contact(kind: Kind = Kind.EMERGENCY, **fields: Any) -> Any:
    """A canonical contact; phones are given as raw text and normalised (region CN)."""
    from contactsync.models import CONTACT_ADAPTER
    from contactsync.normalize.phone import normalize_phone

    values: dict[str, Any] = {"customer": "C1", "name": "张一", "phones": ["13800138001"]}
    if kind is Kind.EMERGENCY:
        values.update(role="总经理", response_time_limit="PT30M")
    else:
        values.update(title="经理", department="采购部")
    values.update(fields)
    values["phones"] = [
        p if isinstance(p, dict) else normalize_phone(p, "CN").model_dump(mode="json")
        for p in values["phones"]
    ]
    return CONTACT_ADAPTER.validate_python({**values, "kind": kind.value})


def system_record(
    system: str,
    item: Any,
    *,
    record_id: str | None = None,
    object_name: str | None = None,
    mixed: bool = False,
) -> Any:
    """A ``SystemRecord`` as the reader would make it from ``item`` (a canonical contact)."""
    from contactsync.reconcile.canonical import dump_values
    from contactsync.reconcile.records import SystemRecord

    kind = Kind(item.kind)
    rid = record_id or item.key or f"{system}-{item.name}"
    return SystemRecord(
        system=system,
        object=object_name or f"{system}.{kind.value}",
        record_id=rid,
        kind=kind,
        contact=item,
        values=dump_values(item),
        locator=None,
        mixed=mixed,
        positional=rid.startswith("row:"),
    )

"""Two CSV systems in ``tmp_path``, for the hook tests that go through the engine."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from contactsync.plugins import PluginHost
from contactsync.runtime import Workspace

AS_OF = date(2026, 6, 1)

CONFIG = """
[sync]
system_priority = ["a", "b"]

[systems.a]
connector = "csv"
objects = { emergency = "a/emergency.csv", business = "a/business.csv" }

[systems.b]
connector = "csv"
objects = { emergency = "b/emergency.csv", business = "b/business.csv" }
"""

BUSINESS = [
    "contactsync_key",
    "customer",
    "name",
    "phone",
    "email",
    "wechat_id",
    "title",
    "department",
    "updated_at",
]
EMERGENCY = [
    "contactsync_key",
    "customer",
    "name",
    "phone",
    "role",
    "priority",
    "response_minutes",
    "last_reviewed_at",
    "reviewed_by",
    "updated_at",
]


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in header})


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def edit_rows(path: Path, **changes: str) -> None:
    """Set ``changes`` on every row of the file, keeping its columns."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    for row in rows:
        row.update(changes)
    write_rows(path, header, rows)


def business(
    name: str, phone: str, email: str = "", wechat: str = "", **more: str
) -> dict[str, str]:
    return {
        "customer": "C001",
        "name": name,
        "phone": phone,
        "email": email,
        "wechat_id": wechat,
        "title": "采购经理",
        "department": "采购部",
        "updated_at": "2026-05-01T00:00:00Z",
        **more,
    }


def emergency(name: str, phone: str, **more: str) -> dict[str, str]:
    return {
        "customer": "C001",
        "name": name,
        "phone": phone,
        "role": "总经理",
        "priority": "1",
        "response_minutes": "30",
        "updated_at": "2026-05-01T00:00:00Z",
        **more,
    }


def workspace(
    root: Path,
    *,
    a_business: Sequence[dict[str, str]] = (),
    b_business: Sequence[dict[str, str]] = (),
    a_emergency: Sequence[dict[str, str]] = (),
    plugins: tuple[tuple[str, object], ...] = (),
) -> Workspace:
    """Write the files (the first time only) and open a workspace with ``plugins``."""
    config = root / "contactsync.toml"
    if not config.exists():
        root.mkdir(parents=True, exist_ok=True)
        config.write_text(CONFIG, encoding="utf-8")
        write_rows(root / "a" / "business.csv", BUSINESS, list(a_business))
        write_rows(root / "a" / "emergency.csv", EMERGENCY, list(a_emergency))
        if b_business:
            write_rows(root / "b" / "business.csv", BUSINESS, list(b_business))
    host = PluginHost(extra_plugins=plugins, entry_points=True)
    return Workspace.open(config, host=host)

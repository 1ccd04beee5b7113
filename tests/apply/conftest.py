"""A small two-system workspace (a CSV source and the SQLite hub) built in tmp_path."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from contactsync.plugins import PluginHost
from contactsync.runtime import Workspace

EMERGENCY_HEADER = [
    "contactsync_key",
    "customer",
    "name",
    "phone",
    "email",
    "role",
    "priority",
    "decision_authority",
    "response_minutes",
    "last_reviewed_at",
    "reviewed_by",
    "updated_at",
]
BUSINESS_HEADER = [
    "contactsync_key",
    "customer",
    "name",
    "phone",
    "email",
    "title",
    "department",
    "updated_at",
]

CONFIG = """
[sync]
system_priority = ["hub", "source"]

[systems.hub]
connector = "sqlite"
path = "hub.db"

[systems.source]
connector = "csv"
objects = { emergency = "source/emergency.csv", business = "source/business.csv" }
"""


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in header})


def customers(count: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """``count`` customers, each with one emergency and one business contact."""
    emergency, business = [], []
    for i in range(count):
        emergency.append(
            {
                "customer": f"C{i:05d}",
                "name": f"紧急{i}",
                "phone": f"1380{i:07d}",
                "email": f"e{i}@example.com",
                "role": "总经理",
                "priority": "1",
                "decision_authority": "true",
                "response_minutes": "30",
                "last_reviewed_at": "2026-11-01T00:00:00Z",
                "reviewed_by": "审核人",
                "updated_at": "2026-11-01T00:00:00Z",
            }
        )
        business.append(
            {
                "customer": f"C{i:05d}",
                "name": f"业务{i}",
                "phone": f"1390{i:07d}",
                "email": f"b{i}@example.com",
                "title": "经理",
                "department": "采购部",
                "updated_at": "2026-11-01T00:00:00Z",
            }
        )
    return emergency, business


@pytest.fixture
def make_workspace(tmp_path: Path) -> Callable[..., Workspace]:
    """Build the workspace files once (``count`` customers), then open workspaces on them."""
    built: dict[str, Path] = {}

    def make(count: int = 3, *, host: PluginHost | None = None) -> Workspace:
        if "config" not in built:
            config = tmp_path / "contactsync.toml"
            config.write_text(CONFIG, encoding="utf-8")
            emergency, business = customers(count)
            write_rows(tmp_path / "source" / "emergency.csv", EMERGENCY_HEADER, emergency)
            write_rows(tmp_path / "source" / "business.csv", BUSINESS_HEADER, business)
            built["config"] = config
        return Workspace.open(built["config"], host=host or PluginHost())

    return make

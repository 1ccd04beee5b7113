"""`make bench`: reconcile throughput, peak memory and the time per phase.

Generates N customers (default 100,000), ten contacts each (two emergency, eight
business), in two systems: the SQLite hub and a CSV system. Four in five persons are in
both systems (one in ten of those with a differently written phone or a changed title),
the rest in one only. Then it runs one reconcile (plan only: nothing is applied) and
reports records per second, peak resident memory, and the seconds spent reading,
normalizing, matching, merging and planning. Not a test: figures go to
docs/benchmarks.md with the machine they came from.

    python benchmarks/run.py --customers 100000
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

CONFIG = """
[sync]
system_priority = ["hub", "crm"]

[systems.hub]
connector = "sqlite"
path = "hub.db"

[systems.crm]
connector = "csv"
objects = { emergency = "crm/emergency.csv", business = "crm/business.csv" }
"""

E_COLUMNS = [
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
B_COLUMNS = [
    "contactsync_key",
    "customer",
    "name",
    "phone",
    "email",
    "title",
    "department",
    "updated_at",
]


def people(customers: int, seed: int) -> list[tuple[str, dict[str, str]]]:
    rng = random.Random(seed)
    rows: list[tuple[str, dict[str, str]]] = []
    serial = 0
    for c in range(customers):
        customer = f"C{c:07d}"
        for i in range(10):
            serial += 1
            kind = "emergency" if i < 2 else "business"
            row = {
                "customer": customer,
                "name": f"联系人{serial}",
                "phone": f"13{serial % 10}{serial:08d}"[:11],
                "email": f"p{serial}@example.com",
                "updated_at": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}T08:00:00Z",
            }
            if kind == "emergency":
                row |= {
                    "role": "总经理" if i == 0 else "安全主管",
                    "priority": str(i + 1),
                    "decision_authority": "true",
                    "response_minutes": "30",
                    "last_reviewed_at": "2026-10-01T00:00:00Z",
                    "reviewed_by": "审核人",
                }
            else:
                row |= {"title": "经理", "department": "采购部"}
            rows.append((kind, row))
    return rows


def hub_row(kind: str, row: dict[str, str]) -> dict[str, object]:
    """A row as the hub stores it (its mapping keeps complex values as JSON)."""
    phone = {
        "raw": row["phone"],
        "e164": "+86" + row["phone"],
        "extension": None,
        "kind": "mobile",
        "problem": None,
    }
    data: dict[str, object] = {
        "customer": row["customer"],
        "name": row["name"],
        "phones": json.dumps([phone]),
        "email": row["email"],
        "updated_at": row["updated_at"],
    }
    if kind == "emergency":
        data |= {
            "role": row["role"],
            "priority": int(row["priority"]),
            "decision_authority": 1,
            "response_time_limit": "PT30M",
            "last_reviewed_at": row["last_reviewed_at"],
            "reviewed_by": row["reviewed_by"],
        }
    else:
        data |= {"title": row["title"], "department": row["department"]}
    return data


def generate(folder: Path, customers: int, seed: int = 7) -> int:
    (folder / "contactsync.toml").write_text(CONFIG, encoding="utf-8")
    (folder / "crm").mkdir()
    rng = random.Random(seed)
    rows = people(customers, seed)
    files = {
        "emergency": (folder / "crm" / "emergency.csv").open("w", encoding="utf-8", newline=""),
        "business": (folder / "crm" / "business.csv").open("w", encoding="utf-8", newline=""),
    }
    writers = {
        "emergency": csv.DictWriter(files["emergency"], E_COLUMNS),
        "business": csv.DictWriter(files["business"], B_COLUMNS),
    }
    for writer in writers.values():
        writer.writeheader()
    hub: dict[str, list[dict[str, object]]] = {"emergency": [], "business": []}
    total = 0
    for kind, row in rows:
        where = rng.random()
        if where < 0.8 or where >= 0.9:  # in the CRM
            crm = dict(row)
            if rng.random() < 0.1:
                crm["phone"] = f"+86 {row['phone'][:3]} {row['phone'][3:7]} {row['phone'][7:]}"
            writers[kind].writerow({k: crm.get(k, "") for k in writers[kind].fieldnames})
            total += 1
        if where < 0.9:  # in the hub
            hub[kind].append(hub_row(kind, row))
            total += 1
    for handle in files.values():
        handle.close()
    write_hub(folder / "hub.db", hub)
    return total


def write_hub(path: Path, hub: dict[str, list[dict[str, object]]]) -> None:
    """Seed the hub through its connector, as an earlier contactsync run would have."""
    from contactsync.connector import WriteOp
    from contactsync.models import Kind
    from contactsync.runtime import Workspace

    with Workspace.open(path.parent / "contactsync.toml") as ws:
        connector = ws.systems["hub"].connector
        for kind_name, rows in hub.items():
            kind = Kind(kind_name)
            ops = []
            for i, row in enumerate(rows):
                key = f"seed-{kind_name}-{i}"
                ops.append(WriteOp("create", key, {"contactsync_key": key, **row}, None, key))
                if len(ops) == 500:
                    _push(connector, kind, ops)
                    ops = []
            if ops:
                _push(connector, kind, ops)


def _push(connector: Any, kind: Any, ops: list[Any]) -> None:
    failed = [r for r in connector.push(kind, ops) if not r.ok]
    if failed:
        raise SystemExit(f"seeding the hub failed: {failed[0]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    from contactsync.plugins import PluginHost
    from contactsync.reconcile.engine import reconcile
    from contactsync.reconcile.records import Timings
    from contactsync.runtime import Workspace

    with tempfile.TemporaryDirectory(prefix="contactsync-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        records = generate(folder, args.customers)
        generated = time.perf_counter() - started
        print(
            f"generated {records} records for {args.customers} customers in {generated:.1f}s",
            file=sys.stderr,
        )
        timings = Timings()
        with Workspace.open(folder / "contactsync.toml", host=PluginHost()) as ws:
            started = time.perf_counter()
            result = reconcile(ws, as_of=date(2026, 12, 1), timings=timings)
            elapsed = time.perf_counter() - started
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "customers": args.customers,
        "records": result.plan.accounting["records"],
        "seconds": round(elapsed, 1),
        "records_per_second": round(result.plan.accounting["records"] / elapsed),
        "peak_rss_mb": round(peak_mb),
        "phases_seconds": {k: round(v, 1) for k, v in timings.seconds.items()},
        "operations": len(result.plan.operations),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}"
        ),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

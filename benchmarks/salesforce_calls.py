"""API calls the Salesforce connector makes to sync N changed emergency contacts (default 10,000).

The SQLite hub holds N emergency contacts (two per customer); the Salesforce emulator
(``contactsync_salesforce.emulator``, served on 127.0.0.1) holds one Account per customer.
Three runs of ``reconcile`` + ``apply_plan``, as ``contactsync reconcile --apply`` does:

1. **initial**: the N contacts are created in Salesforce;
2. **changed**: every contact is changed in the hub (its role), then synced: the figure
   asked for, against the minimum the batch limits allow: ``ceil(N / 200)`` sObject
   Collections writes plus ``ceil(N / 2000)`` query pages to read the object once;
3. **quiet**, twice: nothing changed; a sync only looks (the first quiet run still reads
   back what the changed run wrote: the cursor saved by an apply is the one read before
   its writes).

Calls are the REST requests the emulator answered (each one counts against the org's daily
API limit); logins are counted apart. Not a test: the figures go to
``docs/connectors/salesforce.md`` with the machine they came from.

    python benchmarks/salesforce_calls.py --contacts 10000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

AS_OF = date(2026, 12, 1)
CONFIG = """
[sync]
system_priority = ["hub", "crm"]

[systems.hub]
connector = "sqlite"
path = "hub.db"

[systems.crm]
connector = "salesforce"
login_url = "https://example.my.salesforce.com"
lookback_seconds = 1

[systems.crm.credentials]
client_id = { env = "CS_BENCH_SF_CLIENT_ID" }
client_secret = { env = "CS_BENCH_SF_CLIENT_SECRET" }
"""


def hub_values(index: int, role: str) -> dict[str, Any]:
    """One emergency contact as the hub stores it (fake names, phones and e-mails)."""
    phone = f"+86138001{index:05d}"[:14]
    return {
        "customer": f"C{index // 2:06d}",
        "name": f"测试{index:05d}",
        "phones": json.dumps([{"raw": phone, "e164": phone, "extension": None,
                               "kind": "mobile", "problem": None}]),
        "email": f"e{index}@example.com",
        "role": role,
        "priority": index % 2 + 1,
        "decision_authority": 1,
        "response_time_limit": "PT30M",
        "last_reviewed_at": "2026-11-01T00:00:00Z",
        "reviewed_by": "复核人甲",
        "updated_at": "2026-11-01T00:00:00Z",
    }


def write_hub(ws: Any, count: int, role: str) -> None:
    from contactsync.connector import WriteOp
    from contactsync.models import Kind

    hub = ws.systems["hub"].connector
    ops = [
        WriteOp("create", f"bench-{i:06d}", {"contactsync_key": f"bench-{i:06d}",
                                             **hub_values(i, role)})
        for i in range(count)
    ]
    for start in range(0, len(ops), 500):
        failed = [r for r in hub.push(Kind.EMERGENCY, ops[start : start + 500]) if not r.ok]
        if failed:
            raise SystemExit(f"writing the hub failed: {failed[0]}")


def kind_of(path: str, method: str) -> str:
    if path.startswith("/services/oauth2/"):
        return "login"
    if "/query" in path:
        return "query page"
    if path.endswith("/deleted/"):
        return "get deleted"
    if "/composite/sobjects" in path and method != "GET":
        return "write"
    return "other"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    count = args.contacts

    from contactsync.apply import apply_plan
    from contactsync.config import SystemConfig
    from contactsync.plugins import PluginHost
    from contactsync.reconcile.engine import reconcile
    from contactsync.runtime import Workspace
    from contactsync.testing.emulator import serve
    from contactsync_salesforce.emulator import SalesforceEmulator, routed_session

    os.environ["CS_BENCH_SF_CLIENT_ID"] = "bench-client"
    os.environ["CS_BENCH_SF_CLIENT_SECRET"] = "bench-secret"
    app = SalesforceEmulator(api_limit=1_000_000)
    app.clients["bench-client"] = "bench-secret"
    for customer in range(math.ceil(count / 2)):
        app.add_account(f"C{customer:06d}")
    phases: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="contactsync-sf-bench-") as tmp, serve(app) as server:
        config = Path(tmp) / "contactsync.toml"
        config.write_text(CONFIG, encoding="utf-8")

        def sessions(system: SystemConfig) -> Any:
            return routed_session(server.url) if system.connector == "salesforce" else None

        def sync(name: str) -> None:
            seen = len(server.requests)
            started = time.perf_counter()
            with Workspace.open(config, host=PluginHost(), session_factory=sessions) as ws:
                plan = reconcile(ws, as_of=AS_OF).plan
                summary = apply_plan(ws, plan)  # as `reconcile --apply` does, even when empty
            calls = Counter(kind_of(r.path, r.method) for r in server.requests[seen:])
            phases[name] = {
                "operations": len(plan.operations),
                "failed": len(summary.failed),
                "calls": dict(sorted(calls.items())),
                "api_calls": sum(n for k, n in calls.items() if k != "login"),
                "seconds": round(time.perf_counter() - started, 1),
            }
            print(f"{name}: {phases[name]}", file=sys.stderr)

        with Workspace.open(config, host=PluginHost(), session_factory=sessions) as ws:
            write_hub(ws, count, "总经理")
        sync("initial")
        with Workspace.open(config, host=PluginHost(), session_factory=sessions) as ws:
            write_hub(ws, count, "安全总监")  # every contact changed in the hub
        sync("changed")
        sync("quiet")
        sync("quiet again")
    writes_min = math.ceil(count / 200)
    pages_min = math.ceil(count / 2000)
    changed = phases["changed"]
    figures = {
        "contacts": count,
        "phases": phases,
        "minimum_for_changed": {"writes": writes_min, "query_pages": pages_min,
                                "total": writes_min + pages_min},
        "changed_ratio_to_minimum": round(changed["api_calls"] / (writes_min + pages_min), 2),
        "write_calls_changed": changed["calls"].get("write", 0),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
    }
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
    else:
        for key, value in figures.items():
            print(f"{key:>26}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

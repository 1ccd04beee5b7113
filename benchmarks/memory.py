"""Where a reconcile's memory goes: tracemalloc peak and top allocation sites.

Generates the same data as ``benchmarks/run.py`` (same seed), then runs one reconcile
(plan only) and reports its time, the process's peak resident memory, and, with
``--trace``, the tracemalloc peak and the files (or lines) that hold the most memory
when the reconcile returns (everything a ``Reconciliation`` keeps alive). Tracing slows
the run several times over: its seconds are not the benchmark's. Not a test.

    python benchmarks/memory.py --customers 1000 --trace --top 20
    python benchmarks/memory.py --customers 2000 --plan-out /tmp/plan.bin
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import generate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--trace", action="store_true", help="tracemalloc peak and top sites")
    parser.add_argument("--top", type=int, default=15, help="allocation sites to show")
    parser.add_argument("--by", choices=("filename", "lineno"), default="filename")
    parser.add_argument("--plan-out", type=Path, help="write the plan's bytes here")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    from contactsync.plugins import PluginHost
    from contactsync.reconcile.engine import reconcile
    from contactsync.reconcile.records import Timings
    from contactsync.runtime import Workspace

    figures: dict[str, object] = {"customers": args.customers}
    with tempfile.TemporaryDirectory(prefix="contactsync-mem-") as tmp:
        folder = Path(tmp)
        generate(folder, args.customers)
        gc.collect()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        timings = Timings()
        with Workspace.open(folder / "contactsync.toml", host=PluginHost()) as ws:
            if args.trace:
                tracemalloc.start()
            started = time.perf_counter()
            result = reconcile(ws, as_of=date(2026, 12, 1), timings=timings)
            elapsed = time.perf_counter() - started
            if args.trace:
                gc.collect()
                current, peak = tracemalloc.get_traced_memory()
                snapshot = tracemalloc.take_snapshot()
                tracemalloc.stop()
        records = result.plan.accounting["records"]
        figures |= {
            "records": records,
            "seconds": round(elapsed, 1),
            "phases_seconds": {k: round(v, 1) for k, v in timings.seconds.items()},
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "peak_rss_mb_before_reconcile": round(rss_before),
            "operations": len(result.plan.operations),
        }
        if args.trace:
            figures |= {
                "traced_peak_mb": round(peak / 2**20, 1),
                "traced_held_mb": round(current / 2**20, 1),
                "traced_peak_bytes_per_record": round(peak / records),
                "traced_held_bytes_per_record": round(current / records),
            }
        if args.plan_out is not None:
            args.plan_out.write_bytes(result.plan.to_bytes())
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        for key, value in figures.items():
            print(f"{key:>30}: {value}")
    if args.trace:
        print(f"\nheld when the reconcile returns, by {args.by}:")
        stats = snapshot.filter_traces(
            (tracemalloc.Filter(False, tracemalloc.__file__),)
        ).statistics(args.by)
        for stat in stats[: args.top]:
            frame = stat.traceback[0]
            where = frame.filename.split("site-packages/")[-1].split("/src/")[-1]
            if args.by == "lineno":
                where = f"{where}:{frame.lineno}"
            print(f"{stat.size / records:>8.0f} B/record {stat.count:>9} blocks  {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

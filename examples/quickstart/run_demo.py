"""`make demo`: the main job on the embedded default, start to finish.

Copies this folder to a scratch folder, runs `contactsync reconcile --apply` from the
legacy export into the SQLite hub and the branch CSV files, prints the findings and the
summary, then plans again and shows that the second plan is empty. Exits 0 when the
whole story ran as told.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXIT_NAMES = {
    0: "clean",
    1: "findings that need a person",
    2: "usage or config error",
    3: "run failed",
}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "contactsync", *args]
    print(f"\n$ contactsync {' '.join(args)}", flush=True)
    done = subprocess.run(command, cwd=cwd, text=True, capture_output=True, check=False)
    print(done.stdout, end="")
    if done.stderr:
        print(done.stderr, end="", file=sys.stderr)
    print(f"(exit code {done.returncode}: {EXIT_NAMES.get(done.returncode, 'unexpected')})")
    return done


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="contactsync-demo-"))
    work = scratch / "quickstart"
    shutil.copytree(HERE, work, ignore=shutil.ignore_patterns("run_demo.py", "__pycache__"))
    print(f"working in {work}")
    first = run(["reconcile", "--apply", "--config", "contactsync.toml"], work)
    if first.returncode not in (0, 1):
        print("demo failed: the first reconcile did not run", file=sys.stderr)
        return 1
    second = run(
        ["plan", "--quiet", "--config", "contactsync.toml", "--out", "second-plan.json"], work
    )
    if second.returncode not in (0, 1) or "no changes" not in second.stdout:
        print("demo failed: the second plan is not empty", file=sys.stderr)
        return 1
    print("\nThe second plan is empty: every system agrees, and re-running changes nothing.")
    print(f"Look around: {work} (hub.db, branch/*.csv, .contactsync/state.db)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

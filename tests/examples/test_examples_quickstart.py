"""The quickstart tells its whole story, and the second plan is empty (what `make demo` runs)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"


def contactsync(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contactsync", *args, "--config", "contactsync.toml"],
        cwd=folder,
        text=True,
        capture_output=True,
        check=False,
    )


@pytest.fixture
def quickstart(tmp_path: Path) -> Path:
    target = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, target, ignore=shutil.ignore_patterns("run_demo.py"))
    return target


def test_the_story_runs_and_the_second_plan_is_empty(quickstart: Path) -> None:
    first = contactsync(quickstart, "reconcile", "--apply", "--out", "first.json")
    assert first.returncode == 1, first.stderr  # findings that need a person
    plan = json.loads((quickstart / "first.json").read_text(encoding="utf-8"))
    codes = {f["code"] for f in plan["findings"]}
    assert {
        "MIXED_STORAGE",
        "CAP_EXCEEDED",
        "DUPLICATE_PRIORITY",
        "REVIEW_OVERDUE",
        "PHONE_UNVERIFIED",
        "NO_EMERGENCY_CONTACT",
        "INVALID_RECORD",
    } <= codes
    malformed = [f for f in plan["findings"] if f["code"] == "INVALID_RECORD"]
    assert any("row 12" in f["message"] for f in malformed)
    # five emergency contacts for C001 across both sources: three kept, two quarantined
    assert sorted(q["customer"] for q in plan["quarantine"]) == ["C001", "C001"]
    accounting = plan["accounting"]
    assert accounting["records"] == (
        accounting["synced"]
        + accounting["quarantined"]
        + accounting["archived"]
        + accounting["reported"]
        + accounting["deleted_in_source"]
    )
    assert "created" in first.stdout and "failed 0" in first.stdout

    second = contactsync(quickstart, "plan", "--out", "second.json")
    assert second.returncode == 1  # the findings remain; the operations are gone
    assert "no changes" in second.stdout
    assert json.loads((quickstart / "second.json").read_text(encoding="utf-8"))["operations"] == []


def test_the_same_person_written_two_ways_is_one_contact(quickstart: Path) -> None:
    contactsync(quickstart, "reconcile", "--apply")
    out = quickstart / "hub.jsonl"
    pulled = contactsync(
        quickstart, "pull", "--system", "hub", "--kind", "emergency", "--out", str(out)
    )
    assert pulled.returncode == 0, pulled.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    zhang = [r for r in rows if r["name"] == "张某一"]
    assert len(zhang) == 1
    assert zhang[0]["phones"][0]["e164"] == "+8613800138001"
    # the newest review (the branch's) reached the hub
    assert zhang[0]["last_reviewed_at"] == "2026-11-20T02:00:00Z"
    assert sum(r["customer"] == "C001" for r in rows) == 3  # never above the cap
    assert sorted(r["priority"] for r in rows if r["customer"] == "C001") == [1, 2, 3]


def test_the_legacy_export_is_never_written(quickstart: Path) -> None:
    before = (quickstart / "legacy_export.csv").read_bytes()
    contactsync(quickstart, "reconcile", "--apply")
    assert (quickstart / "legacy_export.csv").read_bytes() == before


def test_the_demo_script_exits_zero() -> None:
    done = subprocess.run(
        [sys.executable, str(QUICKSTART / "run_demo.py")],
        text=True,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The second plan is empty" in done.stdout

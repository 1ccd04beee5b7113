"""`quarantine list` and `quarantine restore`: named refusals, and never above the cap."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from contactsync.cli import cli

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"


@pytest.fixture
def synced(tmp_path: Path) -> Path:
    work = tmp_path / "q"
    shutil.copytree(QUICKSTART, work, ignore=shutil.ignore_patterns("run_demo.py"))
    config = work / "contactsync.toml"
    result = CliRunner().invoke(cli, ["reconcile", "--apply", "--config", str(config)])
    assert result.exit_code == 1, result.output  # findings that need a person
    return config


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_list_and_refusals_name_the_problem(synced: Path) -> None:
    code, out = run("quarantine", "list", "--json", "--config", str(synced))
    assert code == 0
    held = json.loads(out)
    assert [h["customer"] for h in held] == ["C001", "C001"]
    key = held[0]["key"]
    assert run("quarantine", "restore", "no-such-key", "--config", str(synced)) == (
        2,
        "contactsync: error: 'no-such-key' is not in quarantine\n",
    )
    code, out = run("quarantine", "restore", key, "--system", "nosuch", "--config", str(synced))
    assert code == 2 and "no system named 'nosuch'" in out
    code, out = run("quarantine", "restore", key, "--system", "legacy", "--config", str(synced))
    assert code == 2 and "read-only" in out
    code, out = run("quarantine", "restore", key, "--config", str(synced))
    assert code == 2 and "already holds 3 emergency contact(s)" in out  # never above the cap


def test_restore_writes_it_back_when_there_is_room(synced: Path) -> None:
    _, out = run("quarantine", "list", "--json", "--config", str(synced))
    key = json.loads(out)[0]["key"]
    hub = synced.parent / "hub.db"
    with sqlite3.connect(hub) as db:  # someone archived one of C001's contacts in the hub
        db.execute(
            "UPDATE emergency_contacts SET archived_at = modified_at WHERE record_id = "
            "(SELECT record_id FROM emergency_contacts WHERE customer = 'C001' LIMIT 1)"
        )
    code, out = run("quarantine", "restore", key, "--system", "hub", "--config", str(synced))
    assert (code, out.strip()) == (0, f"restored {key} to hub")
    with sqlite3.connect(hub) as db:
        live = db.execute(
            "SELECT record_id FROM emergency_contacts"
            " WHERE customer = 'C001' AND archived_at IS NULL"
        ).fetchall()
    assert key in {row[0] for row in live} and len(live) == 3
    _, out = run("quarantine", "list", "--json", "--config", str(synced))
    assert key not in {h["key"] for h in json.loads(out)}

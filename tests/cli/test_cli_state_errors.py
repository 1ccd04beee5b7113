"""A damaged state store is a configuration error naming the file, not a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from contactsync.cli import cli
from contactsync.runtime import redact_url

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"


def test_a_damaged_state_file_is_named_with_exit_code_two(tmp_path: Path) -> None:
    work = tmp_path / "q"
    shutil.copytree(QUICKSTART, work, ignore=shutil.ignore_patterns("run_demo.py"))
    state = work / ".contactsync" / "state.db"
    state.parent.mkdir()
    state.write_bytes(b"this is not a database, and it is long enough to look like one")
    result = CliRunner().invoke(cli, ["plan", "--config", str(work / "contactsync.toml")])
    assert result.exit_code == 2
    assert str(state) in result.output and "cannot be used" in result.output
    assert "Traceback" not in result.output


def test_redact_url_hides_only_the_password() -> None:
    assert redact_url("postgresql://sync:s3cret@db.internal/contacts") == (
        "postgresql://sync:***@db.internal/contacts"
    )
    assert redact_url("sqlite:////tmp/state.db") == "sqlite:////tmp/state.db"

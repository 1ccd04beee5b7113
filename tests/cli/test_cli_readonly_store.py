"""Read-only commands create no state store: `secrets list|forget`, `quarantine list`."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from contactsync.state import StateStore
from contactsync.state.files import missing_state_store

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)


def configure(folder: Path, state: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "contactsync.toml"
    path.write_text(f"{state}[systems.crm]\nconnector = 'csv'\n", encoding="utf-8")
    return path


def everything_in(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["secrets", "list"], 0, "no secrets kept (no state store at "),
        (["secrets", "list", "--system", "crm"], 0, "no secrets kept for system 'crm' (no state"),
        (["secrets", "forget", "crm"], 2, "nothing to forget: no state store at "),
        (["secrets", "forget", "crm", "oauth"], 2, "nothing to forget: no state store at "),
        (["quarantine", "list"], 0, "the quarantine is empty (no state store at "),
        (["quarantine", "list", "--customer", "C1"], 0, "the quarantine is empty (no state"),
    ],
)
def test_no_state_store_is_created_by_a_read_only_command(
    invoke: Invoke, tmp_path: Path, args: list[str], code: int, said: str
) -> None:
    config = configure(tmp_path / "job")
    before = everything_in(tmp_path)
    result = invoke([*args, "--config", str(config)])
    assert result.exit_code == code, result.stderr
    assert said in result.stdout + result.stderr
    assert str(tmp_path / "job" / ".contactsync" / "state.db") in result.stdout + result.stderr
    assert everything_in(tmp_path) == before


def test_quarantine_list_json_without_a_state_store_is_an_empty_list(
    invoke: Invoke, tmp_path: Path
) -> None:
    config = configure(tmp_path)
    result = invoke(["quarantine", "list", "--json", "--config", str(config)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert not (tmp_path / ".contactsync").exists()


def test_a_state_url_in_a_missing_folder_creates_no_folder(
    invoke: Invoke, tmp_path: Path
) -> None:
    nowhere = tmp_path / "nonexistent" / "dir"
    config = configure(tmp_path / "job", f'[state]\nurl = "sqlite:///{nowhere}/state.db"\n')
    for args in (["secrets", "list"], ["secrets", "forget", "crm"], ["quarantine", "list"]):
        result = invoke([*args, "--config", str(config)])
        assert f"no state store at {nowhere / 'state.db'}" in result.stdout + result.stderr
        assert not nowhere.parent.exists()


def test_an_existing_store_is_read(invoke: Invoke, tmp_path: Path) -> None:
    config = configure(tmp_path)
    with StateStore.open(f"sqlite:///{tmp_path / '.contactsync' / 'state.db'}") as store:
        store.put_secret("crm", "oauth", "v1:abcd1234:body")
    result = invoke(["secrets", "list", "--config", str(config)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("crm\toauth\tsealed with key abcd1234")
    assert invoke(["quarantine", "list", "--config", str(config)]).stdout == (
        "the quarantine is empty\n"
    )


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+psycopg://sync@db.example.com/contactsync",
        "postgresql://sync@db.example.com/contactsync",
        "not a url",
    ],
)
def test_only_a_missing_sqlite_file_is_missing(url: str) -> None:
    assert missing_state_store(url) is None  # opened as before


def test_a_missing_sqlite_file_is_found_by_its_url(tmp_path: Path) -> None:
    target = tmp_path / "a" / "state.db"
    assert missing_state_store(f"sqlite:///{target}") == target
    assert missing_state_store(f"sqlite:///{target}?timeout=5") == target
    target.parent.mkdir()
    target.touch()
    assert missing_state_store(f"sqlite:///{target}") is None

"""`secrets list|forget`: an empty NAME forgets nothing, damaged rows are shown, a bad key
does not stop a listing."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from contactsync.secrets import SECRET_KEY_ENV, SecretCipher, new_key
from contactsync.state import StateStore

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configuration whose state store keeps two sealed secrets of system ``crm``."""
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    path = tmp_path / "contactsync.toml"
    path.write_text("[systems.crm]\nconnector = 'csv'\n", encoding="utf-8")
    cipher = SecretCipher.from_text(new_key())
    with StateStore.open(f"sqlite:///{tmp_path / '.contactsync' / 'state.db'}") as store:
        store.put_secret("crm", "oauth", cipher.seal(b"{}", "crm/oauth"))
        store.put_secret("crm", "other", cipher.seal(b"{}", "crm/other"))
    return path


def names_kept(config: Path) -> list[str]:
    with StateStore.open(f"sqlite:///{config.parent / '.contactsync' / 'state.db'}") as store:
        return [entry.name for entry in store.secret_entries("crm")]


def damage(config: Path, name: str, sealed: str) -> None:
    with StateStore.open(f"sqlite:///{config.parent / '.contactsync' / 'state.db'}") as store:
        store.put_secret("crm", name, sealed)


# ---------------------------------------------------------------------------------------
# an empty NAME
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_is_a_usage_error_and_forgets_nothing(
    invoke: Invoke, kept: Path, name: str
) -> None:
    result = invoke(["secrets", "forget", "--config", str(kept), "crm", name])
    assert result.exit_code == 2
    assert "NAME is empty" in result.stderr
    assert result.stdout == ""
    assert names_kept(kept) == ["oauth", "other"]


def test_an_empty_system_is_a_usage_error(invoke: Invoke, kept: Path) -> None:
    result = invoke(["secrets", "forget", "--config", str(kept), "", "oauth"])
    assert result.exit_code == 2
    assert "SYSTEM is empty" in result.stderr


def test_forget_with_a_name_forgets_only_that_one(invoke: Invoke, kept: Path) -> None:
    result = invoke(["secrets", "forget", "--config", str(kept), "crm", "oauth"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "forgot crm/oauth\n"
    assert names_kept(kept) == ["other"]


# ---------------------------------------------------------------------------------------
# a row that is not v1:<keyid>:<body>
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("sealed", ["garbage", "v1:", "v1:abcd", "v2:abcd:body", ""])
def test_list_shows_a_damaged_row_and_how_to_forget_it(
    invoke: Invoke, kept: Path, sealed: str
) -> None:
    damage(kept, "broken", sealed)
    result = invoke(["secrets", "list", "--config", str(kept)])
    assert result.exit_code == 0, result.stderr
    rows = {line.split("\t")[1]: line for line in result.stdout.splitlines()}
    assert set(rows) == {"broken", "oauth", "other"}
    assert "damaged" in rows["broken"]
    assert "contactsync secrets forget crm broken" in rows["broken"]
    assert "damaged" not in rows["oauth"] and "sealed with key" in rows["oauth"]


def test_list_json_marks_a_damaged_row(invoke: Invoke, kept: Path) -> None:
    damage(kept, "broken", "garbage")
    result = invoke(["secrets", "list", "--json", "--config", str(kept)])
    assert result.exit_code == 0, result.stderr
    rows = {row["name"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert rows["broken"]["damaged"] is True and rows["broken"]["key_id"] is None
    assert rows["oauth"]["damaged"] is False and rows["oauth"]["key_id"]


def test_forget_without_a_name_forgets_damaged_rows_too(invoke: Invoke, kept: Path) -> None:
    damage(kept, "broken", "garbage")
    result = invoke(["secrets", "forget", "--config", str(kept), "crm"])
    assert result.exit_code == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == [
        "forgot crm/broken", "forgot crm/oauth", "forgot crm/other",
    ]
    assert names_kept(kept) == []


# ---------------------------------------------------------------------------------------
# CONTACTSYNC_SECRET_KEY is optional for list
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_a_garbage_key_does_not_stop_the_listing(
    invoke: Invoke, kept: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    monkeypatch.setenv(SECRET_KEY_ENV, "KEY!!!!")
    result = invoke(["secrets", "list", "--config", str(kept), *(["--json"] if as_json else [])])
    assert result.exit_code == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert "(current)" not in result.stdout
    assert SECRET_KEY_ENV in result.stderr and "not usable" in result.stderr
    assert "not base64" in result.stderr  # the reason
    assert "KEY!!!!" not in result.stderr  # never the key


def test_a_good_key_marks_the_current_secrets(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    monkeypatch.setenv(SECRET_KEY_ENV, key)
    path = tmp_path / "contactsync.toml"
    path.write_text("[systems.crm]\nconnector = 'csv'\n", encoding="utf-8")
    with StateStore.open(f"sqlite:///{tmp_path / '.contactsync' / 'state.db'}") as store:
        store.put_secret("crm", "oauth", SecretCipher.from_text(key).seal(b"{}", "crm/oauth"))
    result = invoke(["secrets", "list", "--config", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "(current)" in result.stdout
    assert result.stderr == ""

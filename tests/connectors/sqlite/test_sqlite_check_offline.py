"""``SqliteConnector.check_offline``: a hub file that certainly cannot be opened."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from connector_helpers import FakeClock, hub


def test_a_missing_hub_is_no_problem_and_is_not_created(tmp_path: Path) -> None:
    assert hub(tmp_path, FakeClock(), path="data/hub.db").check_offline() == []
    assert not (tmp_path / "data").exists()


def test_an_empty_or_real_database_is_no_problem(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    assert hub(tmp_path, FakeClock(), path="empty.db").check_offline() == []
    with sqlite3.connect(tmp_path / "real.db") as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    assert hub(tmp_path, FakeClock(), path="real.db").check_offline() == []


def test_a_file_that_is_not_sqlite_is_reported(tmp_path: Path) -> None:
    (tmp_path / "hub.db").write_text("key,name\nC1,Acme\n", encoding="utf-8")
    problems = hub(tmp_path, FakeClock()).check_offline()
    assert problems == [f"{tmp_path / 'hub.db'}: is not a SQLite database "
                        "(setting 'path' names the hub's file)"]


def test_a_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "hub.db").mkdir()
    problems = hub(tmp_path, FakeClock()).check_offline()
    assert len(problems) == 1 and "is not a file" in problems[0]


def test_a_file_in_place_of_its_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    problems = hub(tmp_path, FakeClock(), path="data/hub.db").check_offline()
    assert len(problems) == 1 and "a part of its folder is a file" in problems[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    path.chmod(0)
    try:
        problems = hub(tmp_path, FakeClock()).check_offline()
    finally:
        path.chmod(0o600)
    assert len(problems) == 1 and "cannot be read" in problems[0]


def test_an_unreadable_file_is_reported_even_when_run_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hub.db").write_bytes(b"SQLite format 3\x00")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    problems = hub(tmp_path, FakeClock()).check_offline()
    assert problems == [f"{tmp_path / 'hub.db'}: cannot be read (Permission denied)"]

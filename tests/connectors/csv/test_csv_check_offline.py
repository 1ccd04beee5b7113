"""``CsvConnector.check_offline``: files that certainly cannot be used. A missing file is
an empty system (the first write creates it), so it is not reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from connector_helpers import context

from contactsync.models import Kind
from contactsync_csv import CsvConnector

OBJECTS = {
    Kind.EMERGENCY: ("emergency.csv", "key", ["name"]),
    Kind.BUSINESS: ("sheets/business.xlsx", "key", ["name"]),
}


def built(tmp_path: Path) -> CsvConnector:
    return CsvConnector(context("csv", tmp_path, OBJECTS))


def test_missing_and_present_files_are_no_problem(tmp_path: Path) -> None:
    assert built(tmp_path).check_offline() == []
    (tmp_path / "emergency.csv").write_text("key,name\nk1,A\n", encoding="utf-8")
    assert built(tmp_path).check_offline() == []
    assert not (tmp_path / "sheets").exists()  # nothing is created


def test_a_folder_in_place_of_a_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "emergency.csv").mkdir()
    (tmp_path / "emergency.archived.csv").mkdir()
    problems = built(tmp_path).check_offline()
    assert problems == [
        f"emergency file {tmp_path / 'emergency.csv'}: is not a file",
        f"emergency file {tmp_path / 'emergency.archived.csv'}: is not a file",
    ]


def test_a_file_in_place_of_its_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "sheets").write_text("not a folder", encoding="utf-8")
    problems = built(tmp_path).check_offline()
    assert len(problems) == 2
    assert all(p.startswith("business file ") for p in problems)
    assert all("a part of its folder is a file" in p for p in problems)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "emergency.csv"
    path.write_text("key,name\n", encoding="utf-8")
    path.chmod(0)
    try:
        problems = built(tmp_path).check_offline()
    finally:
        path.chmod(0o600)
    assert problems == [f"emergency file {path}: cannot be read (permission denied)"]


def test_an_unreadable_file_is_reported_even_when_run_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "emergency.csv"
    path.write_text("key,name\n", encoding="utf-8")
    monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != path)
    problems = built(tmp_path).check_offline()
    assert problems == [f"emergency file {path}: cannot be read (permission denied)"]

"""Replay by default (``record_mode="none"``); ``CONTACTSYNC_RECORD=1`` records afresh."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import yaml
from notes_emulator import Notes
from vcr.errors import CannotOverwriteExistingCassetteException

from contactsync.testing.cassettes import (
    EMULATOR_ALIAS,
    RECORD_ENV,
    emulator_cassette,
    recording,
    use_cassette,
    vcr_config,
)


def test_replay_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RECORD_ENV, raising=False)
    assert not recording() and vcr_config()["record_mode"] == "none"
    monkeypatch.setenv(RECORD_ENV, "0")
    assert vcr_config()["record_mode"] == "none"
    monkeypatch.setenv(RECORD_ENV, "1")
    assert recording() and vcr_config()["record_mode"] == "all"


def test_the_fixture_tells_whether_this_run_records(record_cassettes: bool) -> None:
    assert record_cassettes is recording()


def exchange(base: str) -> list[object]:
    made = requests.post(
        f"{base}/notes", json=[{"key": "k1", "text": "测试甲 +8613800138001"}], timeout=5
    )
    listed = requests.get(f"{base}/notes", params={"limit": 5}, timeout=5)
    return [made.json(), listed.json()]


def record(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    monkeypatch.setenv(RECORD_ENV, "1")
    with emulator_cassette(path, Notes) as base:
        assert base.startswith("http://127.0.0.1:")
        answers = exchange(base)
    monkeypatch.delenv(RECORD_ENV)
    return answers


def test_record_against_the_emulator_then_replay_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.yaml"
    recorded = record(path, monkeypatch)
    text = path.read_text()
    assert "127.0.0.1" not in text and EMULATOR_ALIAS in text
    assert len(yaml.safe_load(text)["interactions"]) == 2

    with emulator_cassette(path, Notes) as base:  # no emulator runs now
        assert base == EMULATOR_ALIAS
        assert exchange(base) == recorded


def test_replay_refuses_a_request_the_cassette_does_not_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.yaml"
    record(path, monkeypatch)
    with (
        pytest.raises(CannotOverwriteExistingCassetteException),
        use_cassette(path, require_all_played=False),
    ):
        requests.post(f"{EMULATOR_ALIAS}/notes", json=[{"key": "other"}], timeout=5)


def test_replay_fails_when_a_recorded_request_is_no_longer_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.yaml"
    record(path, monkeypatch)
    with pytest.raises(AssertionError, match="did not make every request"), use_cassette(path):
        requests.post(
            f"{EMULATOR_ALIAS}/notes",
            json=[{"key": "k1", "text": "测试甲 +8613800138001"}],
            timeout=5,
        )


def test_a_missing_cassette_says_how_to_record_it(tmp_path: Path) -> None:
    with (
        pytest.raises(FileNotFoundError, match=f"{RECORD_ENV}=1"),
        use_cassette(tmp_path / "absent.yaml"),
    ):
        pass


def test_recording_again_replaces_the_old_cassette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notes.yaml"
    record(path, monkeypatch)
    path.write_text(path.read_text().replace("k1", "stale"))
    record(path, monkeypatch)
    assert "stale" not in path.read_text()

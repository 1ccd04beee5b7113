"""The emulator harness: loopback only, ephemeral ports, faults, stopping by itself."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import requests
from notes_emulator import Notes

from contactsync.testing.emulator import (
    LOOPBACK,
    Clock,
    CommitThenDrop,
    Delay,
    RecordStore,
    Respond,
    RunningEmulator,
    serve,
)


@pytest.fixture
def notes(emulator_server: Callable[..., RunningEmulator]) -> RunningEmulator:
    return emulator_server(Notes(), drop_wait=2.0)


def test_it_binds_loopback_on_an_ephemeral_port(notes: RunningEmulator) -> None:
    assert notes.url.startswith(f"http://{LOOPBACK}:") and notes.port > 0
    answer = requests.get(f"{notes.url}/notes", timeout=5)
    assert answer.status_code == 200 and answer.json() == {"notes": [], "after": None}


def test_two_emulators_get_two_ports(emulator_server: Callable[..., RunningEmulator]) -> None:
    first, second = emulator_server(Notes()), emulator_server(Notes())
    assert first.port != second.port


def test_it_stops_when_the_block_ends() -> None:
    with serve(Notes()) as server:
        port = server.port
        assert requests.get(f"{server.url}/notes", timeout=5).ok
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{LOOPBACK}:{port}/notes", timeout=2)


def test_routing_404_405_and_bad_json(notes: RunningEmulator) -> None:
    assert requests.get(f"{notes.url}/nothing", timeout=5).json()["error"]["code"] == "NOT_FOUND"
    assert requests.delete(f"{notes.url}/notes", timeout=5).status_code == 405
    bad = requests.post(f"{notes.url}/notes", data=b"{not json", timeout=5)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BAD_REQUEST"
    assert requests.get(f"{notes.url}/notes/r000404", timeout=5).status_code == 404


def test_scripted_statuses_in_order_then_normal(notes: RunningEmulator) -> None:
    rule = notes.faults.add(Respond(503), Respond(429, retry_after=7), method="GET", path="/notes")
    statuses = [requests.get(f"{notes.url}/notes", timeout=5) for _ in range(3)]
    assert [s.status_code for s in statuses] == [503, 429, 200]
    assert statuses[1].headers["Retry-After"] == "7"
    assert rule.done and rule.fired == 2 and notes.faults.pending == 0
    assert [r.fault for r in notes.requests] == ["Respond", "Respond", None]


def test_faults_only_hit_matching_requests(notes: RunningEmulator) -> None:
    notes.faults.add(Respond(500), method="WRITE")
    assert requests.get(f"{notes.url}/notes", timeout=5).status_code == 200
    assert requests.post(f"{notes.url}/notes", json=[], timeout=5).status_code == 500


def test_a_delay_then_a_normal_answer(notes: RunningEmulator) -> None:
    notes.faults.add(Delay(0.2))
    with pytest.raises(requests.ReadTimeout):
        requests.get(f"{notes.url}/notes", timeout=0.05)
    assert requests.get(f"{notes.url}/notes", timeout=5).ok


def test_commit_then_drop_the_client_times_out_but_the_write_is_there(
    notes: RunningEmulator,
) -> None:
    notes.faults.add(CommitThenDrop(), method="POST")
    with pytest.raises(requests.ReadTimeout):
        requests.post(f"{notes.url}/notes", json=[{"key": "k1", "text": "a"}], timeout=0.3)
    stored = requests.get(f"{notes.url}/notes", timeout=5).json()["notes"]
    assert [n["key"] for n in stored] == ["k1"]  # committed, although nobody was told


def test_commit_then_drop_without_hold_closes_at_once(notes: RunningEmulator) -> None:
    notes.faults.add(CommitThenDrop(hold=False), method="POST")
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{notes.url}/notes", json=[{"key": "k1"}], timeout=5)
    retried = requests.post(f"{notes.url}/notes", json=[{"key": "k1"}], timeout=5).json()
    assert retried == [{"ok": True, "id": "r000001", "created": False}]  # an upsert: no duplicate


def test_batch_limit_write_log_and_rejections(notes: RunningEmulator) -> None:
    app = notes.app
    assert isinstance(app, Notes)
    too_big = requests.post(
        f"{notes.url}/notes", json=[{"key": "a"}, {"key": "b"}, {"key": "c"}], timeout=5
    )
    assert too_big.status_code == 400 and too_big.json()["error"]["code"] == "BATCH_TOO_LARGE"
    app.reject("b", "INVALID", "no", "text")
    answer = requests.post(
        f"{notes.url}/notes", json=[{"key": "a"}, {"key": "b"}], timeout=5
    ).json()
    assert answer[0]["ok"] and answer[1] == {"ok": False, "code": "INVALID", "field": "text"}
    assert [(w.object, w.size) for w in app.writes] == [("notes", 3), ("notes", 2)]


def test_the_server_never_binds_another_address() -> None:
    with serve(Notes()) as server:
        with socket.create_connection((LOOPBACK, server.port), timeout=2):
            pass
        assert server.url.split("//")[1].split(":")[0] == "127.0.0.1"


def test_store_ids_stamps_batches_and_keyset_pages() -> None:
    store = RecordStore(Clock(datetime(2026, 1, 1, tzinfo=UTC), timedelta(seconds=1)))
    with store.batch() as stamp:
        ids = [store.insert("o", {"k": str(i)}).id for i in range(5)]
    assert ids == ["r000001", "r000002", "r000003", "r000004", "r000005"]
    assert {r.modified_at for r in store.all("o")} == {stamp}  # one batch, one stamp
    record, created = store.upsert("o", "k", {"k": "2", "v": "x"})
    assert not created and record.id == "r000003" and record.modified_at > stamp
    unchanged, _ = store.upsert("o", "k", {"k": "2", "v": "x"})
    assert unchanged.modified_at == record.modified_at  # no change, no new stamp
    seen, after = [], None
    while True:
        page = store.page("o", limit=2, after=after)
        seen += [r.id for r in page.records]
        after = page.after
        if not page.more:
            break
    assert seen == ["r000001", "r000002", "r000004", "r000005", "r000003"]
    store.delete("o", "r000001")
    assert [r.id for r in store.page("o", limit=10, deleted=True).records] == ["r000001"]
    assert store.delete("o", "r000001") is None
    assert [r.id for r in store.page("o", limit=10, since=record.modified_at).records] == [
        "r000003"
    ]
    assert [
        r.id for r in store.page("o", limit=10, since=record.modified_at, deleted=True).records
    ] == ["r000001"]

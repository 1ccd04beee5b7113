"""Base snapshots: bulk upsert, load by record id, delete; a model-based property test."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from state_helpers import START, base

from contactsync.state import BaseSnapshot, StateStore, digest_of

SHANGHAI = timezone(timedelta(hours=8))


def test_round_trip_keeps_chinese_and_structure(store: StateStore) -> None:
    data = {"name": "张三", "phones": [{"e164": "+8613800138000", "type": "手机"}], "n": 1.5}
    saved = base("k1", "r1", data, run_id="run-1")
    store.save_bases([saved])
    loaded = store.load_bases("crm")
    assert loaded == {"r1": saved}
    assert loaded["r1"].digest == digest_of(data)
    assert loaded["r1"].updated_at.tzinfo is not None


def test_json_is_stored_canonically(store: StateStore) -> None:
    store.save_bases([base("k1", "r1", {"名字": "张三", "a": [2, 1]})])
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT data FROM bases")).scalar_one()
    assert raw == '{"a":[2,1],"名字":"张三"}'


def test_times_come_back_aware_in_utc(store: StateStore) -> None:
    local = datetime(2026, 3, 1, 17, 30, tzinfo=SHANGHAI)
    store.save_bases([base("k1", "r1", {}, at=local)])
    loaded = store.load_bases("crm")["r1"].updated_at
    assert loaded == local
    assert loaded.utcoffset() == timedelta(0)


def test_a_naive_time_is_refused(store: StateStore) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.save_bases([base("k1", "r1", {}, at=datetime(2026, 3, 1, 9, 30))])
    assert store.load_bases("crm") == {}


def test_save_replaces_by_record(store: StateStore) -> None:
    store.save_bases([base("k1", "r1", {"v": 1}), base("k2", "r2", {"v": 2})])
    store.save_bases([base("k1", "r1", {"v": 3}, run_id="run-2")])
    loaded = store.load_bases("crm")
    assert loaded["r1"].data == {"v": 3}
    assert loaded["r1"].run_id == "run-2"
    assert loaded["r2"].data == {"v": 2}


def test_bulk_crosses_chunks_and_deletes(store: StateStore) -> None:
    saved = [base(f"k{i}", f"r{i:05}", {"i": i, "名": "李"}) for i in range(11_000)]
    assert store.save_bases(saved) == 11_000
    assert store.load_bases("crm") == {snap.record_id: snap for snap in saved}
    gone = [("crm", "EC__c", f"r{i:05}") for i in range(0, 11_000, 2)]
    assert store.delete_bases(gone) == 5_500
    assert sorted(store.load_bases("crm")) == [f"r{i:05}" for i in range(1, 11_000, 2)]


def test_load_per_object_and_shared_record_ids(store: StateStore) -> None:
    store.save_bases([base("k1", "7", {"e": 1}), base("k2", "7", {"b": 1}, object="BC__c")])
    assert store.load_bases("crm", "EC__c")["7"].key == "k1"
    assert store.load_bases("crm", "BC__c")["7"].key == "k2"
    with pytest.raises(ValueError, match="load the base snapshots per object"):
        store.load_bases("crm")
    assert store.load_bases("other") == {}


def test_the_digest_is_computed_only_when_missing() -> None:
    snap = base("k1", "r1", {"b": 1, "a": 2})
    assert snap.digest == digest_of({"a": 2, "b": 1})
    given_digest = BaseSnapshot("k1", "crm", "EC__c", "r1", {}, None, START, "abc")
    assert given_digest.digest == "abc"


# -- a model: random saves and deletes leave the store equal to a dict -------------------

JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
DATA = st.dictionaries(st.text(max_size=5), JSON_VALUE, max_size=4)
OBJECTS = st.sampled_from(["EC__c", "BC__c"])
RECORD_IDS = st.sampled_from(["r1", "r2", "r3", "记录4", "R5"])
KEYS = st.sampled_from(["k1", "k2", "键3"])
SAVE = st.tuples(st.just("save"), st.lists(st.tuples(OBJECTS, RECORD_IDS, KEYS, DATA), max_size=5))
DELETE = st.tuples(st.just("delete"), st.lists(st.tuples(OBJECTS, RECORD_IDS), max_size=4))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # each example uses its own system
)
@given(steps=st.lists(st.one_of(SAVE, DELETE), max_size=8))
def test_random_saves_and_deletes_match_a_dict(
    store: StateStore, steps: list[tuple[str, list[Any]]]
) -> None:
    system = f"s-{uuid.uuid4().hex[:8]}"
    model: dict[tuple[str, str], BaseSnapshot] = {}
    for number, (action, items) in enumerate(steps):
        if action == "save":
            snaps = [
                base(key, record_id, data, system=system, object=obj, run_id=f"run{number}")
                for obj, record_id, key, data in items
            ]
            store.save_bases(snaps)
            model.update({(snap.object, snap.record_id): snap for snap in snaps})
        else:
            refs = {(obj, record_id) for obj, record_id in items}
            expected = sum(1 for ref in refs if ref in model)
            assert store.delete_bases([(system, obj, rid) for obj, rid in items]) == expected
            for ref in refs:
                model.pop(ref, None)
    for obj in ("EC__c", "BC__c"):
        assert store.load_bases(system, obj) == {
            rid: snap for (o, rid), snap in model.items() if o == obj
        }
    record_ids = [rid for _, rid in model]
    if len(record_ids) == len(set(record_ids)):
        assert store.load_bases(system) == {rid: snap for (_, rid), snap in model.items()}
    else:
        with pytest.raises(ValueError):
            store.load_bases(system)

"""Links: one record per key per system and object, one key per record; bulk round-trips."""

from __future__ import annotations

import pytest
from state_helpers import base, link

from contactsync.errors import InvariantViolation
from contactsync.models import Kind
from contactsync.state import Link, StateStore


def test_round_trip_in_code_point_order_with_chinese(store: StateStore) -> None:
    ids = ["b", "B", "a", "张", "_x", "Z", "紧急-1", "10", "9"]
    saved = [link(f"键-{i}", record_id, customer="客户甲") for i, record_id in enumerate(ids)]
    assert store.save_links(saved) == len(ids)
    loaded = store.load_links()
    assert [found.record_id for found in loaded] == sorted(ids)
    assert sorted(loaded, key=lambda found: found.key) == sorted(saved, key=lambda s: s.key)
    assert all(isinstance(found.kind, Kind) for found in loaded)


def test_bulk_save_crosses_chunks(store: StateStore) -> None:
    saved = [link(f"k{i:05}", f"r{i:05}", customer=f"c{i % 97}") for i in range(12_345)]
    assert store.save_links(saved) == 12_345
    assert store.load_links("crm") == saved
    assert store.load_links(customer="c5") == [s for s in saved if s.customer == "c5"]


def test_filters_and_single_lookups(store: StateStore) -> None:
    sf = link("k1", "001", system="sf")
    zoho = link("k1", "z-1", system="zoho", kind=Kind.EMERGENCY)
    other = link("k2", "002", system="sf", object="BC__c", kind=Kind.BUSINESS, customer="c2")
    store.save_links([sf, zoho, other])
    assert store.load_links("sf") == [other, sf]
    assert store.load_links(customer="c2") == [other]
    assert store.load_links("zoho", customer="c2") == []
    assert store.link_for("sf", "EC__c", "001") == sf
    assert store.link_for("sf", "BC__c", "001") is None
    assert store.links_for_key("k1") == [sf, zoho]


def test_kind_given_as_text_comes_back_as_kind(store: StateStore) -> None:
    store.save_links([Link("k1", "business", "c1", "crm", "BC__c", "r1")])  # type: ignore[arg-type]  # text is accepted
    assert store.load_links()[0].kind is Kind.BUSINESS


def test_a_record_moves_to_another_key_by_saving_it_again(store: StateStore) -> None:
    store.save_links([link("k1", "r1")])
    store.save_links([link("k2", "r1", customer="c2")])
    assert store.load_links() == [link("k2", "r1", customer="c2")]


def test_a_key_has_one_record_per_system_and_object(store: StateStore) -> None:
    store.save_links([link("k1", "r1")])
    with pytest.raises(InvariantViolation, match="one record per system and object"):
        store.save_links([link("k9", "r9"), link("k1", "r2")])
    assert store.load_links() == [link("k1", "r1")]  # the whole call was undone


def test_the_same_key_in_two_objects_or_systems_is_fine(store: StateStore) -> None:
    both = [link("k1", "r1"), link("k1", "r1", object="BC__c"), link("k1", "r1", system="s2")]
    store.save_links(both)
    assert len(store.load_links()) == 3


def test_within_one_call_the_last_link_of_a_record_wins(store: StateStore) -> None:
    store.save_links([link("k1", "r1"), link("k2", "r1")])
    assert store.load_links() == [link("k2", "r1")]


def test_moving_a_key_to_a_new_record_deletes_the_old_link_first(store: StateStore) -> None:
    store.save_links([link("k1", "r1")])
    with store.transaction():
        assert store.delete_links([("crm", "EC__c", "r1"), ("crm", "EC__c", "nope")]) == 1
        store.save_links([link("k1", "r2")])
    assert store.links_for_key("k1") == [link("k1", "r2")]


def test_a_failed_transaction_keeps_nothing(store: StateStore) -> None:
    store.save_links([link("k1", "r1")])
    with pytest.raises(InvariantViolation), store.transaction():
        store.save_bases([base("k1", "r1", {"name": "张三"})])
        store.set_cursor("crm", "EC__c", Kind.EMERGENCY, '{"watermark": null}')
        store.save_links([link("k1", "r2")])  # breaks the rule: all of it is undone
    assert store.load_bases("crm") == {}
    assert store.get_cursor("crm", "EC__c") is None
    assert store.load_links() == [link("k1", "r1")]


def test_a_transaction_commits_everything_together(store: StateStore) -> None:
    with store.transaction():
        assert store.load_links() == []  # a streamed load, then writes on the same connection
        assert store.load_bases("crm") == {}
        store.save_links([link("k1", "r1")])
        with store.transaction():  # nested: joins
            store.save_bases([base("k1", "r1", {"n": 1})])
        assert store.link_for("crm", "EC__c", "r1") is not None  # reads see the writes
    assert store.load_bases("crm")["r1"].data == {"n": 1}

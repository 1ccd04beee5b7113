"""Per-customer locks: take, refuse while held, take over after expiry, unlock by owner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from state_helpers import Backend, FakeClock

from contactsync.state import StateStore

TTL = timedelta(minutes=5)


def test_take_refuse_renew_and_unlock(store: StateStore) -> None:
    assert store.try_lock("客户1", "worker-a", TTL)
    assert store.lock_owner("客户1") == "worker-a"
    assert not store.try_lock("客户1", "worker-b", TTL)
    assert store.try_lock("客户1", "worker-a", TTL)  # the owner renews
    assert store.try_lock("客户2", "worker-b", TTL)  # other customers are independent
    assert not store.unlock("客户1", "worker-b")  # only the owner unlocks
    assert store.lock_owner("客户1") == "worker-a"
    assert store.unlock("客户1", "worker-a")
    assert store.lock_owner("客户1") is None
    assert store.try_lock("客户1", "worker-b", TTL)


def test_an_expired_lock_is_taken_over(store: StateStore, clock: FakeClock) -> None:
    assert store.try_lock("c1", "worker-a", TTL)
    clock.advance(TTL - timedelta(microseconds=1))
    assert not store.try_lock("c1", "worker-b", TTL)
    clock.advance(timedelta(microseconds=1))
    assert store.lock_owner("c1") is None
    assert store.try_lock("c1", "worker-b", TTL)
    assert store.lock_owner("c1") == "worker-b"
    assert not store.unlock("c1", "worker-a")  # the old owner lost it
    assert store.lock_owner("c1") == "worker-b"


def test_renewing_extends_the_expiry(store: StateStore, clock: FakeClock) -> None:
    assert store.try_lock("c1", "worker-a", TTL)
    clock.advance(TTL / 2)
    assert store.try_lock("c1", "worker-a", TTL)
    clock.advance(TTL * 3 / 4)
    assert not store.try_lock("c1", "worker-b", TTL)


def test_two_stores_contend_for_one_lock(backend: Backend) -> None:
    one, two = backend.open(), backend.open()
    assert one.try_lock("c1", "worker-a", TTL)
    assert not two.try_lock("c1", "worker-b", TTL)
    assert two.lock_owner("c1") == "worker-a"
    assert one.unlock("c1", "worker-a")
    assert two.try_lock("c1", "worker-b", TTL)


def test_a_ttl_must_be_positive(store: StateStore) -> None:
    with pytest.raises(ValueError, match="positive"):
        store.try_lock("c1", "worker-a", timedelta(0))

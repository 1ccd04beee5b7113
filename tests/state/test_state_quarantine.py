"""Quarantine (idempotent, restorable, audited), audit queries and review marks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from state_helpers import START, FakeClock

from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.state import AuditEntry, StateStore

CONTACT = {"name": "赵六", "priority": 4, "phones": ["+8613900139000"]}


def test_quarantine_once_then_no_op(store: StateStore) -> None:
    assert store.quarantine("k1", "c1", Kind.EMERGENCY, "CAP_EXCEEDED", CONTACT, "run-1")
    reordered = dict(reversed(list(CONTACT.items())))
    assert not store.quarantine("k1", "c1", "emergency", "CAP_EXCEEDED", reordered, "run-2")
    [entry] = store.quarantined()
    assert (entry.key, entry.customer, entry.kind, entry.data) == (
        "k1",
        "c1",
        Kind.EMERGENCY,
        CONTACT,
    )
    assert entry.run_id == "run-1"  # the no-op changed nothing
    assert entry.restored_at is None
    assert store.is_quarantined("k1")
    assert [a.action for a in store.audit(key="k1")] == ["quarantine"]


def test_new_data_updates_the_entry_and_the_audit_keeps_the_old(
    store: StateStore, clock: FakeClock
) -> None:
    store.quarantine("k1", "c1", "emergency", "CAP_EXCEEDED", CONTACT, "run-1")
    clock.advance(timedelta(days=1))
    newer = {**CONTACT, "name": "赵六六"}
    assert store.quarantine("k1", "c1", "emergency", "CAP_EXCEEDED", newer, "run-2")
    [entry] = store.quarantined()
    assert entry.data == newer
    assert entry.quarantined_at == clock.now
    history = store.audit(key="k1")
    assert [(a.action, a.before, a.after) for a in history] == [
        ("quarantine", None, CONTACT),
        ("requarantine", CONTACT, newer),
    ]


def test_restore_returns_the_data_and_frees_the_key(store: StateStore, clock: FakeClock) -> None:
    store.quarantine("k1", "c1", "emergency", "CAP_EXCEEDED", CONTACT)
    clock.advance(timedelta(hours=2))
    restored = store.restore("k1")
    assert restored.data == CONTACT
    assert restored.restored_at == clock.now
    assert not store.is_quarantined("k1")
    assert store.quarantined() == []
    assert store.quarantined(include_restored=True) == [restored]
    with pytest.raises(ConfigError, match="not in quarantine"):
        store.restore("k1")
    # Once restored it may be quarantined again: a new entry.
    assert store.quarantine("k1", "c1", "emergency", "CAP_EXCEEDED", CONTACT)
    assert len(store.quarantined(include_restored=True)) == 2
    assert [a.action for a in store.audit(key="k1")] == ["quarantine", "restore", "quarantine"]


def test_restoring_an_unknown_key_is_a_config_error(store: StateStore) -> None:
    with pytest.raises(ConfigError, match="'nobody' is not in quarantine"):
        store.restore("nobody")


def test_quarantined_by_customer(store: StateStore) -> None:
    store.quarantine("k2", "客户乙", "emergency", "CAP_EXCEEDED", {"n": 2})
    store.quarantine("k1", "客户甲", "emergency", "CAP_EXCEEDED", {"n": 1})
    store.quarantine("k3", "客户甲", "business", "MIXED_STORAGE", {"n": 3})
    # By customer in code-point order on both backends: 乙 (U+4E59) before 甲 (U+7532).
    assert [e.key for e in store.quarantined()] == ["k2", "k1", "k3"]
    assert [e.key for e in store.quarantined("客户甲")] == ["k1", "k3"]
    assert store.quarantined("nobody") == []


def test_the_database_itself_allows_one_active_entry_per_key(store: StateStore) -> None:
    store.quarantine("k1", "c1", "emergency", "CAP_EXCEEDED", CONTACT)
    insert = text(
        "INSERT INTO quarantine (key, customer, kind, reason, data, quarantined_at) "
        "VALUES ('k1', 'c1', 'emergency', 'x', '{}', '2026-01-01T00:00:00.000000+00:00')"
    )
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        conn.execute(insert)


def test_audit_bulk_and_queries(store: StateStore) -> None:
    later = START + timedelta(minutes=1)
    entries = [
        AuditEntry("run-1", "k1", "sf", "EC__c", "001", "create", None, {"name": "张三"}, START),
        AuditEntry("run-1", "k2", "sf", "EC__c", "002", "update", {"t": "a"}, {"t": "b"}, START),
        AuditEntry("run-2", "k1", "zoho", "EC", "z1", "archive", {"name": "张三"}, None, later),
    ]
    assert store.record_audit(entries) == 3
    everything = store.audit()
    assert [e.id for e in everything] == sorted(e.id for e in everything if e.id is not None)
    assert [(e.key, e.action) for e in everything] == [
        ("k1", "create"),
        ("k2", "update"),
        ("k1", "archive"),
    ]
    assert [e.action for e in store.audit(key="k1")] == ["create", "archive"]
    assert [e.action for e in store.audit(run_id="run-1")] == ["create", "update"]
    assert [e.action for e in store.audit(key="k1", run_id="run-2")] == ["archive"]
    assert store.audit(key="nobody") == []
    first = everything[0]
    assert (first.after, first.at, first.system) == ({"name": "张三"}, START, "sf")
    assert store.record_audit([]) == 0


def test_review_marks(store: StateStore) -> None:
    early = datetime.fromisoformat("2026-02-01T10:00:00+08:00")
    late = datetime.fromisoformat("2026-02-20T10:00:00+08:00")
    second = store.mark_reviewed("k1", "c1", "李四", late)
    first = store.mark_reviewed("k1", "c1", "王五", early)
    other = store.mark_reviewed("k0", "c2", "李四", early)
    assert store.review_marks() == [other, first, second]
    assert store.review_marks("c1") == [first, second]
    assert first.reviewed_at == early
    assert first.marked_at == START
    assert [a.action for a in store.audit(key="k1")] == ["review", "review"]
    with pytest.raises(ValueError, match="naive"):
        store.mark_reviewed("k1", "c1", "李四", datetime(2026, 2, 1))

"""Faults through the emulator: 429 with Retry-After, 5xx, a lost response, an expired
delete feed, a refused token, oversized pushes split to the vendor's limit."""

from __future__ import annotations

import pytest
from example_crm_emulator import MAX_BATCH, ExampleCrm
from example_crm_helpers import Waits, connector_for

from contactsync.connector import Cursor
from contactsync.errors import AuthError, RetryableError
from contactsync.models import Kind
from contactsync.testing import create_op, sample_contacts
from contactsync.testing.emulator import CommitThenDrop, Respond, RunningEmulator

KIND = Kind.BUSINESS


def crm_app(crm: RunningEmulator) -> ExampleCrm:
    assert isinstance(crm.app, ExampleCrm)
    return crm.app


def seed(crm: RunningEmulator, count: int) -> None:
    connector = connector_for(crm.url)
    om = connector.context.mapping.for_kind(KIND)
    results = list(
        connector.push(KIND, [create_op(om, c) for c in sample_contacts(KIND, count, "fault")])
    )
    assert all(r.ok for r in results)


def test_503_then_429_are_retried_and_retry_after_is_honoured(crm: RunningEmulator) -> None:
    seed(crm, 3)
    crm.faults.add(Respond(503), Respond(429, retry_after=3), method="GET")
    waits = Waits()
    pages = list(connector_for(crm.url, sleep=waits).pull(KIND))
    assert len([r for p in pages for r in p.records]) == 3
    assert len(waits.asked) == 2 and waits.asked[1] == 3.0  # the vendor's Retry-After
    assert [r.status for r in crm.requests[-3:]] == [503, 429, 200]


def test_retry_after_is_capped(crm: RunningEmulator) -> None:
    crm.faults.add(Respond(429, retry_after=3600), method="GET")
    waits = Waits()
    list(connector_for(crm.url, sleep=waits, max_retry_after_seconds=20).pull(KIND))
    assert waits.asked == [20.0]


def test_every_try_failing_is_a_retryable_error(crm: RunningEmulator) -> None:
    crm.faults.add(*[Respond(503)] * 4, method="POST")
    connector = connector_for(crm.url, max_attempts=4)
    om = connector.context.mapping.for_kind(KIND)
    with pytest.raises(RetryableError, match="HTTP 503"):
        list(connector.push(KIND, [create_op(om, sample_contacts(KIND, 1, "x")[0])]))
    assert len([r for r in crm.requests if r.method == "POST"]) == 4


def test_a_lost_response_is_retried_without_a_duplicate(crm: RunningEmulator) -> None:
    connector = connector_for(crm.url, timeout_seconds=0.5)
    om = connector.context.mapping.for_kind(KIND)
    contacts = sample_contacts(KIND, 3, "lost")
    rule = crm.faults.add(CommitThenDrop(), method="POST")
    results = list(connector.push(KIND, [create_op(om, c) for c in contacts]))
    assert rule.done and all(r.ok for r in results)
    stored = crm_app(crm).store.live(om.object)
    assert sorted(r.values["cs_key"] for r in stored) == sorted(c.key for c in contacts)
    writes = [w.size for w in crm_app(crm).writes]
    assert len(writes) >= 2 and set(writes) == {3}  # committed at least twice, stored once


def test_pushes_are_cut_to_the_vendor_batch(crm: RunningEmulator) -> None:
    connector = connector_for(crm.url)
    om = connector.context.mapping.for_kind(KIND)
    contacts = sample_contacts(KIND, MAX_BATCH * 2 + 7, "big")
    results = list(connector.push(KIND, [create_op(om, c) for c in contacts]))
    assert [r.key for r in results] == [c.key for c in contacts] and all(r.ok for r in results)
    assert [w.size for w in crm_app(crm).writes] == [MAX_BATCH, MAX_BATCH, 7]


def test_an_expired_delete_feed_falls_back_to_a_complete_enumeration(crm: RunningEmulator) -> None:
    seed(crm, 3)
    connector = connector_for(crm.url, page_size=2)
    old = Cursor(watermark=crm_app(crm).store.clock.now.replace(year=2025), last_id="r000001")
    pages = list(connector.pull(KIND, old))
    assert [r.status for r in crm.requests if "/deleted" in r.path] == [410]
    assert pages[-1].complete and len([r for p in pages for r in p.records]) == 3


def test_a_refused_token_is_an_auth_error(crm: RunningEmulator) -> None:
    connector = connector_for(crm.url)
    connector.client.settings = type(connector.settings)(crm.url, "wrong-token")
    with pytest.raises(AuthError):
        connector.describe()

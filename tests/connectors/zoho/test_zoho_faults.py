"""Faults injected through the emulator harness: 429 bursts, 5xx, lost answers after the
write committed, malformed payloads. The retry sleep is injected: nothing waits."""

from __future__ import annotations

from typing import Any

import pytest
from zoho_helpers import Sleeps, creates, records

from contactsync.errors import QuotaExhausted, RetryableError
from contactsync.mapping import SystemMapping
from contactsync.models import Kind
from contactsync.testing.contract.samples import sample_contacts
from contactsync.testing.emulator import CommitThenDrop, Respond
from contactsync_zoho.emulator import RunningOrg

TOO_MANY = {"code": "TOO_MANY_REQUESTS", "details": {}, "message": "too many requests",
            "status": "error"}


def test_a_429_burst_is_retried_honouring_retry_after(
    org: RunningOrg, connect: Any, sleeps: Sleeps, zoho_mapping: SystemMapping
) -> None:
    connector = connect()
    connector.describe()
    org.crm_server.faults.add(
        Respond(429, TOO_MANY, retry_after=7), Respond(429, TOO_MANY, retry_after=3),
        Respond(429, TOO_MANY, headers=(("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"),)),
        method="POST",
    )
    ops = creates(zoho_mapping, Kind.EMERGENCY, sample_contacts(Kind.EMERGENCY, 3))
    results = list(connector.push(Kind.EMERGENCY, ops))
    assert all(r.ok for r in results)
    assert sleeps == [7.0, 3.0, 0.0]  # a date in the past: go again at once
    assert len(org.crm.live("Emergency_Contacts")) == 3
    assert [r.status for r in org.crm_server.requests if r.method == "POST"] == [429] * 3 + [200]


def test_5xx_answers_are_retried_with_backoff(
    org: RunningOrg, connect: Any, sleeps: Sleeps
) -> None:
    connector = connect()
    org.crm_server.faults.add(Respond(503, "busy"), Respond(500, {"code": "INTERNAL_ERROR"}),
                              method="GET", path="/crm/v8/settings/modules")
    connector.describe()
    assert len(sleeps) == 2 and all(0 < s <= 30 for s in sleeps)


def test_429_beyond_every_attempt_stops_the_run_as_quota_exhausted(
    org: RunningOrg, connect: Any, sleeps: Sleeps
) -> None:
    connector = connect(max_attempts=3)
    org.crm_server.faults.add(*[Respond(429, TOO_MANY, retry_after=1)] * 5, method="GET")
    with pytest.raises(QuotaExhausted, match="429"):
        connector.describe()
    assert sleeps == [1.0, 1.0]
    assert org.crm_server.faults.pending == 2  # three attempts, then it stopped


def test_5xx_beyond_every_attempt_is_retryable(org: RunningOrg, connect: Any) -> None:
    connector = connect(max_attempts=2)
    org.crm_server.faults.add(Respond(502), Respond(502), method="GET")
    with pytest.raises(RetryableError, match="502"):
        connector.describe()


@pytest.mark.parametrize("hold", [False, True], ids=["dropped", "timed-out"])
def test_a_lost_upsert_answer_is_retried_without_a_duplicate(
    org: RunningOrg, connect: Any, sleeps: Sleeps, zoho_mapping: SystemMapping, hold: bool
) -> None:
    connector = connect(timeout_seconds=0.5)  # a held answer times out quickly
    connector.describe()
    rule = org.crm_server.faults.add(CommitThenDrop(hold=hold), method="POST")
    ops = creates(zoho_mapping, Kind.BUSINESS, sample_contacts(Kind.BUSINESS, 3, "lost"))
    results = list(connector.push(Kind.BUSINESS, ops))
    assert rule.fired == 1 and len(sleeps) == 1
    assert all(r.ok for r in results)
    assert [w.size for w in org.crm.writes] == [3, 3]  # sent twice, committed twice ...
    live = org.crm.live("Contacts")
    assert sorted(r.values["Contactsync_Key"] for r in live) == sorted(op.key for op in ops)
    assert {r.record_id for r in results} == {r.id for r in live}  # ... stored once


def test_a_malformed_answer_is_retried(org: RunningOrg, connect: Any, sleeps: Sleeps) -> None:
    connector = connect()
    connector.describe()
    org.crm_server.faults.add(Respond(200, "<html>maintenance</html>"), method="GET",
                              path="/crm/v8/Emergency_Contacts")
    assert records(list(connector.pull(Kind.EMERGENCY))) == []
    assert len(sleeps) == 1


def test_a_busy_accounts_server_is_retried(org: RunningOrg, connect: Any, sleeps: Sleeps) -> None:
    org.accounts_server.faults.add(Respond(503, "unavailable"), method="POST")
    connect().describe()
    assert org.accounts.granted == 1 and len(sleeps) == 1

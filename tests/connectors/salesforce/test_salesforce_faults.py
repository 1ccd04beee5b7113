"""Faults injected through the emulator: 503 and 429 with Retry-After, sessions expiring
mid-run, error bodies of every shape, timeouts after a commit, malformed answers, quota."""

from __future__ import annotations

import pytest
from salesforce_helpers import (
    Sleeps,
    creates,
    keys,
    oauth_connector,
    records,
    samples,
    session_connector,
)

from contactsync.errors import AuthError, QuotaExhausted
from contactsync.models import Kind
from contactsync.testing.emulator import CommitThenDrop, Respond, serve
from contactsync_salesforce import SalesforceQuotaExhausted

E = Kind.EMERGENCY
OBJECT = "Emergency_Contact__c"
EXPIRED = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_503_and_429_are_retried_after_the_wait_retry_after_asks(app, server) -> None:
    sleeps = Sleeps()
    sf = session_connector(app, server.url, sleep=sleeps)
    server.faults.add(
        Respond(503, [{"message": "down", "errorCode": "SERVER_UNAVAILABLE"}], retry_after=7),
        Respond(429, "Too Many Requests", retry_after=3),
        method="PATCH",
    )
    results = list(sf.push(E, creates(E, samples(E, 2))))
    assert all(r.ok for r in results)
    assert sleeps == [7.0, 3.0]
    assert [r.status for r in server.requests if r.method == "PATCH"] == [503, 429, 200]
    assert len(app.live(OBJECT)) == 2


def test_retry_after_is_capped_by_max_wait_and_backoff_is_used_without_it(app, server) -> None:
    sleeps = Sleeps()
    sf = session_connector(app, server.url, sleep=sleeps, max_wait_seconds=10)
    server.faults.add(Respond(503, retry_after=3600), Respond(502), method="GET")
    pages = list(sf.pull(E))
    assert pages[-1].last
    assert sleeps[0] == 10.0 and 0 < sleeps[1] <= 10.0


def test_retries_end_after_max_attempts_with_each_record_failed(app, server) -> None:
    sf = session_connector(app, server.url, max_attempts=3)
    server.faults.add(*[Respond(500, "oops")] * 3, method="PATCH")
    results = list(sf.push(E, creates(E, samples(E, 2))))
    assert {r.error.code for r in results if r.error} == {"CALL_RETRIES_EXHAUSTED"}
    assert all(r.error and r.error.retryable for r in results)
    assert len([r for r in server.requests if r.method == "PATCH"]) == 3


def test_a_session_expiring_mid_pull_is_renewed_once_and_the_pull_goes_on(app, server) -> None:
    sf = oauth_connector(app, server.url)
    contacts = samples(E, 5)
    assert all(r.ok for r in sf.push(E, creates(E, contacts)))
    app.expire_sessions_after(2)  # the token dies between the second and third page
    pages = list(sf.pull(E))
    assert sorted(keys(pages)) == sorted(c.key for c in contacts)
    assert sf.api.refreshes == 1 and sf.api.logins == 2
    statuses = [r.status for r in server.requests if r.path.startswith("/services/data")]
    assert statuses.count(401) == 1


def test_a_session_refused_again_after_renewal_is_an_auth_error_without_recursion(
    app, server
) -> None:
    sf = oauth_connector(app, server.url)
    server.faults.add(*[Respond(401, EXPIRED)] * 10, method="GET", path=r".*/query/")
    with pytest.raises(AuthError, match="again right after a new client credentials login"):
        list(sf.pull(E))
    queries = [r for r in server.requests if r.path.endswith("/query/")]
    assert len(queries) == 2  # one try, one after the refresh: nothing more
    assert len([r for r in server.requests if r.path.endswith("/token")]) == 2


@pytest.mark.parametrize(
    "body",
    [
        {"error": "invalid_token", "error_description": "expired"},
        "<html><body>Session expired</body></html>",
        None,
        [],
    ],
    ids=["object", "html", "empty", "empty-list"],
)
def test_a_401_with_a_body_that_is_not_a_list_is_still_a_refresh(app, server, body) -> None:
    sf = oauth_connector(app, server.url)
    server.faults.add(Respond(401, body), method="GET")
    pages = list(sf.pull(E))
    assert pages[-1].last and sf.api.refreshes == 1


def test_a_session_id_cannot_be_renewed_so_a_401_is_an_auth_error(app, server) -> None:
    sf = session_connector(app, server.url)
    app.expire_sessions()
    with pytest.raises(AuthError, match="cannot be renewed"):
        list(sf.pull(E))
    assert len([r for r in server.requests if r.path.startswith("/services/data")]) == 1


def test_a_timeout_after_the_server_committed_is_retried_without_a_duplicate(app) -> None:
    with serve(app, drop_wait=3.0) as server:
        sf = session_connector(app, server.url, timeout_seconds=1.0)
        rule = server.faults.add(CommitThenDrop(hold=True), method="PATCH")
        contacts = samples(E, 3)
        results = list(sf.push(E, creates(E, contacts)))
        assert rule.fired == 1
        assert all(r.ok for r in results)
        assert len(app.live(OBJECT)) == 3  # the retry updated what the first call made
        assert [w.size for w in app.writes] == [3, 3]


def test_a_dropped_connection_after_commit_is_retried_without_a_duplicate(app, server) -> None:
    sf = session_connector(app, server.url)
    server.faults.add(CommitThenDrop(hold=False), method="PATCH")
    results = list(sf.push(E, creates(E, samples(E, 2))))
    assert all(r.ok for r in results) and len(app.live(OBJECT)) == 2


def test_a_deletion_whose_answer_was_lost_is_done_on_the_retry(app, server) -> None:
    sf = session_connector(app, server.url)
    made = list(sf.push(E, creates(E, samples(E, 2))))
    server.faults.add(CommitThenDrop(hold=False), method="DELETE")
    from contactsync.connector import WriteOp

    ops = [WriteOp("archive", m.key, {}, m.record_id) for m in made]
    results = list(sf.push(E, ops))
    assert all(r.ok for r in results) and app.live(OBJECT) == []


def test_a_malformed_success_body_is_retried(app, server) -> None:
    sf = session_connector(app, server.url)
    server.faults.add(Respond(200, b"{not json", headers=(("Content-Type", "application/json"),)),
                      method="GET", path=r".*/query/")
    pages = list(sf.pull(E))
    assert pages[-1].complete


def test_the_pull_stops_cleanly_at_the_configured_share_of_the_daily_quota(app, server) -> None:
    app.api_limit, app.api_used = 100, 75
    sf = session_connector(app, server.url, quota_share=0.8)
    contacts = samples(E, 11)  # six pages of two: the sixth would be the 81st request
    with app.store.batch():
        for contact in contacts:
            app.store.upsert(OBJECT, "Contactsync_Key__c",
                             {"Contactsync_Key__c": contact.key, "Name": "样例戊"})
    seen = []
    with pytest.raises(SalesforceQuotaExhausted) as stopped:
        for page in sf.pull(E):
            seen.append(page)
    error = stopped.value
    assert isinstance(error, QuotaExhausted)
    assert error.usage is not None and (error.usage.used, error.usage.total) == (80, 100)
    assert "80/100 (80%)" in str(error) and "quota_share" in str(error)
    assert app.api_used == 80  # no call made past the stop
    assert len(seen) == 4 and not seen[-1].last  # the fifth page waits to know if it is last


def test_request_limit_exceeded_stops_the_push_as_quota_exhausted(app, server) -> None:
    app.api_limit, app.api_used = 10, 10
    sf = session_connector(app, server.url)
    with pytest.raises(SalesforceQuotaExhausted, match="daily API request limit is exceeded"):
        list(sf.push(E, creates(E, samples(E, 1))))


def test_limit_figures_are_read_from_every_answer(app, server) -> None:
    sf = session_connector(app, server.url)
    list(sf.pull(E))
    assert sf.api.usage is not None and sf.api.usage.used == app.api_used
    assert records(list(sf.pull(E))) == []

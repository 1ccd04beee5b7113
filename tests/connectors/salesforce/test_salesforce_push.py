"""Pushes against the emulator: sObject Collections in chunks of at most 200, results by
position, per-record errors, row-lock retries, archive, the key stamped on keyless records."""

from __future__ import annotations

import pytest
from salesforce_helpers import Sleeps, creates, records, samples, session_connector

from contactsync.connector import WriteOp
from contactsync.models import Kind

E, B = Kind.EMERGENCY, Kind.BUSINESS
OBJECT = "Emergency_Contact__c"


def test_creates_are_upserts_by_the_key_in_chunks_of_at_most_200(app, server) -> None:
    sf = session_connector(app, server.url, batch_size=200)
    ops = creates(E, samples(E, 450))
    results = list(sf.push(E, ops))
    assert [r.key for r in results] == [op.key for op in ops]
    assert all(r.ok and r.record_id for r in results)
    assert [w.size for w in app.writes] == [200, 200, 50]
    assert {w.action for w in app.writes} == {"upsert"}
    upserts = [r for r in server.requests if r.method == "PATCH"]
    assert {r.path for r in upserts} == {
        "/services/data/v66.0/composite/sobjects/Emergency_Contact__c/Contactsync_Key__c"
    }
    assert len(app.live(OBJECT)) == 450


def test_results_are_matched_to_records_by_position(app, server) -> None:
    sf = session_connector(app, server.url)
    contacts = samples(E, 5)
    ops = creates(E, contacts)
    broken = dict(ops[1].values)
    broken["Email__c"] = "not an address"
    ops[1] = WriteOp("create", ops[1].key, broken)
    unknown = dict(ops[3].values)
    unknown["Account__r.Customer_Number__c"] = "C999"
    ops[3] = WriteOp("create", ops[3].key, unknown)
    results = list(sf.push(E, ops))
    assert [r.ok for r in results] == [True, False, True, False, True]
    assert results[1].error is not None and results[1].error.code == "INVALID_EMAIL_ADDRESS"
    assert results[1].error.fields == ("Email__c",)
    assert results[3].error is not None and results[3].error.code == "INVALID_FIELD"
    assert "C999".lower() in results[3].error.message
    stored = {r.values.get("Contactsync_Key__c"): r.id for r in app.live(OBJECT)}
    assert set(stored) == {ops[0].key, ops[2].key, ops[4].key}
    assert results[2].record_id == stored[ops[2].key]


def test_a_rejected_record_carries_the_vendors_code_message_and_fields(app, server) -> None:
    sf = session_connector(app, server.url)
    ops = creates(E, samples(E, 3))
    app.reject(ops[2].key, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "角色必须填写", "Role__c")
    results = list(sf.push(E, ops))
    error = results[2].error
    assert error is not None and not results[2].ok
    assert (error.code, error.message, error.fields) == (
        "FIELD_CUSTOM_VALIDATION_EXCEPTION", "角色必须填写", ("Role__c",)
    )
    assert not error.retryable


def test_a_required_field_missing_fails_that_record_only(app, server) -> None:
    sf = session_connector(app, server.url)
    ops = creates(B, samples(B, 2))
    nameless = {k: v for k, v in ops[0].values.items() if k != "LastName"}
    results = list(sf.push(B, [WriteOp("create", ops[0].key, nameless), ops[1]]))
    assert results[0].error is not None and results[0].error.code == "REQUIRED_FIELD_MISSING"
    assert results[0].error.fields == ("LastName",)
    assert results[1].ok


def test_a_locked_row_is_sent_again_alone_after_a_backoff(app, server) -> None:
    sleeps = Sleeps()
    sf = session_connector(app, server.url, sleep=sleeps)
    ops = creates(E, samples(E, 3))
    app.reject(ops[1].key, "UNABLE_TO_LOCK_ROW",
               "unable to obtain exclusive access to this record or 1 records: a0B")
    results = list(sf.push(E, ops))
    assert all(r.ok for r in results)
    assert [w.size for w in app.writes] == [3, 1]
    assert len(sleeps) == 1 and 0 < sleeps[0] <= 60
    assert len(app.live(OBJECT)) == 3


def test_a_row_that_stays_locked_fails_as_retryable(app, server) -> None:
    sleeps = Sleeps()
    sf = session_connector(app, server.url, max_attempts=2, sleep=sleeps)
    ops = creates(E, samples(E, 1))
    app.lock(ops[0].key, times=3)  # more locks than tries
    (result,) = sf.push(E, ops)
    assert not result.ok and result.error is not None
    assert result.error.code == "UNABLE_TO_LOCK_ROW" and result.error.retryable
    assert [w.size for w in app.writes] == [1, 1] and len(sleeps) == 1


def test_a_call_refused_as_a_whole_fails_each_record_with_its_code(app, server) -> None:
    sf = session_connector(app, server.url)
    ops = creates(E, samples(E, 2))
    odd = [WriteOp("create", op.key, {**op.values, "Nope__c": "x"}) for op in ops]
    results = list(sf.push(E, odd))
    assert [r.ok for r in results] == [False, False]
    assert {r.error.code for r in results if r.error} == {"INVALID_FIELD"}
    assert app.live(OBJECT) == []


def test_fields_salesforce_maintains_are_never_sent(app, server) -> None:
    sf = session_connector(app, server.url)
    (op,) = creates(E, samples(E, 1))
    assert "LastModifiedDate" in op.values  # the mapping reads updated_at from it
    (result,) = sf.push(E, [op])
    assert result.ok
    body = next(r.body for r in server.requests if r.method == "PATCH").replace(b" ", b"")
    assert b"LastModifiedDate" not in body
    assert b'"Account__r":{"Customer_Number__c"' in body


def test_an_update_by_record_id_stamps_the_key_on_a_record_made_in_salesforce(app, server) -> None:
    account = app.find_by("Account", "Customer_Number__c", "C002")
    assert account is not None
    made = app.insert("Contact", {"LastName": "样例", "FirstName": "庚", "Title": "经理",
                                  "Department": "采购部", "AccountId": account.id})
    sf = session_connector(app, server.url)
    op = WriteOp("update", "cs-new-key", {"Contactsync_Key__c": "cs-new-key", "Title": "总监"},
                 made.id)
    (result,) = sf.push(B, [op])
    assert result.ok and result.record_id == made.id
    (only,) = app.live("Contact")
    assert only.values["Contactsync_Key__c"] == "cs-new-key" and only.values["Title"] == "总监"
    assert app.writes[-1].action == "update"


def test_an_update_of_a_record_deleted_meanwhile_is_reported(app, server) -> None:
    sf = session_connector(app, server.url)
    (op,) = creates(E, samples(E, 1))
    (created,) = sf.push(E, [op])
    app.store.delete(OBJECT, created.record_id or "")
    (result,) = sf.push(E, [WriteOp("update", op.key, {"Role__c": "x"}, created.record_id)])
    assert result.error is not None and result.error.code == "ENTITY_IS_DELETED"
    assert len(app.store.all(OBJECT)) == 1  # not made again


def test_archive_deletes_by_id_and_finds_ids_by_key_when_it_has_none(app, server) -> None:
    sf = session_connector(app, server.url)
    contacts = samples(E, 3)
    tricky = contacts[2].model_copy(update={"key": "cs-o'brien\\%_"})
    made = list(sf.push(E, creates(E, [*contacts[:2], tricky])))
    ops = [
        WriteOp("archive", contacts[0].key or "", {}, made[0].record_id),
        WriteOp("archive", contacts[1].key or "", {}, None),
        WriteOp("archive", "cs-o'brien\\%_", {}, "not-an-id"),
        WriteOp("archive", "cs-never-existed", {}, None),
    ]
    results = list(sf.push(E, ops))
    assert all(r.ok for r in results)
    assert [r.record_id for r in results[:3]] == [m.record_id for m in made]
    assert app.live(OBJECT) == []
    lookup = [r.query for r in server.requests if r.path.endswith("/query/")][-1]
    assert "%5C%27" in lookup  # the quote reached SOQL escaped (\')


def test_archiving_again_counts_as_done(app, server) -> None:
    sf = session_connector(app, server.url)
    (made,) = sf.push(E, creates(E, samples(E, 1)))
    op = WriteOp("archive", made.key, {}, made.record_id)
    assert next(iter(sf.push(E, [op]))).ok
    again = next(iter(sf.push(E, [op])))
    assert again.ok and again.record_id == made.record_id


def test_an_empty_key_fails_without_a_call(app, server) -> None:
    sf = session_connector(app, server.url)
    (result,) = sf.push(E, [WriteOp("create", " ", {"Name": "x"})])
    assert result.error is not None and result.error.code == "INVALID_KEY"
    assert [r for r in server.requests if r.method != "GET"] == []


@pytest.mark.parametrize(
    "key", ["cs-plain", "cs/with/slashes", "cs key?&#%", "客户-联系人-1", "cs+plus"]
)
def test_fetch_puts_the_key_percent_encoded_into_the_url(app, server, key: str) -> None:
    sf = session_connector(app, server.url)
    contact = samples(E, 1)[0].model_copy(update={"key": key})
    (made,) = sf.push(E, creates(E, [contact]))
    found = sf.fetch(E, key)
    assert found is not None and found.record_id == made.record_id
    assert found.values["Contactsync_Key__c"] == key
    assert sf.fetch(E, key + "-absent") is None


def test_pushed_contacts_read_back_as_written(app, server) -> None:
    sf = session_connector(app, server.url)
    contacts = samples(E, 2)
    sf.push(E, creates(E, contacts))
    values = {r.values["Contactsync_Key__c"]: r.values for r in records(list(sf.pull(E)))}
    first = values[contacts[0].key]
    assert first["Priority__c"] == float(contacts[0].priority or 0)
    assert first["Last_Reviewed_At__c"].endswith(".000+0000")
    assert first["Decision_Authority__c"] in ("Yes", "No")

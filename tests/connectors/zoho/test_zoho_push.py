"""Pushing: chunks of 100, upserts by Contactsync_Key, per-record results from 207 and
400 answers, If-Unmodified-Since and 412, archives, and the customer lookup."""

from __future__ import annotations

import json
from typing import Any

from zoho_helpers import creates, records, seed

from contactsync.connector import WriteOp
from contactsync.mapping import SystemMapping
from contactsync.models import Kind
from contactsync.testing.contract.samples import sample_contacts
from contactsync.testing.emulator import Respond
from contactsync_zoho.emulator import RunningOrg
from contactsync_zoho.push import _place

EMERGENCY = "Emergency_Contacts"


def bodies(org: RunningOrg, method: str, path: str) -> list[Any]:
    return [json.loads(r.body) for r in org.crm_server.requests
            if r.method == method and r.path == f"/crm/v8/{path}"]


def statuses(org: RunningOrg, method: str) -> list[int | None]:
    return [r.status for r in org.crm_server.requests if r.method == method]


def test_creates_are_upserts_by_the_key_in_calls_of_at_most_100(
    org: RunningOrg, connect: Any, zoho_mapping: SystemMapping
) -> None:
    connector = connect()
    ops = creates(zoho_mapping, Kind.BUSINESS, sample_contacts(Kind.BUSINESS, 250))
    results = list(connector.push(Kind.BUSINESS, ops))
    assert [r.key for r in results] == [op.key for op in ops] and all(r.ok for r in results)
    assert [w.size for w in org.crm.writes] == [100, 100, 50]
    sent = bodies(org, "POST", "Contacts/upsert")
    assert all(b["duplicate_check_fields"] == ["Contactsync_Key"] and b["trigger"] == []
               for b in sent)
    assert len(org.crm.live("Contacts")) == 250


def test_zohos_own_fields_are_not_sent_and_datetimes_carry_an_offset(
    org: RunningOrg, connect: Any, zoho_mapping: SystemMapping
) -> None:
    connector = connect()
    ops = creates(zoho_mapping, Kind.EMERGENCY, sample_contacts(Kind.EMERGENCY, 1))
    assert ops[0].values["Last_Reviewed_At"].endswith("Z") and "Modified_Time" in ops[0].values
    assert all(r.ok for r in connector.push(Kind.EMERGENCY, ops))
    record = bodies(org, "POST", f"{EMERGENCY}/upsert")[0]["data"][0]
    assert "Modified_Time" not in record and "id" not in record
    assert record["Last_Reviewed_At"].endswith("+00:00")
    assert record["Account"] == {"id": org.crm.find("Accounts", "Account_Number", "C001").id}  # type: ignore[union-attr]


def test_a_207_gives_each_record_its_own_result(
    org: RunningOrg, connect: Any, zoho_mapping: SystemMapping
) -> None:
    connector = connect()
    good, bad, missing = creates(zoho_mapping, Kind.EMERGENCY,
                                 sample_contacts(Kind.EMERGENCY, 3, "p"))
    bad = WriteOp("create", bad.key, {**bad.values, "Priority": "high"}, None, "b")
    missing = WriteOp("create", missing.key, {**missing.values, "Name": None}, None, "m")
    results = list(connector.push(Kind.EMERGENCY, [good, bad, missing]))
    assert statuses(org, "POST")[-1] == 207
    assert results[0].ok and results[0].record_id
    assert results[1].error is not None and results[1].error.code == "INVALID_DATA"
    assert results[1].error.fields == ("Priority",)
    assert results[2].error is not None and results[2].error.code == "MANDATORY_NOT_FOUND"
    assert results[2].error.fields == ("Name",)
    assert [r.values["Contactsync_Key"] for r in org.crm.live(EMERGENCY)] == [good.key]


def test_an_insert_of_a_key_already_there_is_duplicate_data_with_the_existing_id(
    org: RunningOrg, connect: Any, zoho_mapping: SystemMapping
) -> None:
    connector = connect(create_with="insert")
    ops = creates(zoho_mapping, Kind.BUSINESS, sample_contacts(Kind.BUSINESS, 2, "d"))
    first = next(iter(connector.push(Kind.BUSINESS, ops[:1])))
    again = list(connector.push(Kind.BUSINESS, ops))
    assert statuses(org, "POST") == [201, 207]
    assert not again[0].ok and again[0].error is not None
    assert again[0].error.code == "DUPLICATE_DATA" and again[0].error.fields == ("Contactsync_Key",)
    assert again[0].record_id == first.record_id and str(first.record_id) in again[0].error.message
    assert again[1].ok
    assert len(org.crm.live("Contacts")) == 2


def test_answers_are_matched_by_json_path_when_counts_differ() -> None:
    entries = [
        {"code": "INVALID_DATA", "details": {"api_name": "Name", "json_path": "$.data[2].Name"}},
        {"code": "SUCCESS", "details": {"id": "1"}},  # no path: cannot be placed
        {"code": "INVALID_DATA", "details": {"json_path": "$.data[0]"}},
    ]
    assert _place(entries, 4) == {2: entries[0], 0: entries[2]}
    assert _place(entries, 3) == dict(enumerate(entries))  # same count: by position


def test_updates_carry_if_unmodified_since_from_the_read(org: RunningOrg, connect: Any) -> None:
    connector = connect()
    ids = seed(connector, Kind.EMERGENCY, 2)
    pulled = {r.record_id: r for r in records(list(connector.pull(Kind.EMERGENCY)))}
    op = WriteOp("update", "cs-s-emergency-0000", {"Role": "值班经理"}, ids[0], "u")
    assert next(iter(connector.push(Kind.EMERGENCY, [op]))).ok
    put = [r for r in org.crm_server.requests if r.method == "PUT"][-1]
    assert dict(put.headers)["If-Unmodified-Since"] == pulled[ids[0]].values["Modified_Time"]
    # The stamp the update gave is remembered: a second update in the run is not refused.
    op2 = WriteOp("update", "cs-s-emergency-0000", {"Role": "总经理"}, ids[0], "u2")
    assert next(iter(connector.push(Kind.EMERGENCY, [op2]))).ok
    assert org.crm.store.get(EMERGENCY, ids[0]).values["Role"] == "总经理"  # type: ignore[union-attr]


def test_a_concurrent_edit_is_412_already_modified_and_never_overwritten(
    org: RunningOrg, connect: Any
) -> None:
    connector = connect()
    ids = seed(connector, Kind.EMERGENCY, 3)
    list(connector.pull(Kind.EMERGENCY))
    org.crm.edit(EMERGENCY, ids[1], Role="changed in Zoho meanwhile")
    ops = [WriteOp("update", f"cs-s-emergency-000{i}", {"Role": "from contactsync"}, ids[i],
                   f"u{i}") for i in (1, 2)]
    conflict, fine = connector.push(Kind.EMERGENCY, ops)
    assert statuses(org, "PUT") == [207]  # read with one stamp: one call, mixed results
    assert not conflict.ok and conflict.error is not None
    assert conflict.error.code == "ALREADY_MODIFIED" and not conflict.error.retryable
    assert "plans again" in conflict.error.message
    assert fine.ok
    assert org.crm.store.get(EMERGENCY, ids[1]).values["Role"] == "changed in Zoho meanwhile"  # type: ignore[union-attr]
    org.crm.edit(EMERGENCY, ids[2], Role="and again")
    alone = next(iter(connector.push(Kind.EMERGENCY, ops[1:])))
    assert statuses(org, "PUT")[-1] == 412 and alone.error is not None
    assert alone.error.code == "ALREADY_MODIFIED"
    # After a fresh read the same update goes through.
    list(connector.pull(Kind.EMERGENCY))
    assert next(iter(connector.push(Kind.EMERGENCY, ops[:1]))).ok


def test_an_update_of_a_record_not_read_here_learns_its_stamp_first(
    org: RunningOrg, connect: Any
) -> None:
    ids = seed(connect(), Kind.BUSINESS, 2)
    fresh = connect()  # another process: it never read these records
    ops = [WriteOp("update", "cs-s-business-0001", {"Title": "采购总监"}, ids[1], "u"),
           WriteOp("update", "cs-s-business-0009", {"Title": "x"}, "9100000000000999999", "v")]
    ok, gone = fresh.push(Kind.BUSINESS, ops)
    assert ok.ok and gone.error is not None and gone.error.code == "NOT_FOUND"
    methods = [(r.method, r.path) for r in org.crm_server.requests][-2:]
    assert methods == [("GET", "/crm/v8/Contacts"), ("PUT", "/crm/v8/Contacts")]


def test_archives_delete_and_a_repeated_archive_is_success(org: RunningOrg, connect: Any) -> None:
    connector = connect()
    ids = seed(connector, Kind.EMERGENCY, 3)
    ops = [WriteOp("archive", f"cs-s-emergency-000{i}", {}, ids[i], f"a{i}") for i in (0, 2)]
    assert all(r.ok for r in connector.push(Kind.EMERGENCY, ops))
    assert all(r.ok for r in connector.push(Kind.EMERGENCY, ops))  # a retried archive
    assert [r.id for r in org.crm.live(EMERGENCY)] == [ids[1]]
    deleted = [r for r in org.crm_server.requests if r.method == "DELETE"]
    assert [d.status for d in deleted] == [200, 400]


def test_a_customer_key_without_exactly_one_account_fails_that_record(
    org: RunningOrg, connect: Any, zoho_mapping: SystemMapping
) -> None:
    org.crm.add_account("C002", "Customer C002, second entry")
    org.crm.add_account("c003", "A look-alike key")  # Zoho's search matches it loosely
    om = zoho_mapping.for_kind(Kind.BUSINESS)
    contacts = sample_contacts(Kind.BUSINESS, 3, "cust")  # customers C001, C002, C003
    unknown = contacts[0].model_copy(update={"customer": "C999", "key": "cs-unknown"})
    ops = creates(zoho_mapping, Kind.BUSINESS, [*contacts, unknown])
    assert om.fields["customer"].vendor_fields == ("Account_Name",)
    results = list(connect().push(Kind.BUSINESS, ops))
    assert [r.ok for r in results] == [True, False, True, False]
    assert results[1].error is not None and results[1].error.code == "AMBIGUOUS_CUSTOMER"
    assert results[3].error is not None and results[3].error.code == "CUSTOMER_NOT_FOUND"
    assert results[3].error.fields == ("Account_Name",)
    stored = {r.values["Contactsync_Key"]: r.values["Account_Name"]["id"]
              for r in org.crm.live("Contacts")}
    c003 = org.crm.find("Accounts", "Account_Number", "C003")
    assert c003 is not None and stored[contacts[2].key or ""] == c003.id


def test_a_write_refused_as_a_whole_fails_each_record_without_raising(
    org: RunningOrg, connect: Any, zoho_mapping: SystemMapping
) -> None:
    connector = connect()
    connector.describe()
    body = {"code": "INVALID_REQUEST", "details": {"api_name": "data"},
            "message": "unable to process your request", "status": "error"}
    org.crm_server.faults.add(Respond(400, body), method="POST")
    ops = creates(zoho_mapping, Kind.EMERGENCY, sample_contacts(Kind.EMERGENCY, 2))
    results = list(connector.push(Kind.EMERGENCY, ops))
    assert [r.error.code for r in results if r.error] == ["INVALID_REQUEST"] * 2
    assert results[0].error is not None and results[0].error.fields == ("data",)


def test_a_record_an_incremental_read_skipped_is_still_guarded(
    org: RunningOrg, connect: Any
) -> None:
    ids = seed(connect(), Kind.EMERGENCY, 2)
    mark = list(connect().pull(Kind.EMERGENCY))[-1].cursor
    org.crm.edit(EMERGENCY, ids[1], Role="edited before the run")  # read by the run
    connector = connect(lookback_seconds=0)
    changed = records(list(connector.pull(Kind.EMERGENCY, mark)))
    assert [r.record_id for r in changed] == [ids[1]]  # ids[0] was unchanged: not returned
    org.crm.edit(EMERGENCY, ids[0], Role="edited during the run")
    ops = [WriteOp("update", f"cs-s-emergency-000{i}", {"Reviewed_By": "复核人乙"}, ids[i],
                   f"u{i}") for i in (0, 1)]
    skipped, read = connector.push(Kind.EMERGENCY, ops)
    assert skipped.error is not None and skipped.error.code == "ALREADY_MODIFIED"
    assert read.ok
    assert org.crm.store.get(EMERGENCY, ids[0]).values["Role"] == "edited during the run"  # type: ignore[union-attr]
    # Two stamps, two calls, and no read in between: the guard came from the pull.
    assert [r.method for r in org.crm_server.requests[-3:]] == ["GET", "PUT", "PUT"]

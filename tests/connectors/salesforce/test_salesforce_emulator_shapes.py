"""The emulator speaks Salesforce's true shapes: each answer is compared with the real
recorded one (same keys, JSON types, status codes and error bodies)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests
import yaml
from salesforce_helpers import REAL, real

from contactsync.testing.emulator import RunningEmulator
from contactsync.testing.shapes import assert_same_shape, shape_differences
from contactsync_salesforce.emulator import FieldSpec, ObjectSpec, SalesforceEmulator

V = "/services/data/v62.0"


@pytest.fixture
def call(app: SalesforceEmulator, server: RunningEmulator) -> Any:
    token = app.grant_session()

    def send(method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None,
             auth: bool = True, form: dict[str, str] | None = None) -> requests.Response:
        sent = {"Authorization": f"Bearer {token}"} if auth else {}
        sent.update(headers or {})
        return requests.request(method, server.url + path, json=body, data=form, headers=sent,
                                timeout=5)

    return send


def _cassette_body(name: str) -> Any:
    data = yaml.safe_load((REAL / name).read_text(encoding="utf-8"))
    return json.loads(data["interactions"][0]["response"]["body"]["string"])


def _orders(app: SalesforceEmulator, count: int) -> None:
    fields = [
        FieldSpec("Id", "id", createable=False, updateable=False, nillable=False),
        FieldSpec("SystemModstamp", "datetime", createable=False, updateable=False),
        FieldSpec("OrderNumber", "string", length=30),
        FieldSpec("AccountId", "reference", reference_to=("Account",), relationship="Account"),
        FieldSpec("Status", "picklist", length=40),
        FieldSpec("EffectiveDate", "date"),
        FieldSpec("BillToContactId", "reference", reference_to=("Contact",),
                  relationship="BillToContact"),
    ]
    app.org.replace(ObjectSpec("Order", "801", {f.name: f for f in fields}))
    account = app.find_by("Account", "Customer_Number__c", "C001")
    assert account is not None
    for n in range(count):
        app.store.insert("Order", {"OrderNumber": f"{n:08d}", "AccountId": account.id,
                                   "Status": "Draft", "EffectiveDate": "2024-11-25"})


def test_query_pages_have_the_recorded_shape(app, call) -> None:
    _orders(app, 40)
    soql = "SELECT Id, OrderNumber, AccountId, Status, EffectiveDate, BillToContactId FROM Order"
    first = call("GET", f"{V}/query/?q={requests.utils.quote(soql)}",
                 headers={"Sforce-Query-Options": "batchSize=20"})
    assert first.status_code == 200
    page1 = first.json()
    assert_same_shape(page1, real("query_page1_of_2_nextRecordsUrl.json"))
    assert re.fullmatch(rf"{V}/query/0r8[A-Za-z0-9]{{15}}-20", page1["nextRecordsUrl"])
    assert list(page1) == ["totalSize", "done", "nextRecordsUrl", "records"]
    page2 = call("GET", page1["nextRecordsUrl"]).json()
    assert_same_shape(page2, real("query_page2_of_2_last.json"))
    assert page2["done"] is True and "nextRecordsUrl" not in page2


def test_collections_upsert_results_have_the_recorded_shape(app, call) -> None:
    path = f"{V}/composite/sobjects/Contact/Email"
    existing = {"attributes": {"type": "Contact"}, "LastName": "Contact",
                "Email": "fake.contact1@example.invalid"}
    app.org.replace(app.org.objects["Contact"].with_fields(
        FieldSpec("Email", "email", length=80, external_id=True)))
    first = call("PATCH", path, body={"allOrNone": False, "records": [existing]})
    assert first.ok, first.text
    fresh = {**existing, "Email": "fake.contact2@example.invalid"}
    answer = call("PATCH", path, body={"allOrNone": False, "records": [existing, fresh]})
    assert answer.status_code == 200
    recorded = _cassette_body("collections_upsert_by_external_id_mixed_created.cassette.yaml")
    assert_same_shape(answer.json(), recorded)
    assert [item["created"] for item in answer.json()] == [False, True]


def test_all_or_none_failures_match_the_recorded_body_exactly(call) -> None:
    records = [
        {"attributes": {"type": "Contact"}, "FirstName": "Fake"},
        {"attributes": {"type": "Contact"}, "LastName": "Contact"},
    ]
    answer = call("POST", f"{V}/composite/sobjects", body={"allOrNone": True, "records": records})
    assert answer.status_code == 200
    assert answer.json() == real("collections_create_allornone_rollback.json")


def test_an_expired_session_answers_the_recorded_401(call) -> None:
    answer = call("GET", f"{V}/limits/", headers={"Authorization": "Bearer expired"})
    assert answer.status_code == 401
    assert answer.json() == real("error_invalid_session_id_401.json")


def test_the_token_endpoint_answers_the_recorded_shapes(app, call) -> None:
    app.clients["cs-client"] = "cs-secret"
    good = call("POST", "/services/oauth2/token", auth=False, form={
        "grant_type": "client_credentials", "client_id": "cs-client", "client_secret": "cs-secret"
    })
    assert good.status_code == 200
    assert_same_shape(good.json(), real("oauth_token_success.json"),
                      optional=("token_type", "scope", "api_instance_url"))
    bad = call("POST", "/services/oauth2/token", auth=False,
               form={"grant_type": "password", "client_id": "cs-client",
                     "client_secret": "cs-secret", "username": "x", "password": "y"})
    assert bad.status_code == 400
    assert_same_shape(bad.json(), real("oauth_token_error_invalid_grant.json"))
    assert bad.json()["error"] == "invalid_grant"


def test_get_deleted_and_get_updated_have_the_recorded_shapes(app, call) -> None:
    made = app.store.insert("Emergency_Contact__c", {"Name": "样例戊"})
    gone = app.store.insert("Emergency_Contact__c", {"Name": "样例己"})
    app.store.delete("Emergency_Contact__c", gone.id)
    window = {"start": "2026-01-05T07:00:00+00:00", "end": "2026-01-05T09:00:00+00:00"}
    query = "&".join(f"{k}={requests.utils.quote(v)}" for k, v in window.items())
    deleted = call("GET", f"{V}/sobjects/Emergency_Contact__c/deleted/?{query}")
    assert deleted.status_code == 200
    assert_same_shape(deleted.json(), real("get_deleted.json"))
    assert [r["id"] for r in deleted.json()["deletedRecords"]] == [gone.id]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000",
                        deleted.json()["deletedRecords"][0]["deletedDate"])
    updated = call("GET", f"{V}/sobjects/Emergency_Contact__c/updated/?{query}")
    assert_same_shape(updated.json(), real("get_updated.json"))
    assert updated.json()["ids"] == [made.id]


def test_describe_has_the_recorded_shape(call) -> None:
    answer = call("GET", f"{V}/sobjects/Emergency_Contact__c/describe")
    assert answer.status_code == 200
    recorded = real("describe_custom_object_in_composite.json")["compositeResponse"][0]["body"]
    trimmed = ("sobject", "describe", "rowTemplate")  # the recording emptied its urls
    assert shape_differences(answer.json(), recorded, optional=trimmed) == []
    fields = {f["name"]: f for f in answer.json()["fields"]}
    assert fields["Contactsync_Key__c"]["externalId"] and fields["Contactsync_Key__c"]["unique"]
    assert fields["Account__c"]["referenceTo"] == ["Account"]
    assert fields["Account__c"]["relationshipName"] == "Account__r"
    missing = call("GET", f"{V}/sobjects/Nope__c/describe")
    assert missing.status_code == 404
    assert missing.json() == [{"message": "The requested resource does not exist",
                               "errorCode": "NOT_FOUND"}]


def test_composite_subrequests_have_the_recorded_shape_and_statuses(call) -> None:
    body = {"compositeRequest": [
        {"referenceId": "refAccount", "method": "GET",
         "url": f"{V}/query/?q=select count() from Account"},
        {"referenceId": "refXYZZY", "method": "GET",
         "url": f"{V}/query/?q=select count() from XYZZY"},
    ]}
    answer = call("POST", f"{V}/composite", body=body)
    assert answer.status_code == 200
    recorded = _cassette_body("composite_subrequests_200_and_400.cassette.yaml")
    assert_same_shape(answer.json(), recorded)
    ok, refused = answer.json()["compositeResponse"]
    assert (ok["httpStatusCode"], ok["body"]["totalSize"]) == (200, 3)
    assert refused["httpStatusCode"] == 400
    assert refused["body"][0]["errorCode"] == "INVALID_TYPE"
    expected = recorded["compositeResponse"][1]["body"][0]["message"]
    assert expected.endswith(refused["body"][0]["message"])


def test_every_api_answer_carries_the_limit_figures_and_a_date(app, call) -> None:
    answer = call("GET", f"{V}/limits/")
    assert re.fullmatch(r"api-usage=\d+/100000", answer.headers["Sforce-Limit-Info"])
    assert answer.headers["Date"].endswith("GMT")
    app.api_used = app.api_limit
    over = call("GET", f"{V}/limits/")
    assert over.status_code == 403
    assert over.json() == [{"message": "TotalRequests Limit exceeded.",
                            "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


def test_malformed_soql_is_refused_like_salesforce(call) -> None:
    cases = {
        "SELECT Id FROM Account WHERE Name = 'a\\x'": "MALFORMED_QUERY",
        "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'": "MALFORMED_QUERY",
        "SELECT Id FROM Account WHERE CreatedDate > '2026-01-01T00:00:00Z'": "INVALID_FIELD",
        "SELECT Nope__c FROM Account": "INVALID_FIELD",
        "SELECT Id FROM Nope__c": "INVALID_TYPE",
    }
    for soql, code in cases.items():
        answer = call("GET", f"{V}/query/?q={requests.utils.quote(soql)}")
        assert answer.status_code == 400, soql
        assert answer.json()[0]["errorCode"] == code, soql

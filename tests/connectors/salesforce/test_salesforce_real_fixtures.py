"""The real recorded Salesforce responses (``shared/fixtures/real/salesforce``) through the
connector: the two vcrpy cassettes replayed with ``record_mode="none"``, and the recorded
JSON bodies answered by a stub transport, exactly as recorded."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import vcr
from requests.adapters import BaseAdapter
from salesforce_helpers import REAL, real

from contactsync.connector import ConnectorContext, Cursor, WriteOp
from contactsync.errors import AuthError
from contactsync.mapping import FieldMap, ObjectMapping, SystemMapping
from contactsync.models import Kind
from contactsync_salesforce import SalesforceConnector
from contactsync_salesforce.errors import parse_errors
from contactsync_salesforce.schema import LiveSchema, check_mapping, object_schema

INSTANCE = "https://orgname.my.salesforce.com"
EMPTY = {"totalSize": 0, "done": True, "records": []}
B = Kind.BUSINESS


def _mapping(obj: str, key_field: str, fields: list[str]) -> SystemMapping:
    om = ObjectMapping(
        kind=B, object=obj, key_field=key_field,
        fields={name: FieldMap(name, (name,)) for name in fields},
    )
    return SystemMapping("salesforce", "real-fixtures", {B: om})


def _connector(
    mapping: SystemMapping, session: requests.Session, version: str = "xx.0", **settings: Any
) -> SalesforceConnector:
    settings.setdefault("credentials", {"session_id": "FAKE"})
    context = ConnectorContext(
        "real", {"instance_url": INSTANCE, "api_version": version, **settings}, mapping,
        Path("."), session,
    )
    return SalesforceConnector(context, sleep=lambda seconds: None)


@pytest.fixture
def replay() -> vcr.VCR:
    return vcr.VCR(record_mode="none", match_on=["method", "scheme", "host", "port", "path",
                                                 "query", "body"])


# -- the recorded cassettes -----------------------------------------------------------------


def test_the_recorded_collections_upsert_replays_through_push(replay: vcr.VCR) -> None:
    mapping = _mapping("Contact", "Email", ["FirstName", "LastName"])
    sf = _connector(mapping, requests.Session())
    ops = [
        WriteOp("create", f"fake.contact{n}@example.invalid",
                {"FirstName": f"Fake{n}", "LastName": "Contact",
                 "Email": f"fake.contact{n}@example.invalid"})
        for n in range(1, 5)
    ]
    path = REAL / "collections_upsert_by_external_id_mixed_created.cassette.yaml"
    with replay.use_cassette(str(path)) as cassette:
        results = list(sf.push(B, ops))
    assert cassette.all_played
    assert all(r.ok for r in results)
    assert [r.record_id for r in results] == [
        "003FAKE00000003AAA", "003FAKE00000002AAA", "003FAKE00000001AAA", "003FAKE00000004AAA"
    ]


def test_the_recorded_composite_call_is_judged_per_subrequest(replay: vcr.VCR) -> None:
    sf = _connector(_mapping("Contact", "Email", ["LastName"]), requests.Session())
    urls = {
        "refAccount": "/services/data/vxx.0/query/?q=select count() from Account",
        "refXYZZY": "/services/data/vxx.0/query/?q=select count() from XYZZY",
    }
    path = REAL / "composite_subrequests_200_and_400.cassette.yaml"
    with replay.use_cassette(str(path)) as cassette:
        answers = sf.api.composite_get(urls, "the composite test")
    assert cassette.all_played
    assert answers["refAccount"][0] == 200 and answers["refAccount"][1]["totalSize"] == 17
    status, body = answers["refXYZZY"]
    assert status == 400
    assert parse_errors(body)[0].code == "INVALID_TYPE"


# -- the recorded bodies, answered by a stub ----------------------------------------------------


class Recorded(BaseAdapter):
    """Answers requests from (method, path pattern) → (status, JSON body) rules, in order;
    keeps every request it saw."""

    def __init__(self, rules: list[tuple[str, str, int, Any]]) -> None:
        super().__init__()
        self.rules = list(rules)
        self.seen: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
             ) -> requests.Response:
        self.seen.append(request)
        path = requests.utils.urlparse(request.url or "").path
        for index, (method, pattern, status, body) in enumerate(self.rules):
            if method == request.method and re.fullmatch(pattern, path or ""):
                del self.rules[index]
                response = requests.Response()
                response.status_code = status
                response._content = json.dumps(body).encode()
                response.headers["Content-Type"] = "application/json;charset=UTF-8"
                response.url = request.url or ""
                response.request = request
                return response
        raise AssertionError(f"no recorded answer for {request.method} {request.url}")

    def close(self) -> None:
        pass


def _stubbed(rules: list[tuple[str, str, int, Any]]) -> tuple[requests.Session, Recorded]:
    session = requests.Session()
    stub = Recorded(rules)
    session.mount("https://", stub)
    return session, stub


def test_recorded_query_pages_with_an_absolute_next_records_url_are_followed() -> None:
    session, stub = _stubbed([
        ("GET", r"/services/data/v62\.0/query/", 200, real("query_page1_of_2_nextRecordsUrl.json")),
        ("GET", r"/services/data/v62\.0/query/0r8xx3d3FsAvwqKAIR-20", 200,
         real("query_page2_of_2_last.json")),
    ])
    sf = _connector(_mapping("Order", "OrderNumber", ["Status"]), session, "62.0")
    pages = list(sf.pull(B))
    assert len(pages) == 2 and pages[-1].complete
    second = stub.seen[1].url or ""
    assert second == f"{INSTANCE}/services/data/v62.0/query/0r8xx3d3FsAvwqKAIR-20"
    # The recording's query did not select SystemModstamp (contactsync's always does):
    # each of its 40 records is reported with the reason, none dropped silently.
    errors = [e for p in pages for e in p.errors]
    assert len(errors) == 40 and {e.object for e in errors} == {"Order"}
    assert errors[0].record_id == "801FAKE00000001AAA" and "SystemModstamp" in errors[0].reason


def test_the_recorded_get_deleted_body_becomes_deleted_records() -> None:
    session, stub = _stubbed([
        ("GET", r"/services/data/v62\.0/query/", 200, EMPTY),
        ("GET", r"/services/data/v62\.0/sobjects/Order/deleted/", 200, real("get_deleted.json")),
    ])
    sf = _connector(_mapping("Order", "OrderNumber", ["Status"]), session, "62.0")
    since = Cursor(datetime(2013, 5, 7, 12, 0, tzinfo=UTC), None)
    pages = list(sf.pull(B, since))
    deleted = [r for p in pages for r in p.records if r.deleted]
    assert [r.record_id for r in deleted] == ["a00FAKE00000001AAA"]
    assert deleted[0].modified_at == datetime(2013, 5, 7, 22, 7, 19, tzinfo=UTC)
    assert not pages[-1].complete
    window = stub.seen[1].url or ""
    assert "start=2013-05-07T11%3A55%3A00%2B00%3A00" in window  # lookback, minute-rounded


def test_the_recorded_describe_is_read_and_checked() -> None:
    body = real("describe_custom_object_in_composite.json")["compositeResponse"][0]["body"]
    answer = {"compositeResponse": [
        {"body": body, "httpHeaders": {}, "httpStatusCode": 200,
         "referenceId": "d_TestObject15__c"},
    ]}
    session, _ = _stubbed([("POST", r"/services/data/v60\.0/composite", 200, answer)])
    mapping = _mapping("TestObject15__c", "Contactsync_Key__c", ["Name", "MailBox__c"])
    sf = _connector(mapping, session, "60.0")
    schema = sf.describe()[B]
    assert schema.fields["MailBox__c"].type == "email"
    assert schema.fields["Interests__c"].type == "multipicklist"
    assert not schema.fields["Id"].external_id


def test_the_recorded_describe_shows_what_an_admin_must_add() -> None:
    body = real("describe_custom_object_in_composite.json")["compositeResponse"][0]["body"]
    live = LiveSchema(bodies={"TestObject15__c": body})
    mapping = _mapping("TestObject15__c", "Contactsync_Key__c", ["Name", "Interests__c"])
    om = mapping.for_kind(B)
    om.fields["Interests__c"] = FieldMap("department", ("Interests__c",), "int")
    assert "Contactsync_Key__c" not in object_schema(om, live).fields  # the core reports it
    interests, required = check_mapping(B, om, live, "Account")
    assert "'Interests__c'" in interests and "is of type multipicklist" in interests
    assert required.endswith("requires field 'Birthday__c', which the mapping does not write")


def test_the_recorded_expired_session_body_makes_a_refresh_with_the_recorded_token() -> None:
    session, stub = _stubbed([
        ("POST", r"/services/oauth2/token", 200, real("oauth_token_success.json")),
        ("GET", r"/services/data/v62\.0/query/", 401, real("error_invalid_session_id_401.json")),
        ("POST", r"/services/oauth2/token", 200, real("oauth_token_success.json")),
        ("GET", r"/services/data/v62\.0/query/", 200, EMPTY),
    ])
    sf = _connector(
        _mapping("Order", "OrderNumber", ["Status"]), session, "62.0",
        login_url="https://example.my.salesforce.com",
        credentials={"client_id": "c", "client_secret": "s"},
    )
    assert list(sf.pull(B))[-1].complete
    urls = [r.url or "" for r in stub.seen]
    assert urls[-1].startswith("https://example.my.salesforce.com/services/data/v62.0/query/")
    assert stub.seen[-1].headers["Authorization"] == "Bearer 00DFAKE00000001!FAKE.ACCESS.TOKEN"


def test_the_recorded_invalid_grant_is_an_auth_error_saying_why() -> None:
    session, _ = _stubbed(
        [("POST", r"/services/oauth2/token", 400, real("oauth_token_error_invalid_grant.json"))]
    )
    sf = _connector(
        _mapping("Order", "OrderNumber", ["Status"]), session, "62.0",
        login_url="https://example.my.salesforce.com",
        credentials={"client_id": "c", "client_secret": "not-this-one"},
    )
    with pytest.raises(AuthError, match="invalid_grant: authentication failure - Invalid Password"):
        list(sf.pull(B))


def test_a_recorded_whole_call_error_fails_each_record_with_its_fields() -> None:
    session, _ = _stubbed([
        ("PATCH", r"/services/data/v62\.0/composite/sobjects/Contact/Email", 400,
         real("error_duplicate_value.json")),
    ])
    sf = _connector(_mapping("Contact", "Email", ["LastName"]), session, "62.0")
    ops = [WriteOp("create", f"p{n}@example.invalid", {"LastName": "Fake"}) for n in range(2)]
    results = list(sf.push(B, ops))
    assert [r.ok for r in results] == [False, False]
    error = results[0].error
    assert error is not None and error.code == "DUPLICATE_VALUE"
    assert error.fields == ("AssigneeId", "PermissionSetId")


def test_recorded_per_record_errors_map_back_by_position() -> None:
    session, _ = _stubbed([
        ("PATCH", r"/services/data/v62\.0/composite/sobjects/Contact/Email", 200,
         real("collections_create_allornone_rollback.json")),
    ])
    sf = _connector(_mapping("Contact", "Email", ["LastName"]), session, "62.0")
    ops = [WriteOp("create", f"p{n}@example.invalid", {"LastName": "Fake"}) for n in range(2)]
    first, second = sf.push(B, ops)
    assert first.error is not None and first.error.code == "REQUIRED_FIELD_MISSING"
    assert first.error.fields == ("LastName",)
    assert second.error is not None and second.error.code == "ALL_OR_NONE_OPERATION_ROLLED_BACK"

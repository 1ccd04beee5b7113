"""The emulator speaks Zoho's true shapes: each real recorded answer in
``shared/fixtures/real/zoho`` is provoked from the emulator the same way, and the two are
compared by status code, keys (at every depth) and value types."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from zoho_helpers import REAL_FIXTURES

from contactsync_zoho.emulator import CREDENTIALS, FieldSpec, RunningOrg, module, serve_org

LEADS = module("Leads", "Last_Name", (
    FieldSpec("Address_1_Coordinates_Latitude", "double", 50),
    FieldSpec("Company", "text", 200, custom=False),
    FieldSpec("First_Name", "text", 40, custom=False),
    FieldSpec("Last_Name", "text", 80, mandatory=True, custom=False),
    FieldSpec("Email", "email", 100, custom=False),
    FieldSpec("Phone", "phone", 30, custom=False),
    FieldSpec("Lead_Status", "picklist", 120, custom=False),
    FieldSpec("Unique_1", "text", 100, unique=True),
))
LEAD = {"Company": "Fake Company Ltd", "First_Name": "Fakefirst", "Last_Name": "Fakelast",
        "Email": "lead@example.com", "Phone": "+1-555-000-0100", "Lead_Status": "Not Contacted"}


class Shape:
    """Every dict path's key sets and every value path's types in a JSON document."""

    def __init__(self, document: Any) -> None:
        self.keys: dict[str, list[frozenset[str]]] = defaultdict(list)
        self.types: dict[str, set[str]] = defaultdict(set)
        self._walk(document, "$")

    def _walk(self, node: Any, path: str) -> None:
        self.types[path].add(_type(node))
        if isinstance(node, dict):
            self.keys[path].append(frozenset(node))
            for key, value in node.items():
                self._walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for item in node:
                self._walk(item, f"{path}[]")

    def differences(self, emulated: Shape) -> Iterator[str]:
        """What the emulated document has that this (the real one) does not allow."""
        for path, key_sets in emulated.keys.items():
            real = self.keys.get(path)
            if not real:
                yield f"{path}: an object where the real answer has none"
                continue
            allowed, required = frozenset().union(*real), frozenset.intersection(*real)
            for keys in key_sets:
                if keys - allowed:
                    yield f"{path}: keys {sorted(keys - allowed)} the real answer never has"
                if required - keys:
                    yield f"{path}: lacks keys {sorted(required - keys)} the real answer has"
        for path, types in emulated.types.items():
            if path in self.types and not types <= self.types[path]:
                allowed_types = sorted(self.types[path])
                yield f"{path}: {sorted(types)} where the real answer has {allowed_types}"
        missing = [p for p in self.types if p not in emulated.types and "[]" not in p]
        for path in missing:
            yield f"{path}: in the real answer, not in the emulated one"


def _type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list",
            dict: "dict"}[type(value)]


def real(name: str) -> Any:
    return json.loads((REAL_FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def leads() -> Iterator[tuple[RunningOrg, requests.Session, str]]:
    with serve_org(modules=[LEADS]) as org:
        session = requests.Session()
        token = session.post(f"{org.accounts_server.url}/oauth/v2/token",
                             data={"grant_type": "refresh_token", **CREDENTIALS}).json()
        session.headers["Authorization"] = f"Zoho-oauthtoken {token['access_token']}"
        yield org, session, f"{token['api_domain']}/crm/v8"
        session.close()


def assert_same_shape(name: str, status: int, response: requests.Response) -> None:
    expected_status = {"200": 200, "207": 207, "400": 400, "401": 401}.get(
        next((p for p in name.split("_") if p.isdigit()), "200"), 200
    )
    assert status == expected_status == response.status_code, (name, response.status_code)
    problems = list(Shape(real(name)).differences(Shape(response.json())))
    assert problems == [], f"{name}: " + "; ".join(problems)


def test_the_fixture_folder_holds_what_these_tests_compare() -> None:
    names = sorted(p.stem for p in REAL_FIXTURES.glob("*.json"))
    assert names == sorted(CASES)


def _create_207(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    return s.post(f"{api}/Leads", json={"data": [LEAD, {**LEAD, "Last_Nam": "x"}]})


def _duplicate_400(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    s.post(f"{api}/Leads", json={"data": [{**LEAD, "Unique_1": "U-1"}]})
    return s.post(f"{api}/Leads", json={"data": [{**LEAD, "Unique_1": "U-1"}]})


def _mandatory_400(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    return s.post(f"{api}/Leads", json={"data": [{"Company": "Fake Company Ltd"}]})


def _invalid_token_401(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    org.crm.tokens.expire_all()
    return s.get(f"{api}/Leads", params={"fields": "Company"})


def _scope_401(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    org.crm.deny("^/Leads")
    return s.get(f"{api}/Leads", params={"fields": "Company"})


def _deleted(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    ids = [org.crm.add("Leads", **LEAD) for _ in range(3)]
    s.delete(f"{api}/Leads", params={"ids": ",".join(ids[:2])})
    return s.get(f"{api}/Leads/deleted", params={"type": "all"})


def _fields(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    answer = s.get(f"{api}/settings/fields", params={"module": "Leads"})
    body = answer.json()
    # The recorded answer holds three fields of Leads: compare those three kinds.
    body["fields"] = [f for f in body["fields"]
                      if f["api_name"] in ("Address_1_Coordinates_Latitude", "Owner", "Company")]
    answer._content = json.dumps(body).encode()
    return answer


def _page_token(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    for _ in range(7):
        org.crm.add("Leads", **LEAD)
    fields = "Owner,Company,First_Name,Last_Name,Email,Phone,Lead_Status,Created_Time,Modified_Time"
    return s.get(f"{api}/Leads", params={"fields": fields, "per_page": 5})


def _legacy_token(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    org.accounts.legacy_expiry = True
    return requests.post(f"{org.accounts_server.url}/oauth/v2/token",
                         data={"grant_type": "refresh_token", **CREDENTIALS})


def _upsert_207(org: RunningOrg, s: requests.Session, api: str) -> requests.Response:
    return s.post(f"{api}/Leads/upsert", json={
        "data": [LEAD, {**LEAD, "Email": "other@example.com", "Company": 42}],
        "duplicate_check_fields": ["Email"],
    })


CASES = {
    "create_records_207_mixed": (207, _create_207),
    "create_records_400_duplicate_data": (400, _duplicate_400),
    "create_records_400_mandatory_not_found": (400, _mandatory_400),
    "error_401_invalid_token": (401, _invalid_token_401),
    "error_401_oauth_scope_mismatch": (401, _scope_401),
    "get_deleted_records": (200, _deleted),
    "get_fields_metadata_leads": (200, _fields),
    "get_records_page_token": (200, _page_token),
    "oauth_token_response_legacy_expires_in_ms": (200, _legacy_token),
    "upsert_records_207_mixed": (207, _upsert_207),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_emulator_answers_like_the_real_api(
    name: str, leads: tuple[RunningOrg, requests.Session, str]
) -> None:
    org, session, api = leads
    status, provoke = CASES[name]
    assert_same_shape(name, status, provoke(org, session, api))


def test_the_comparison_catches_a_wrong_shape() -> None:
    wrong = {"data": [{"code": "SUCCESS", "details": {"id": 2}, "status": "success"}]}
    problems = list(Shape(real("create_records_207_mixed")).differences(Shape(wrong)))
    assert any("lacks keys ['message']" in p for p in problems)
    assert any("details.id: ['int']" in p for p in problems)

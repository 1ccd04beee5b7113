"""The emulator speaks the vendor's shapes: each answer against the documented one."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import requests
from example_crm_emulator import SCHEMAS, TOKEN

from contactsync.testing.emulator import RunningEmulator
from contactsync.testing.shapes import assert_same_shape

REFERENCE = Path(__file__).with_name("reference")
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def reference(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((REFERENCE / f"{name}.json").read_text(encoding="utf-8"))
    return data


def check(answer: requests.Response, name: str, optional: Iterable[str] = ()) -> None:
    documented = reference(name)
    assert answer.status_code == documented["status"]
    assert_same_shape(answer.json(), documented["body"], optional=optional)


def upsert(crm: RunningEmulator, records: list[dict[str, Any]]) -> requests.Response:
    body = {"external_id_field": "cs_key", "records": records}
    return requests.post(
        f"{crm.url}/v1/objects/contacts/records/upsert", json=body, headers=AUTH, timeout=5
    )


GOOD = {
    "cs_key": "cs-1",
    "account_no": "C1",
    "full_name": "Alex Example",
    "mobile": "+12025550143",
    "job_title": "Buyer",
    "department": "Purchasing",
}


def test_describe(crm: RunningEmulator) -> None:
    check(
        requests.get(f"{crm.url}/v1/objects/contacts/describe", headers=AUTH, timeout=5), "describe"
    )


def test_records_and_upsert_results(crm: RunningEmulator) -> None:
    check(upsert(crm, [GOOD, {**GOOD, "cs_key": "cs-2", "email": "nope"}]), "upsert_results")
    upsert(crm, [{**GOOD, "cs_key": "cs-3"}])
    listed = requests.get(
        f"{crm.url}/v1/objects/contacts/records", params={"limit": 1}, headers=AUTH, timeout=5
    )
    check(
        listed, "list_records", optional=SCHEMAS["contacts"]
    )  # a record holds its object's fields
    assert listed.json()["next_cursor"]


def test_deleted_feed_and_delete_results(crm: RunningEmulator) -> None:
    upsert(crm, [GOOD])
    body = {"external_id_field": "cs_key", "external_ids": ["cs-1", "cs-0000"]}
    check(
        requests.post(
            f"{crm.url}/v1/objects/contacts/records/delete", json=body, headers=AUTH, timeout=5
        ),
        "delete_results",
    )
    feed = requests.get(
        f"{crm.url}/v1/objects/contacts/deleted",
        params={"since": "2026-01-01T00:00:00Z"},
        headers=AUTH,
        timeout=5,
    )
    check(feed, "list_deleted")


@pytest.mark.parametrize(
    ("name", "call"),
    [
        (
            "error_unauthorized",
            lambda url: requests.get(f"{url}/v1/objects/contacts/describe", timeout=5),
        ),
        (
            "error_feed_expired",
            lambda url: requests.get(
                f"{url}/v1/objects/contacts/deleted",
                params={"since": "2020-01-01T00:00:00Z"},
                headers=AUTH,
                timeout=5,
            ),
        ),
    ],
)
def test_errors(crm: RunningEmulator, name: str, call: Any) -> None:
    check(call(crm.url), name)


def test_batch_too_large(crm: RunningEmulator) -> None:
    check(upsert(crm, [{**GOOD, "cs_key": f"cs-{i}"} for i in range(51)]), "error_batch_too_large")

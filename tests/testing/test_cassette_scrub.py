"""Scrubbers: secrets out, stable fakes in, and a scrubbed cassette still guard-clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from vcr.request import Request

from contactsync.testing.cassettes import REDACTED, Scrubber, scan_cassette
from contactsync.testing.fakes import fake_email, fake_phone, is_fake_email, is_fake_phone


def request(uri: str, body: str | None = None, **headers: str) -> Request:
    return Request("POST", uri, body.encode() if body is not None else None, headers)


def response(body: str, **headers: str) -> dict[str, Any]:
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {k.replace("_", "-"): [v] for k, v in headers.items()},
        "body": {"string": body.encode()},
    }


def test_authorization_and_cookies_are_redacted() -> None:
    scrubbed = Scrubber().request(
        request("https://api.example.test/v1", Authorization="Bearer abc.def.ghi", Cookie="sid=xyz")
    )
    assert scrubbed.headers["Authorization"] == REDACTED
    assert scrubbed.headers["Cookie"] == REDACTED
    out = Scrubber().response(response("{}", Set_Cookie="sid=xyz; Path=/"))
    assert out["headers"]["Set-Cookie"] == [REDACTED]


def test_token_fields_are_redacted_in_json_and_form_bodies() -> None:
    form = "grant_type=refresh_token&refresh_token=1000.abc&client_id=cid&client_secret=shh"
    scrubbed = Scrubber().request(
        request(
            "https://accounts.example.test/oauth/token",
            form,
            **{"Content-Type": "application/x-www-form-urlencoded"},
        )
    )
    body = scrubbed.body.decode()
    assert "refresh_token=%3Credacted%3E" in body and "client_secret=%3Credacted%3E" in body
    assert "grant_type=refresh_token" in body and "client_id=cid" in body
    token = json.dumps(
        {
            "access_token": "ya29.x",
            "instance_url": "https://acme.my.salesforce.com",
            "id": "https://login.salesforce.com/id/00D5g000004ABCDEAQ/0055g00000ABCDEAAY",
        }
    )
    data = json.loads(Scrubber().response(response(token))["body"]["string"])
    assert data["access_token"] == REDACTED
    assert data["instance_url"] == "https://example.my.salesforce.com"
    assert "00D5g000004ABCDEAQ" not in data["id"] and "00D000000000000AAA" in data["id"]


def test_query_string_secrets_and_base_url_replacements() -> None:
    scrubber = Scrubber().replacing({"http://127.0.0.1:54321": "http://emulator.test"})
    scrubbed = scrubber.request(request("http://127.0.0.1:54321/v1/x?access_token=abc&limit=2"))
    assert scrubbed.uri == "http://emulator.test/v1/x?access_token=%3Credacted%3E&limit=2"


def test_personal_data_becomes_stable_fakes_and_fakes_stay() -> None:
    body = json.dumps(
        {
            "records": [
                {
                    "full_name": "王伟",
                    "mobile": "13912345678",
                    "email": "wang.wei@corp.cn",
                    "notes": "call +86 139 1234 5678",
                },
                {"full_name": "测试甲", "mobile": "+8613800138001", "email": "a@example.com"},
            ]
        },
        ensure_ascii=False,
    )
    first = json.loads(Scrubber().response(response(body))["body"]["string"])
    again = json.loads(Scrubber().response(response(body))["body"]["string"])
    assert first == again  # stable: the same input always gives the same fakes
    real, fake = first["records"]
    assert real["full_name"] != "王伟" and real["mobile"] == fake_phone("13912345678")
    assert is_fake_phone(real["mobile"]) and is_fake_email(real["email"])
    assert real["email"] == fake_email("wang.wei@corp.cn")
    assert "139 1234 5678" not in real["notes"]
    assert fake == {"full_name": "测试甲", "mobile": "+8613800138001", "email": "a@example.com"}


def test_an_unchanged_body_is_left_byte_for_byte() -> None:
    body = '{"b": 1,   "a": "测试甲"}'
    out = Scrubber().response(response(body))
    assert out["body"]["string"] == body.encode()


def test_a_scrubbed_dirty_interaction_passes_the_guard(tmp_path: Path) -> None:
    scrubber = Scrubber()
    sent = scrubber.request(
        request(
            "https://acme.my.salesforce.com/services/data/v62.0/query?q=x",
            json.dumps({"Phone": "13912345678", "Email": "li@corp.cn", "password": "pw123456"}),
            Authorization="Bearer 00D5g000004ABCD!AQ8AQJ2wT0p3c7hE",
        )
    )
    got = scrubber.response(
        response(
            json.dumps(
                {"refresh_token": "5Aep861", "Name": "李雷", "MobilePhone": "+1 415 555 2671"}
            )
        )
    )
    cassette = {
        "interactions": [
            {
                "request": {
                    "method": sent.method,
                    "uri": sent.uri,
                    "body": sent.body.decode(),
                    "headers": {k: [v] for k, v in sent.headers.items()},
                },
                "response": {**got, "body": {"string": got["body"]["string"].decode()}},
            }
        ],
        "version": 1,
    }
    path = tmp_path / "scrubbed.yaml"
    path.write_text(yaml.safe_dump(cassette, allow_unicode=True))
    assert scan_cassette(path) == []

"""The cassette guard: no committed cassette holds a secret or real personal data.

``test_committed_cassettes_are_clean`` walks every cassette under ``cassettes/`` and
``examples/*/cassettes/``; the other tests show the guard finds each kind of leak in a
deliberately dirty cassette written in ``tmp_path``, and passes a scrubbed one.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest
import yaml

from contactsync.testing.cassettes import REDACTED, Leak, repository_cassettes, scan_cassette

REPO = Path(__file__).resolve().parents[2]


def test_committed_cassettes_are_clean() -> None:
    cassettes = repository_cassettes(REPO)
    # Not vacuous: the example connector's cassettes are among them.
    assert any("connector-example" in str(p) for p in cassettes), cassettes
    leaks = [leak for path in cassettes for leak in scan_cassette(path)]
    assert leaks == [], "\n".join(str(leak) for leak in leaks)


def interaction(
    *,
    uri: str = "http://emulator.test/v1/objects/contacts/records",
    request_headers: dict[str, list[str]] | None = None,
    request_body: str | None = None,
    response_headers: dict[str, list[str]] | None = None,
    response_body: str | bytes = '{"records": []}',
) -> dict[str, object]:
    return {
        "request": {
            "method": "POST",
            "uri": uri,
            "body": request_body,
            "headers": request_headers or {"Content-Type": ["application/json"]},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": response_headers or {"Content-Type": ["application/json"]},
            "body": {"string": response_body},
        },
    }


def write(path: Path, *interactions: dict[str, object]) -> Path:
    path.write_text(
        yaml.safe_dump({"interactions": list(interactions), "version": 1}, allow_unicode=True)
    )
    return path


def kinds(leaks: list[Leak]) -> list[str]:
    return sorted({leak.kind for leak in leaks})


def test_a_clean_cassette_passes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "clean.yaml",
        interaction(
            request_headers={"Authorization": [f"Bearer {REDACTED}"]},
            request_body=json.dumps(
                {"name": "测试甲", "mobile": "+8613800138001", "email": "a@example.com"}
            ),
            response_body=json.dumps(
                {
                    "access_token": REDACTED,
                    "id": "r000001",
                    "modified_at": "2026-01-05T08:00:01+00:00",
                }
            ),
        ),
    )
    assert scan_cassette(path) == []


@pytest.mark.parametrize(
    ("dirty", "kind"),
    [
        pytest.param(
            interaction(request_headers={"Authorization": ["Bearer 00Dxx!AQ8AQJ2wT0p3c7hE"]}),
            "bearer token",
            id="bearer-header",
        ),
        pytest.param(
            interaction(request_headers={"Authorization": ["Basic dXNlcjpzZWNyZXQ="]}),
            "secret field 'Authorization'",
            id="authorization-header",
        ),
        pytest.param(
            interaction(
                response_body='{"access_token": "ya29.a0AfH6SMBx", "token_type": "Bearer"}'
            ),
            "secret field 'access_token'",
            id="access-token-json",
        ),
        pytest.param(
            interaction(response_body=json.dumps({"data": {"refresh_token": "1000.9f2c"}})),
            "secret field 'refresh_token'",
            id="refresh-token-nested",
        ),
        pytest.param(
            interaction(
                request_body="grant_type=client_credentials&client_id=abc&client_secret=s3cr3t-value"
            ),
            "secret field 'client_secret'",
            id="client-secret-form",
        ),
        pytest.param(
            interaction(request_body="username=a%40example.com&password=hunter2hunter2"),
            "secret field 'password'",
            id="password-form",
        ),
        pytest.param(
            interaction(uri="https://login.example.test/token?access_token=abcdef123456"),
            "secret field 'access_token'",
            id="token-in-query",
        ),
        pytest.param(
            interaction(
                response_body='{"id_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig"}'
            ),
            "JWT",
            id="jwt",
        ),
        pytest.param(
            interaction(response_body='{"mobile": "13912345678"}'),
            "phone number that is not a fake",
            id="real-mobile",
        ),
        pytest.param(
            interaction(request_body='{"Phone": "+1 415 555 2671"}'),
            "phone number that is not a fake",
            id="real-us-phone",
        ),
        pytest.param(
            interaction(response_body='{"email": "wang.wei@corp-customer.cn"}'),
            "e-mail that is not a fake",
            id="real-email",
        ),
        pytest.param(
            interaction(response_headers={"Set-Cookie": ["sid=00D5g000004ABCD!AQ0AQKx"]}),
            "secret field 'Set-Cookie'",
            id="cookie",
        ),
    ],
)
def test_the_guard_fails_a_dirty_cassette(
    tmp_path: Path, dirty: dict[str, object], kind: str
) -> None:
    path = write(tmp_path / "dirty.yaml", dirty)
    leaks = scan_cassette(path)
    assert kind in kinds(leaks), leaks
    secret_like = ("ya29.a0AfH6SMBx", "hunter2hunter2", "s3cr3t-value", "13912345678")
    assert not any(s in str(leak) for leak in leaks for s in secret_like)  # masked in messages


def test_the_guard_reads_compressed_and_binary_bodies(tmp_path: Path) -> None:
    packed = gzip.compress(b'{"refresh_token": "1000.abcdef", "phone": "13912345678"}')
    path = tmp_path / "packed.yaml"
    body = "!!binary |\n          " + base64.b64encode(packed).decode()
    path.write_text(
        "interactions:\n- request: {method: GET, uri: 'http://emulator.test/x', "
        "body: null, headers: {}}\n"
        "  response:\n    status: {code: 200, message: OK}\n    headers: {}\n    body:\n"
        f"      string: {body}\nversion: 1\n"
    )
    assert {"secret field 'refresh_token'", "phone number that is not a fake"} <= set(
        kinds(scan_cassette(path))
    )


def test_the_guard_reads_json_cassettes(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps({"interactions": [interaction(response_body='{"password": "pa55word!"}')]})
    )
    assert kinds(scan_cassette(path)) == ["secret field 'password'"]


def test_the_repository_walk_finds_both_places(tmp_path: Path) -> None:
    (tmp_path / "cassettes" / "vendor").mkdir(parents=True)
    (tmp_path / "examples" / "thing" / "cassettes").mkdir(parents=True)
    write(tmp_path / "cassettes" / "vendor" / "a.yaml", interaction())
    write(tmp_path / "examples" / "thing" / "cassettes" / "b.yml", interaction())
    (tmp_path / "examples" / "thing" / "notes.yaml").write_text("not a cassette place")
    found = [p.relative_to(tmp_path).as_posix() for p in repository_cassettes(tmp_path)]
    assert found == ["cassettes/vendor/a.yaml", "examples/thing/cassettes/b.yml"]

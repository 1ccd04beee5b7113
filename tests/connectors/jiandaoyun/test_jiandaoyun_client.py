"""Transport: JSON POSTs with the key in the header and timeouts on every call; errors
(HTTP 400 ``{code, msg}``) retried, or raised naming the code and what it means."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import requests
from jiandaoyun_helpers import FakeTime, make_connector

from contactsync.errors import AuthError, ConfigError, RetryableError
from contactsync.models import Kind
from contactsync.testing.emulator import CommitThenDrop, Respond, RunningEmulator
from contactsync_jiandaoyun import JiandaoyunConnector
from contactsync_jiandaoyun.codes import JiandaoyunError, TransientError
from contactsync_jiandaoyun.emulator import TEST_API_KEY, JiandaoyunEmulator, api_error

WIDGETS = r".*/widget/list"


class RecordingSession(requests.Session):
    """A session that keeps the keyword arguments of every request it sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[dict[str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        self.sent.append({"method": method, "url": url, **kwargs})
        return super().request(method, url, *args, **kwargs)


def test_every_call_is_a_json_post_with_the_bearer_key_and_timeouts(
    server: RunningEmulator, fake_time: FakeTime
) -> None:
    session = RecordingSession()
    connector = make_connector(
        f"{server.url}/api",
        fake_time,
        session=session,
        timeout_seconds=12,
        connect_timeout_seconds=3,
    )
    list(connector.pull(Kind.EMERGENCY))
    assert [s["method"] for s in session.sent] == ["POST", "POST"]
    assert all(s["timeout"] == (3.0, 12.0) for s in session.sent)
    assert session.sent[0]["url"] == f"{server.url}/api/v5/app/entry/widget/list"
    for seen in server.requests:
        headers = dict(seen.headers)
        assert headers["Authorization"] == f"Bearer {TEST_API_KEY}"
        assert headers["Content-Type"].startswith("application/json")
        assert json.loads(seen.body)["app_id"] == connector.settings.app_id


def test_8303_and_8304_bursts_are_waited_out(
    connector: JiandaoyunConnector, server: RunningEmulator, fake_time: FakeTime
) -> None:
    server.faults.add(api_error(8303), api_error(8304), api_error(8303), path=WIDGETS)
    schema = connector.schema(Kind.EMERGENCY, fresh=True)
    assert "contactsync_key" in schema.widgets
    assert [f.method for f in server.faults.fired] == ["POST"] * 3
    assert len(fake_time.slept) == 3
    assert all(wait >= 1.0 for wait in fake_time.slept)  # the guide: wait 1 s and retry
    assert connector.client.calls == 4


@pytest.mark.parametrize(
    "fault",
    [
        Respond(429, body={"code": 429, "msg": "too many"}, retry_after=7),
        Respond(502, body="Bad Gateway"),
        api_error(9007, "请稍后重试"),
        api_error(4012, "请稍后重试"),
        Respond(200, body="<html>cut</html>"),
    ],
    ids=["429", "502", "9007", "4012", "malformed"],
)
def test_passing_faults_are_retried(
    connector: JiandaoyunConnector, server: RunningEmulator, fake_time: FakeTime, fault: Respond
) -> None:
    server.faults.add(fault, path=WIDGETS)
    connector.schema(Kind.EMERGENCY, fresh=True)
    assert server.faults.pending == 0 and len(fake_time.slept) == 1
    if fault.retry_after:
        assert fake_time.slept == [7.0]  # Retry-After honoured


@pytest.mark.parametrize(("header", "waited"), [("inf", 300.0), ("86400", 300.0),
                                               ("nan", None), ("soon", None)])
def test_a_retry_after_beyond_reason_is_capped(
    connector: JiandaoyunConnector, server: RunningEmulator, fake_time: FakeTime,
    header: str, waited: float | None,
) -> None:
    server.faults.add(
        Respond(429, body={"code": 429, "msg": "too many"}, headers=(("Retry-After", header),)),
        path=WIDGETS,
    )
    connector.schema(Kind.EMERGENCY, fresh=True)
    (wait,) = fake_time.slept
    if waited is None:  # unreadable: the usual backoff
        assert 0 < wait <= connector.settings.max_wait_seconds
    else:
        assert wait == waited


def test_a_connection_dropped_before_the_answer_is_retried(
    connector: JiandaoyunConnector, server: RunningEmulator
) -> None:
    server.faults.add(CommitThenDrop(hold=False), path=WIDGETS)
    connector.schema(Kind.EMERGENCY, fresh=True)
    assert [r.fault for r in server.requests] == ["CommitThenDrop", None]


def test_retries_end_with_a_retryable_error_naming_the_code(
    connector: JiandaoyunConnector, server: RunningEmulator, fake_time: FakeTime
) -> None:
    server.faults.add(*[api_error(8304)] * 6, path=WIDGETS)
    with pytest.raises(RetryableError) as raised:
        connector.schema(Kind.EMERGENCY, fresh=True)
    assert isinstance(raised.value, TransientError)
    assert "jiandaoyun error 8304 (this interface's request frequency limit is exceeded)" in str(
        raised.value
    )
    assert len(fake_time.slept) == 5  # six calls: max_attempts


def test_backoff_grows_and_is_capped(server: RunningEmulator, fake_time: FakeTime) -> None:
    connector = make_connector(f"{server.url}/api", fake_time, max_wait_seconds=3)
    server.faults.add(*[Respond(502)] * 5, path=WIDGETS)
    connector.schema(Kind.EMERGENCY, fresh=True)
    waits = fake_time.slept
    assert waits[0] < waits[1] < waits[2] and max(waits) == 3.0


def test_an_unknown_error_names_its_code_and_the_vendors_words(
    connector: JiandaoyunConnector, server: RunningEmulator
) -> None:
    server.faults.add(api_error(1, "The request is invalid."), path=WIDGETS)
    with pytest.raises(JiandaoyunError) as raised:
        connector.schema(Kind.EMERGENCY, fresh=True)
    assert raised.value.code == "1" and raised.value.status == 400
    assert str(raised.value) == (
        "jiandaoyun error 1 on app/entry/widget/list: The request is invalid."
    )


def test_a_crm_template_form_is_a_configuration_error(
    connector: JiandaoyunConnector, emulator: JiandaoyunEmulator
) -> None:
    emulator.forms[connector.forms[Kind.EMERGENCY].entry_id].template = True
    with pytest.raises(ConfigError, match=r"30002.*built-in CRM template.*ordinary forms"):
        list(connector.pull(Kind.EMERGENCY))


def test_a_refused_key_is_an_auth_error_that_never_shows_the_key(
    server: RunningEmulator, fake_time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "not-the-key-0123456789"
    connector = make_connector(f"{server.url}/api", fake_time, credentials={"api_key": secret})
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as raised:
        connector.schema(Kind.EMERGENCY, fresh=True)
    assert "the API key was refused" in str(raised.value)
    assert secret not in str(raised.value) and secret not in caplog.text


def test_retries_are_logged_without_the_key(
    connector: JiandaoyunConnector, server: RunningEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="contactsync_jiandaoyun")
    server.faults.add(api_error(8303), path=WIDGETS)
    connector.schema(Kind.EMERGENCY, fresh=True)
    assert "8303" in caplog.text and TEST_API_KEY not in caplog.text

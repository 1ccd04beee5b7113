"""Fixtures for the jiandaoyun tests: the emulator served on 127.0.0.1, a fake clock, and
the connector pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from jiandaoyun_helpers import FakeTime, make_connector, seeded_emulator

from contactsync.testing.emulator import RunningEmulator, serve
from contactsync_jiandaoyun import JiandaoyunConnector
from contactsync_jiandaoyun.emulator import JiandaoyunEmulator


@pytest.fixture
def emulator() -> JiandaoyunEmulator:
    """The standard forms, customers C001..C003 in the customer form."""
    return seeded_emulator()


@pytest.fixture
def server(emulator: JiandaoyunEmulator) -> Iterator[RunningEmulator]:
    with serve(emulator) as running:
        yield running


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def connector(server: RunningEmulator, fake_time: FakeTime) -> Iterator[JiandaoyunConnector]:
    built = make_connector(f"{server.url}/api", fake_time)
    yield built
    built.close()
    assert built.context.session is not None
    built.context.session.close()

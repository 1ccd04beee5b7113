"""Fixtures for the Salesforce connector tests: an emulator served on 127.0.0.1 per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from salesforce_helpers import REAL, make_emulator

from contactsync.testing.emulator import RunningEmulator, serve
from contactsync_salesforce.emulator import SalesforceEmulator


@pytest.fixture
def app() -> SalesforceEmulator:
    return make_emulator()


@pytest.fixture
def server(app: SalesforceEmulator) -> Iterator[RunningEmulator]:
    with serve(app, drop_wait=2.0) as running:
        yield running


@pytest.fixture(scope="session", autouse=True)
def _real_fixtures_present() -> None:
    if not REAL.is_dir():
        pytest.fail(f"the shared Salesforce fixtures are missing: expected them at {REAL}")

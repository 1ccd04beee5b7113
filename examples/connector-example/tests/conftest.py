"""The example's tests: its plugin is allowed, the emulator is served per test.

contactsync's pytest plugin keeps installed plugins from loading under tests
(``CONTACTSYNC_LOAD_PLUGINS=""``); a plugin's own tests allow it by name, here
``example_crm``, and forget the process-wide plugin host before and after.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from example_crm_emulator import ExampleCrm

from contactsync.plugins import reset_host
from contactsync.testing.emulator import RunningEmulator

PLUGIN = "example_crm"


@pytest.fixture(autouse=True)
def allow_the_plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CONTACTSYNC_LOAD_PLUGINS", PLUGIN)
    reset_host()
    yield
    reset_host()


@pytest.fixture
def crm(emulator_server: Callable[..., RunningEmulator]) -> RunningEmulator:
    """A fresh Example CRM on 127.0.0.1."""
    return emulator_server(ExampleCrm(), drop_wait=2.0)

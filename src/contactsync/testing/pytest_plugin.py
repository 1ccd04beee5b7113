"""The pytest plugin contactsync ships (entry point ``pytest11``).

It keeps tests hermetic: installed third-party contactsync plugins are not auto-loaded
(``CONTACTSYNC_LOAD_PLUGINS`` is set to empty unless the test run set it). A test that
needs a plugin allows it by name (``monkeypatch.setenv("CONTACTSYNC_LOAD_PLUGINS",
"example_crm")``) and calls ``contactsync.plugins.reset_host()``.

Fixtures for connector authors:

* ``emulator_server``: ``emulator_server(app)`` serves a WSGI emulator on 127.0.0.1 and
  stops it at teardown; returns the ``RunningEmulator`` (``url``, ``faults``, ``requests``).
* ``plugin_host``: ``plugin_host(("name", plugin), ...)`` is a ``PluginHost`` with the
  built-ins and the given in-process plugins only (no entry points).
* ``record_cassettes``: whether this run re-records (``CONTACTSYNC_RECORD=1``).

Marker: ``@pytest.mark.cassette`` for tests that replay a cassette.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from contactsync.plugins import PluginHost
    from contactsync.testing.emulator import RunningEmulator


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("CONTACTSYNC_LOAD_PLUGINS", "")
    config.addinivalue_line(
        "markers", "cassette: replays a recorded cassette (re-record with CONTACTSYNC_RECORD=1)"
    )


@pytest.fixture
def emulator_server() -> Iterator[Callable[..., RunningEmulator]]:
    """Serve emulators for one test: ``emulator_server(app, drop_wait=1.0)``."""
    from contactsync.testing.emulator import EmulatorServers

    with EmulatorServers() as servers:
        yield servers


@pytest.fixture
def plugin_host() -> Callable[..., PluginHost]:
    """Build a hermetic ``PluginHost``: built-ins plus the ``(name, plugin)`` pairs given."""
    from contactsync.plugins import PluginHost

    def build(*plugins: tuple[str, object]) -> PluginHost:
        host = PluginHost(extra_plugins=plugins, entry_points=False)
        assert host.load_errors == [], host.load_errors
        return host

    return build


@pytest.fixture
def record_cassettes() -> bool:
    """``True`` when this run records cassettes afresh (``CONTACTSYNC_RECORD=1``)."""
    return os.environ.get("CONTACTSYNC_RECORD", "").strip() not in ("", "0")

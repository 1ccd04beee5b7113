"""The pytest plugin contactsync ships (entry point ``pytest11``).

It keeps tests hermetic: installed third-party contactsync plugins are not auto-loaded
(``CONTACTSYNC_LOAD_PLUGINS`` is set to empty unless the test run set it).
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("CONTACTSYNC_LOAD_PLUGINS", "")

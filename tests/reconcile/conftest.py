"""Fixtures for the reconcile tests: workspaces built from rows in ``tmp_path``.

The builders themselves are in ``tests/reconcile_helpers.py`` (shared with the policy
tests); this file only hands them out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from contactsync.plugins import PluginHost
from reconcile_helpers import Scenario


@pytest.fixture
def scenario(tmp_path: Path) -> Callable[..., Scenario]:
    """A new, empty workspace folder under ``tmp_path`` each call."""
    made: list[Scenario] = []

    def make(**options: Any) -> Scenario:
        built = Scenario(tmp_path / f"workspace{len(made)}", **options)
        made.append(built)
        return built

    return make


@pytest.fixture(scope="session")
def host() -> PluginHost:
    """A plugin host with the built-ins only (for unit tests of match and merge)."""
    return PluginHost()

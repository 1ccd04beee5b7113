"""Fixtures for the policy tests: workspaces built from rows in ``tmp_path``.

The builders are in ``tests/reconcile_helpers.py`` (shared with the reconcile tests).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

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

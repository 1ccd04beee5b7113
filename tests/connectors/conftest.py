"""Fixtures for the connector tests: the shared real spreadsheets, copied before writing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

# The repository is two levels up; ``shared/`` sits beside it (``<repo>/../shared``),
# both here and in CI, whatever the clone's folder is called.
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def spreadsheets() -> Path:
    """The real exports in ``shared/fixtures/real/spreadsheets`` (read-only)."""
    path = (REPO / ".." / "shared" / "fixtures" / "real" / "spreadsheets").resolve()
    if not path.is_dir():
        pytest.fail(f"the shared fixtures are missing: expected them at {path}")
    return path


@pytest.fixture
def copy_fixture(tmp_path: Path, spreadsheets: Path) -> Callable[[str], Path]:
    """Copy a real spreadsheet into ``tmp_path`` (shared/ is read-only) and return it."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copyfile(spreadsheets / name, target)
        target.chmod(0o644)
        return target

    return copy

"""Fixtures for the normalization tests: where the shared real-world samples live."""

from __future__ import annotations

from pathlib import Path

import pytest

# The repository is two levels up; ``shared/`` sits beside it (``<repo>/../shared``),
# both here and in CI, whatever the clone's folder is called.
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    path = (REPO / ".." / "shared").resolve()
    if not path.is_dir():
        pytest.fail(f"the shared fixtures are missing: expected them at {path}")
    return path


@pytest.fixture(scope="session")
def spreadsheets_dir(shared_dir: Path) -> Path:
    return shared_dir / "fixtures" / "real" / "spreadsheets"

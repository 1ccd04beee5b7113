"""Fixtures for the command-line tests: a click runner and a fresh plugin host per test."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from contactsync.cli import cli
from contactsync.plugins import reset_host

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

Invoke = Callable[[Sequence[str]], Result]


@pytest.fixture(autouse=True)
def _fresh_default_host() -> Iterator[None]:
    """The CLI uses the process-wide host: build it again for every test."""
    reset_host()
    yield
    reset_host()


@pytest.fixture
def invoke() -> Invoke:
    """Run ``contactsync ARGS`` in-process; stdout and stderr are kept apart.

    A Python exception escaping the command (rather than an exit code) fails the test.
    """
    runner = CliRunner()

    def run(args: Sequence[str]) -> Result:
        result = runner.invoke(cli, list(args), prog_name="contactsync")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"contactsync {' '.join(args)} raised") from result.exception
        return result

    return run


@pytest.fixture
def quickstart(tmp_path: Path) -> Path:
    """A scratch copy of ``examples/quickstart`` (the commands may write beside it)."""
    target = tmp_path / "quickstart"
    shutil.copytree(EXAMPLES / "quickstart", target)
    return target

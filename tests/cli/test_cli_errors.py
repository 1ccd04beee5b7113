"""Errors reach the user as one clear line with the right exit code; tracebacks only on --debug."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from contactsync import runtime
from contactsync.cli.app import describe_error, one_line
from contactsync.errors import ConfigError, InvariantViolation, QuotaExhausted

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)


def failing_open(exc: BaseException) -> Callable[..., object]:
    def open_(*args: object, **kwargs: object) -> object:
        raise exc

    return open_


def run_check(invoke: Invoke, quickstart: Path, *, debug: bool = False) -> Result:
    args = ["check", "--config", str(quickstart / "contactsync.toml")]
    return invoke(["--debug", *args] if debug else args)


@pytest.mark.parametrize(
    ("exc", "code", "line"),
    [
        (ConfigError("bad\nmapping:\n  field x"), 2, "bad mapping: field x"),
        (QuotaExhausted("Zoho daily budget spent"), 4, "Zoho daily budget spent"),
        (InvariantViolation("would exceed the cap"), 3, "would exceed the cap"),
        (
            KeyError("region"),
            3,
            "KeyError: 'region' (run with --debug for the traceback)",
        ),
        (
            PermissionError(13, "Permission denied"),
            3,
            "PermissionError: [Errno 13] Permission denied (run with --debug for the traceback)",
        ),
    ],
)
def test_an_error_is_one_line_with_its_exit_code(
    invoke: Invoke,
    quickstart: Path,
    monkeypatch: pytest.MonkeyPatch,
    exc: BaseException,
    code: int,
    line: str,
) -> None:
    monkeypatch.setattr(runtime.Workspace, "open", failing_open(exc))
    result = run_check(invoke, quickstart)
    assert result.exit_code == code
    assert result.stderr == f"contactsync: error: {line}\n"
    assert result.stdout == ""


def test_debug_adds_the_traceback_before_the_line(
    invoke: Invoke, quickstart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.Workspace, "open", failing_open(KeyError("region")))
    result = run_check(invoke, quickstart, debug=True)
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert "KeyError: 'region'" in lines
    assert lines[-1] == "contactsync: error: KeyError: 'region'"


def test_personal_data_in_an_error_is_masked(
    invoke: Invoke, quickstart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exc = ConfigError("cannot reach 13800138000 or zhang.san@example.com")
    monkeypatch.setattr(runtime.Workspace, "open", failing_open(exc))
    line = run_check(invoke, quickstart).stderr
    assert "13800138000" not in line and "zhang.san@" not in line
    assert "8000" in line and "example.com" in line


def test_an_error_without_a_message_is_named() -> None:
    assert describe_error(ConfigError()) == "ConfigError"
    assert describe_error(RuntimeError(), debug=True) == "RuntimeError"


def test_one_line_collapses_every_kind_of_whitespace() -> None:
    assert one_line("a\n  b\r\n\tc ") == "a b c"


def test_interrupt_is_not_turned_into_an_error_line(
    invoke: Invoke, quickstart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runtime.Workspace, "open", failing_open(KeyboardInterrupt()))
    result = run_check(invoke, quickstart)
    assert result.exit_code == 1  # click's "Aborted!"
    assert "contactsync: error" not in result.stderr


@pytest.mark.slow
def test_the_console_script_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "contactsync.toml").write_text("[systems.crm]\nconnector = 'nosuch'\n")
    command = [sys.executable, "-m", "contactsync", "check"]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1
    assert completed.stderr.startswith("contactsync: error: ")
    assert "contactsync.toml: [systems.crm]: no connector named 'nosuch'" in completed.stderr
    debug = subprocess.run(
        [sys.executable, "-m", "contactsync", "--debug", "check"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr

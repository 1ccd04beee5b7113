"""``--help`` works on every command and subcommand, found by walking the click group."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import metadata

import click
import pytest
from click.testing import Result

from contactsync.cli import cli

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command below ``group``, as the words typed to reach it."""
    paths: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        paths.append(path)
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path))
    return paths


ALL_COMMANDS = command_paths(cli)


def test_the_walk_finds_the_documented_commands() -> None:
    names = {" ".join(path) for path in ALL_COMMANDS}
    documented = {"connectors", "check", "pull", "plan", "apply", "reconcile", "report"}
    assert documented <= names
    assert "review mark" in names  # subcommands are reached too


@pytest.mark.parametrize("path", [(), *ALL_COMMANDS], ids=lambda p: " ".join(p) or "contactsync")
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_exits_zero_and_shows_usage(invoke: Invoke, path: tuple[str, ...], flag: str) -> None:
    result = invoke([*path, flag])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Usage: contactsync {' '.join(path)}".rstrip())
    assert result.stderr == ""


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_a_one_line_summary(path: tuple[str, ...]) -> None:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.get_short_help_str().strip(), f"{' '.join(path)} has no help text"


def test_commands_that_read_the_configuration_take_config(invoke: Invoke) -> None:
    for name in ("check", "pull", "plan", "apply", "reconcile", "report"):
        assert "--config" in invoke([name, "--help"]).stdout


def test_version(invoke: Invoke) -> None:
    result = invoke(["--version"])
    assert result.exit_code == 0
    assert metadata.version("contactsync") in result.stdout

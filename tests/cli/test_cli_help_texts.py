"""Every option says what it is for, and every command's summary fits the listing."""

from __future__ import annotations

import click
import pytest

from contactsync.cli import cli


def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(commands(command, (*prefix, name)))
    return found


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


ALL = commands(cli)


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_every_option_has_help(path: tuple[str, ...]) -> None:
    command = command_at(path)
    bare = [
        param.opts[0]
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert bare == [], f"{' '.join(path)}: no help for {', '.join(bare)}"


@pytest.mark.parametrize(
    ("path", "option"),
    [(("pull",), "--kind"), (("report",), "--format"), (("quarantine", "list"), "--json")],
)
def test_the_options_found_bare_have_help(path: tuple[str, ...], option: str) -> None:
    (param,) = [p for p in command_at(path).params if option in p.opts]
    assert isinstance(param, click.Option) and param.help


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_summaries_are_not_cut_short_in_the_listing(path: tuple[str, ...]) -> None:
    # The listing leaves about 60 columns for a summary on an 80-column terminal.
    summary = command_at(path).get_short_help_str(limit=60)
    assert not summary.endswith("..."), f"{' '.join(path)}: {summary!r}"

"""`contactsync check` asks every connector what it can tell without calling the vendor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from contactsync import plugins
from contactsync.connector import ConnectorContext, ConnectorSpec
from contactsync.plugins import PluginHost, hookimpl
from contactsync_csv import CAPABILITIES, CsvConnector

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)


class Troubled(CsvConnector):
    """A csv connector that knows, offline, it cannot work (its setting ``trouble``)."""

    def __init__(self, context: ConnectorContext) -> None:
        settings = dict(context.settings)
        self.trouble = settings.pop("trouble", [])
        context.settings = settings
        super().__init__(context)

    def check_offline(self) -> list[str]:
        return list(self.trouble)


class TroubledPlugin:
    @hookimpl
    def contactsync_register_connectors(self, register: Callable[[ConnectorSpec], None]) -> None:
        register(ConnectorSpec("troubled", Troubled, CAPABILITIES, "csv.toml", "test"))


@pytest.fixture(autouse=True)
def _troubled_host(monkeypatch: pytest.MonkeyPatch) -> None:
    host = PluginHost(extra_plugins=[("troubled", TroubledPlugin())])
    monkeypatch.setattr(plugins, "_default_host", host)


def configure(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contactsync.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_found_offline_fail_the_check_naming_the_system(
    invoke: Invoke, tmp_path: Path
) -> None:
    config = configure(
        tmp_path,
        "[systems.crm]\nconnector = 'troubled'\n"
        "trouble = ['the token store cannot be used', 'no such file']\n"
        "[systems.sheet]\nconnector = 'troubled'\n",
    )
    result = invoke(["check", "--config", str(config)])
    assert result.exit_code == 2
    assert "configuration is valid" not in result.stdout
    lines = result.stderr.splitlines()
    assert lines[:2] == ["  problem: the token store cannot be used", "  problem: no such file"]
    assert lines[-1].startswith("contactsync: error: system crm:")
    assert "sheet" not in lines[-1]
    assert "system sheet:" in result.stdout  # every system is still checked


def test_every_failing_system_is_named(invoke: Invoke, tmp_path: Path) -> None:
    config = configure(
        tmp_path,
        "[systems.a]\nconnector = 'troubled'\ntrouble = ['one']\n"
        "[systems.b]\nconnector = 'troubled'\ntrouble = ['two']\n",
    )
    result = invoke(["check", "--config", str(config)])
    assert result.exit_code == 2
    assert "  problem: one" in result.stderr and "  problem: two" in result.stderr
    last = result.stderr.splitlines()[-1]
    assert "system a:" in last and "system b:" in last


def test_no_problem_offline_is_valid(invoke: Invoke, tmp_path: Path) -> None:
    config = configure(tmp_path, "[systems.crm]\nconnector = 'troubled'\n")
    result = invoke(["check", "--config", str(config)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "configuration is valid"
    assert result.stderr == ""

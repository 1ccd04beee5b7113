"""``contactsync connectors [--json]``: connectors and plugins found through entry points."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from contactsync import plugins
from contactsync.plugins import LOAD_ENV, PluginHost, hookimpl

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)
VERSION = metadata.version("contactsync")


def listing(invoke: Invoke) -> dict[str, Any]:
    result = invoke(["connectors", "--json"])
    assert result.exit_code == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def by_name(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in items}


def test_json_lists_csv_and_sqlite_found_through_entry_points(invoke: Invoke) -> None:
    document = listing(invoke)
    assert set(document) == {"connectors", "plugins", "errors"}
    connectors = by_name(document["connectors"])
    entry_points = {ep.name for ep in metadata.entry_points(group=plugins.ENTRY_POINT_GROUP)}
    for name in ("csv", "sqlite"):
        row = connectors[name]
        assert name in entry_points
        assert row["plugin"] == name  # registered by the entry point of that name
        assert (row["distribution"], row["version"]) == ("contactsync", VERSION)
        assert row["kinds"] == ["business", "emergency"]
        assert row["default_mapping"] == f"{name}.toml"
        assert row["description"]
    assert connectors["csv"]["capabilities"] == {
        "kinds": ["business", "emergency"],
        "incremental": False,
        "deletes": "enumeration",
        "batch_size": 500,
        "upsert_by_external_id": True,
        "archive": True,
    }
    assert connectors["sqlite"]["capabilities"]["incremental"] is True
    assert connectors["sqlite"]["capabilities"]["deletes"] == "feed"
    assert document["errors"] == []


def test_json_lists_the_plugins_with_their_hooks(invoke: Invoke) -> None:
    loaded = by_name(listing(invoke)["plugins"])
    assert loaded["csv"]["hooks"] == ["contactsync_register_connectors"]
    assert loaded["csv"]["builtin"] is True
    normalizers = loaded["contactsync.normalize.plugin"]
    assert {"contactsync_normalize_phone", "contactsync_name_key"} <= set(normalizers["hooks"])
    assert [p["name"] for p in listing(invoke)["plugins"]] == sorted(loaded)


def test_json_is_sorted_by_connector_name(invoke: Invoke) -> None:
    names = [row["name"] for row in listing(invoke)["connectors"]]
    assert names == sorted(names)


def test_the_text_listing_has_one_line_per_connector(invoke: Invoke) -> None:
    result = invoke(["connectors"])
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert {"csv", "sqlite"} <= set(lines)
    assert f"contactsync {VERSION}" in lines["csv"]
    assert "kinds=business,emergency" in lines["csv"]
    assert "incremental=True" in lines["sqlite"] and "batch=500" in lines["sqlite"]
    assert result.stderr == ""


class Broken:
    @hookimpl
    def contactsync_register_connectorz(self, register: Any) -> None:
        """Misspelt: the host refuses the plugin at load."""


def test_a_broken_plugin_is_listed_as_an_error_and_the_rest_still_work(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plugins, "_default_host", PluginHost(extra_plugins=[("acme", Broken())]))
    document = listing(invoke)
    (error,) = document["errors"]
    assert error["name"] == "acme"
    assert "contactsync_register_connectorz" in error["error"]
    assert {"csv", "sqlite"} <= set(by_name(document["connectors"]))

    monkeypatch.setattr(plugins, "_default_host", PluginHost(extra_plugins=[("acme", Broken())]))
    text = invoke(["connectors"])
    assert text.exit_code == 0
    assert text.stderr.startswith("plugin acme ((in-process)) failed to load:")
    assert len(text.stderr.splitlines()) == 1


PLUGIN = """
from contactsync.connector import Capabilities, ConnectorSpec
from contactsync.models import Kind
from contactsync.plugins import hookimpl


def build(context):
    raise NotImplementedError


@hookimpl
def contactsync_register_connectors(register):
    register(ConnectorSpec(
        name="acme",
        factory=build,
        capabilities=Capabilities(kinds=frozenset({Kind.BUSINESS}), incremental=True,
                                  deletes="none", batch_size=25),
        default_mapping="acme.toml",
        description="Acme CRM",
    ))
"""


@pytest.fixture
def acme_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An installed-looking ``contactsync-acme`` 0.4.0 on ``sys.path`` (no pip needed)."""
    site = tmp_path / "site"
    info = site / "contactsync_acme-0.4.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: contactsync-acme\nVersion: 0.4.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[contactsync]\nacme = contactsync_acme_cli_test\n", encoding="utf-8"
    )
    (site / "contactsync_acme_cli_test.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    yield site
    sys.modules.pop("contactsync_acme_cli_test", None)


@pytest.mark.usefixtures("acme_installed")
def test_an_allowed_third_party_plugin_is_listed_with_its_distribution(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOAD_ENV, "acme")
    document = listing(invoke)
    acme = by_name(document["connectors"])["acme"]
    assert (acme["distribution"], acme["version"], acme["plugin"]) == (
        "contactsync-acme",
        "0.4.0",
        "acme",
    )
    assert acme["kinds"] == ["business"]
    assert acme["capabilities"]["batch_size"] == 25
    assert acme["capabilities"]["deletes"] == "none"
    assert by_name(document["plugins"])["acme"]["builtin"] is False


@pytest.mark.usefixtures("acme_installed")
def test_an_installed_plugin_is_not_listed_when_the_allow_list_is_empty(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOAD_ENV, "")
    document = listing(invoke)
    assert "acme" not in by_name(document["connectors"])
    assert "acme" not in by_name(document["plugins"])


def test_tracing_goes_to_stderr_and_leaves_the_json_intact(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(plugins.TRACE_ENV, "1")
    result = invoke(["connectors", "--json"])
    assert result.exit_code == 0
    assert {"csv", "sqlite"} <= set(by_name(json.loads(result.stdout)["connectors"]))
    assert "contactsync_register_connectors [hook]" in result.stderr
    assert "plugin: csv" in result.stderr

"""A real third-party plugin distribution, built and installed with pip, seen by the CLI.

The distribution is built from a ``pyproject.toml`` in ``tmp_path`` and installed with
``pip install --target`` into a folder of its own, which the CLI subprocess gets on
``PYTHONPATH``: nothing is installed into the project's virtual environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from contactsync.plugins import LOAD_ENV

pytestmark = pytest.mark.slow

DIST = "contactsync-acme-crm"
VERSION = "0.3.1"

PYPROJECT = f"""
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "{DIST}"
version = "{VERSION}"
requires-python = ">=3.11"
dependencies = ["contactsync"]

[project.entry-points.contactsync]
acme_crm = "contactsync_acme_crm"

[tool.hatch.build.targets.wheel]
packages = ["contactsync_acme_crm"]
"""

PLUGIN = """
\"\"\"Acme CRM for contactsync: a third-party connector plugin.\"\"\"

from contactsync.connector import Capabilities, ConnectorSpec
from contactsync.models import Kind
from contactsync.plugins import hookimpl


def _build(context):
    raise NotImplementedError("a listing test never builds it")


@hookimpl
def contactsync_register_connectors(register):
    register(
        ConnectorSpec(
            name="acme_crm",
            factory=_build,
            capabilities=Capabilities(kinds=frozenset(Kind), incremental=True, batch_size=200),
            default_mapping="acme_crm.toml",
            description="Acme CRM (custom objects)",
        )
    )
"""

# Run by pytest in a subprocess: under pytest, installed plugins are not auto-loaded.
INNER_TEST = """
from contactsync.plugins import PluginHost


def test_the_installed_plugin_is_not_loaded_under_pytest():
    host = PluginHost()
    assert "acme_crm" not in host.connectors()
    assert "acme_crm" not in {plugin.name for plugin in host.plugins()}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The distribution, built and installed into a folder of its own."""
    root = tmp_path_factory.mktemp("third_party")
    source = root / "dist"
    (source / "contactsync_acme_crm").mkdir(parents=True)
    (source / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT), encoding="utf-8")
    (source / "contactsync_acme_crm" / "__init__.py").write_text(
        textwrap.dedent(PLUGIN), encoding="utf-8"
    )
    target = root / "site"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    completed = subprocess.run(
        [
            sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
            "--no-build-isolation", "--no-index", "--target", str(target), str(source),
        ],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert (target / f"contactsync_acme_crm-{VERSION}.dist-info").is_dir()
    return target


def run(
    args: list[str], site: Path, cwd: Path, **env: str | None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in env}
    environment.update({k: v for k, v in env.items() if v is not None})
    environment["PYTHONPATH"] = str(site)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=environment, cwd=cwd,
        check=False,
    )  # fmt: skip


def connectors_json(site: Path, cwd: Path, allow: str | None) -> dict[str, Any]:
    completed = run(["-m", "contactsync", "connectors", "--json"], site, cwd, **{LOAD_ENV: allow})
    assert completed.returncode == 0, completed.stderr
    document: dict[str, Any] = json.loads(completed.stdout)
    return document


def test_the_installed_plugin_is_listed_with_its_distribution_and_version(
    site: Path, tmp_path: Path
) -> None:
    document = connectors_json(site, tmp_path, "acme_crm")
    connectors = {row["name"]: row for row in document["connectors"]}
    acme = connectors["acme_crm"]
    assert (acme["distribution"], acme["version"]) == (DIST, VERSION)
    assert acme["plugin"] == "acme_crm"
    assert acme["kinds"] == ["business", "emergency"]
    assert acme["capabilities"]["incremental"] is True
    assert acme["capabilities"]["batch_size"] == 200
    assert acme["description"] == "Acme CRM (custom objects)"
    assert {"csv", "sqlite"} <= set(connectors)
    plugin = {p["name"]: p for p in document["plugins"]}["acme_crm"]
    assert plugin["builtin"] is False
    assert plugin["hooks"] == ["contactsync_register_connectors"]
    assert document["errors"] == []


def test_the_distribution_name_also_allows_it(site: Path, tmp_path: Path) -> None:
    document = connectors_json(site, tmp_path, DIST)
    assert "acme_crm" in {row["name"] for row in document["connectors"]}


def test_an_empty_allow_list_hides_it(site: Path, tmp_path: Path) -> None:
    document = connectors_json(site, tmp_path, "")
    names = {row["name"] for row in document["connectors"]}
    assert "acme_crm" not in names
    assert {"csv", "sqlite"} <= names  # the built-ins always load
    assert "acme_crm" not in {p["name"] for p in document["plugins"]}


def test_without_an_allow_list_every_installed_plugin_loads(site: Path, tmp_path: Path) -> None:
    document = connectors_json(site, tmp_path, None)
    assert "acme_crm" in {row["name"] for row in document["connectors"]}


def test_pytest_does_not_auto_load_it(site: Path, tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER_TEST), encoding="utf-8")
    completed = run(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_inner.py"],
        site,
        tmp_path,
        **{LOAD_ENV: None},  # unset, as on a developer's machine
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 passed" in completed.stdout

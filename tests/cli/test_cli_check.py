"""``contactsync check``: configuration, credentials from the environment, mappings."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import Result

from contactsync import plugins
from contactsync.plugins import PluginHost, hookimpl

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)


def one_error_line(result: Result) -> str:
    """The single line a failing command prints on stderr."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("contactsync: error: ")
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    return lines[0]


def config(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "contactsync.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------
# a valid configuration
# ---------------------------------------------------------------------------------------


def test_the_quickstart_checks_clean(invoke: Invoke, quickstart: Path) -> None:
    result = invoke(["check", "--config", str(quickstart / "contactsync.toml")])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "configuration is valid"
    systems = {line.split(":")[0]: line for line in lines[:-1]}
    assert set(systems) == {"system branch", "system hub", "system legacy"}
    assert "connector sqlite, sync" in systems["system hub"]
    assert "connector csv, read, business→legacy_export.csv" in systems["system legacy"]
    assert "emergency→branch/emergency_contacts.csv" in systems["system branch"]
    assert result.stderr == ""


def test_check_writes_nothing(invoke: Invoke, quickstart: Path) -> None:
    before = sorted(p.relative_to(quickstart) for p in quickstart.rglob("*"))
    assert invoke(["check", "--config", str(quickstart / "contactsync.toml")]).exit_code == 0
    assert sorted(p.relative_to(quickstart) for p in quickstart.rglob("*")) == before


def test_the_default_config_is_the_one_in_the_current_folder(
    invoke: Invoke, quickstart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(quickstart)
    assert invoke(["check"]).exit_code == 0


def test_credentials_are_taken_from_the_environment(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(
        tmp_path,
        """
        [systems.sheet]
        connector = "csv"
        credentials = { share_token = { env = "CONTACTSYNC_TEST_SHARE_TOKEN" } }
        """,
    )
    monkeypatch.setenv("CONTACTSYNC_TEST_SHARE_TOKEN", "s3cr3t-value")
    result = invoke(["check", "--config", str(path)])
    assert result.exit_code == 0, result.stderr
    assert "s3cr3t-value" not in result.stdout + result.stderr


# ---------------------------------------------------------------------------------------
# failing: exit code 2 and one clear line
# ---------------------------------------------------------------------------------------


def test_a_missing_credential_variable_is_named(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(
        tmp_path,
        """
        [systems.sheet]
        connector = "csv"
        credentials = { share_token = { env = "CONTACTSYNC_TEST_SHARE_TOKEN" } }
        """,
    )
    monkeypatch.delenv("CONTACTSYNC_TEST_SHARE_TOKEN", raising=False)
    result = invoke(["check", "--config", str(path)])
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "[systems.sheet]" in line and "'share_token'" in line
    assert "contactsync.toml" in line  # the configuration file is named too
    assert "CONTACTSYNC_TEST_SHARE_TOKEN" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[systems.crm]\nconnector = 'csv'\npassword = 'hunter2'\n", "looks like a secret"),
        ("[systems.crm]\nconnector = 'csv'\nmode = 'write'\n", "mode must be 'sync' or 'read'"),
        ("[policy]\nemergency_max = 5\n[systems.crm]\nconnector = 'csv'\n", "from 1 to 3"),
        ("[sync]\nbusiness_timezone = 'Asia'\n[systems.crm]\nconnector = 'csv'\n", "time zone"),
        ("[systems.crm]\nconnector = 'nosuch'\n", "no connector named 'nosuch' is installed"),
        ("[systems.crm\n", "not valid TOML"),
    ],
)
def test_a_bad_configuration_fails_with_exit_2_and_one_line(
    invoke: Invoke, tmp_path: Path, text: str, expected: str
) -> None:
    path = config(tmp_path, text)
    result = invoke(["check", "--config", str(path)])
    assert result.exit_code == 2
    line = one_error_line(result)
    assert expected in line
    assert "hunter2" not in line
    assert result.stdout == ""


def test_an_unknown_connector_lists_the_installed_ones(invoke: Invoke, tmp_path: Path) -> None:
    path = config(tmp_path, "[systems.crm]\nconnector = 'salesforse'\n")
    line = one_error_line(invoke(["check", "--config", str(path)]))
    installed = line.split("(installed: ")[1]
    assert "csv" in installed and "sqlite" in installed


def test_a_missing_file_fails_with_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    result = invoke(["check", "--config", str(tmp_path / "nowhere.toml")])
    assert result.exit_code == 2
    assert "configuration file not found" in one_error_line(result)


def test_a_mapping_storing_both_kinds_together_is_refused(invoke: Invoke, tmp_path: Path) -> None:
    path = config(
        tmp_path,
        """
        [systems.sheet]
        connector = "csv"
        objects = { emergency = "contacts.csv", business = "contacts.csv" }
        """,
    )
    result = invoke(["check", "--config", str(path)])
    assert result.exit_code == 2
    line = one_error_line(result)
    assert "same object" in line and "separately" in line


def test_debug_shows_the_traceback(invoke: Invoke, tmp_path: Path) -> None:
    path = config(tmp_path, "[systems.crm]\nconnector = 'csv'\nmode = 'write'\n")
    result = invoke(["--debug", "check", "--config", str(path)])
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "ConfigError" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("contactsync: error: ")


def test_usage_errors_exit_2(invoke: Invoke) -> None:
    result = invoke(["check", "--no-such-option"])
    assert result.exit_code == 2
    assert "No such option" in result.stderr


# ---------------------------------------------------------------------------------------
# --online: the mapping against the vendor's described schema
# ---------------------------------------------------------------------------------------


PEOPLE_MAPPING = """
connector = "csv"

[business]
object = "people.csv"
key_field = "key"

[business.fields]
customer = "customer"
name = "name"
phones = { fields = ["phone"], convert = "phones" }
email = "email"
title = "title"
department = "department"
"""


@pytest.fixture
def people(tmp_path: Path) -> Path:
    """A one-kind csv system with its own small mapping; people.csv not yet written."""
    (tmp_path / "people.toml").write_text(PEOPLE_MAPPING, encoding="utf-8")
    return config(tmp_path, "[systems.sheet]\nconnector = 'csv'\nmapping = 'people.toml'\n")


def test_online_passes_when_the_file_has_every_mapped_column(
    invoke: Invoke, people: Path
) -> None:
    header = "key,customer,name,phone,email,title,department\n"
    (people.parent / "people.csv").write_text(header, encoding="utf-8")
    result = invoke(["check", "--config", str(people), "--online"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "configuration is valid"


def test_online_accepts_columns_the_first_write_adds(invoke: Invoke, people: Path) -> None:
    # A CSV file gains the mapped columns it lacks when contactsync first writes to it,
    # so a missing column is no problem for `check --online`; checking changes nothing.
    header = "key,customer,name,phone,title,department\n"
    sheet = people.parent / "people.csv"
    sheet.write_text(header, encoding="utf-8")
    result = invoke(["check", "--config", str(people), "--online"])
    assert result.exit_code == 0, result.stderr
    assert "problem" not in result.stderr
    assert sheet.read_text(encoding="utf-8") == header


# ---------------------------------------------------------------------------------------
# plugins that failed to load are shown
# ---------------------------------------------------------------------------------------


class Misspelt:
    @hookimpl
    def contactsync_configur(self, config: object) -> None:
        """Misspelt ``contactsync_configure``."""


def test_check_reports_a_plugin_that_failed_to_load(
    invoke: Invoke, quickstart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = PluginHost(extra_plugins=[("acme", Misspelt())])
    monkeypatch.setattr(plugins, "_default_host", host)
    result = invoke(["check", "--config", str(quickstart / "contactsync.toml")])
    assert result.exit_code == 0
    assert result.stderr.startswith("plugin acme failed to load:")
    assert "contactsync_configur" in result.stderr


class Refuses:
    @hookimpl
    def contactsync_configure(self, config: object) -> None:
        from contactsync.errors import ConfigError

        raise ConfigError("acme: the hub must be PostgreSQL in production")


def test_a_plugin_can_refuse_the_configuration(
    invoke: Invoke, quickstart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plugins, "_default_host", PluginHost(extra_plugins=[("acme", Refuses())]))
    result = invoke(["check", "--config", str(quickstart / "contactsync.toml")])
    assert result.exit_code == 2
    assert one_error_line(result) == (
        "contactsync: error: acme: the hub must be PostgreSQL in production"
    )

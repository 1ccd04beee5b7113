"""Errors from a connector name the system (and, for settings, the configuration file)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from contactsync.cli.app import cli
from contactsync.errors import AuthError, ConfigError, ContactsyncError, in_system
from contactsync_zoho.emulator import CREDENTIALS, serve_org


def test_in_system_names_the_system_once() -> None:
    with pytest.raises(AuthError) as caught, in_system("zoho-eu"):
        raise AuthError("the accounts server refused to refresh the token")
    assert str(caught.value) == (
        "system 'zoho-eu': the accounts server refused to refresh the token"
    )
    with pytest.raises(ConfigError) as again, in_system("outer"), in_system("zoho-eu"):
        raise ConfigError("system 'zoho-eu': already named")
    assert str(again.value) == "system 'zoho-eu': already named"
    assert again.value.system == "zoho-eu"
    assert str(ContactsyncError("no system")) == "no system"


def _config(folder: Path, table: str) -> Path:
    path = folder / "contactsync.toml"
    path.write_text('[state]\nurl = "sqlite:///state.db"\n\n[systems.zoho-eu]\n' + table,
                    encoding="utf-8")
    return path


def test_a_refused_refresh_token_names_the_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve_org() as org:
        config = _config(tmp_path, org.config_table())
        monkeypatch.setenv("ZOHO_CLIENT_ID", CREDENTIALS["client_id"])
        monkeypatch.setenv("ZOHO_CLIENT_SECRET", CREDENTIALS["client_secret"])
        monkeypatch.setenv("ZOHO_REFRESH_TOKEN", "1000.revoked-refresh-token")
        result = CliRunner().invoke(cli, ["plan", "--config", str(config),
                                          "--out", str(tmp_path / "plan.json")])
    assert result.exit_code == 2, result.output
    assert "system 'zoho-eu': the accounts server refused" in result.output
    assert "revoked-refresh-token" not in result.output


def test_a_bad_connector_setting_names_the_configuration_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, 'connector = "zoho"\npage_size = 999\n')
    result = CliRunner().invoke(cli, ["check", "--config", str(config)])
    assert result.exit_code == 2, result.output
    assert f"{config}: [systems.zoho-eu]: " in result.output
    assert "page_size" in result.output

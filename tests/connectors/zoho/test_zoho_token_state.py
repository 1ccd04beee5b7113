"""Tokens sealed in the state store: a scheduled run reuses the last run's access token
instead of refreshing on every start, and nothing readable lands in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from zoho_helpers import records, seed

from contactsync.cli.app import cli
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.secrets import SECRET_KEY_ENV, SecretCipher, SystemSecrets, new_key
from contactsync.state import StateStore
from contactsync_zoho.emulator import CREDENTIALS, RunningOrg
from contactsync_zoho.tokens import SECRET_NAME

KEY = new_key()


@pytest.fixture
def state(tmp_path: Path) -> StateStore:
    store = StateStore.open(f"sqlite:///{tmp_path / 'state.db'}")
    yield store
    store.close()


def sealed_secrets(state: StateStore, key: str = KEY) -> SystemSecrets:
    return SystemSecrets("zoho-test", lambda: state, lambda: SecretCipher.from_text(key))


def test_the_next_run_reuses_the_stored_access_token(
    org: RunningOrg, connect: Any, state: StateStore
) -> None:
    first = connect(token_store="state", secrets=sealed_secrets(state))
    seed(first, Kind.EMERGENCY, 2)
    assert org.accounts.granted == 1
    later = connect(token_store="state", secrets=sealed_secrets(state))  # a new process
    assert len(records(list(later.pull(Kind.EMERGENCY)))) == 2
    assert org.accounts.granted == 1  # no refresh: the sealed token was still good
    assert later.tokens.refreshes == 0


def test_a_stored_token_zoho_no_longer_accepts_is_refreshed_once_and_saved(
    org: RunningOrg, connect: Any, state: StateStore
) -> None:
    list(connect(token_store="state", secrets=sealed_secrets(state)).pull(Kind.EMERGENCY))
    org.crm.tokens.expire_all()  # revoked, or past its hour
    second = connect(token_store="state", secrets=sealed_secrets(state))
    list(second.pull(Kind.EMERGENCY))
    assert org.accounts.granted == 2
    third = connect(token_store="state", secrets=sealed_secrets(state))
    list(third.pull(Kind.EMERGENCY))
    assert org.accounts.granted == 2  # the second run's token was kept


def test_no_token_or_secret_is_readable_in_the_database_file(
    org: RunningOrg, connect: Any, state: StateStore, tmp_path: Path
) -> None:
    list(connect(token_store="state", secrets=sealed_secrets(state)).pull(Kind.BUSINESS))
    raw = state.get_secret("zoho-test", SECRET_NAME)
    assert raw is not None
    state.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    for secret in (CREDENTIALS["refresh_token"], "-access-", CREDENTIALS["client_secret"]):
        assert secret.encode() not in data


def test_another_key_cannot_use_the_stored_token(
    org: RunningOrg, connect: Any, state: StateStore
) -> None:
    list(connect(token_store="state", secrets=sealed_secrets(state)).pull(Kind.EMERGENCY))
    stranger = connect(token_store="state", secrets=sealed_secrets(state, new_key()))
    with pytest.raises(ConfigError, match="does not hold"):
        list(stranger.pull(Kind.EMERGENCY))


def test_state_tokens_without_a_state_store_are_a_config_error(connect: Any) -> None:
    with pytest.raises(ConfigError, match="needs a state store"):
        connect(token_store="state")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"token_store": "disk"}, "'memory', 'state' or 'zcrmsdk'"),
        ({"token_store": "zcrmsdk"}, "needs zcrmsdk_token_file"),
        ({"quota_share": 1.5}, "quota_share"),
        ({"token_stor": "state"}, "unknown setting"),
    ],
)
def test_bad_token_and_quota_settings_name_the_setting(
    connect: Any, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        connect(**settings)


def _state_config(org: RunningOrg, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A configuration of ``org`` keeping its tokens in the state store, and its
    credential variables set."""
    config = folder / "contactsync.toml"
    config.write_text(
        '[state]\nurl = "sqlite:///state.db"\n\n[systems.zoho]\n'
        + org.config_table() + 'token_store = "state"\n',
        encoding="utf-8",
    )
    for name in ("client_id", "client_secret", "refresh_token"):
        monkeypatch.setenv(f"ZOHO_{name.upper()}", CREDENTIALS[name])
    return config


def test_scheduled_cli_runs_share_one_token_through_the_state_store(
    org: RunningOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _state_config(org, tmp_path, monkeypatch)
    runner = CliRunner()
    pull = ["pull", "--config", str(config), "--system", "zoho", "--kind", "emergency",
            "--out", "-"]
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)
    refused = runner.invoke(cli, pull)
    assert refused.exit_code == 2, refused.output
    assert SECRET_KEY_ENV in refused.output and "secrets new-key" in refused.output
    assert org.accounts.granted == 0  # refused before a token was fetched and lost

    monkeypatch.setenv(SECRET_KEY_ENV, KEY)
    for _ in range(2):
        run = runner.invoke(cli, pull)
        assert run.exit_code == 0, run.output
    assert org.accounts.granted == 1

    listed = runner.invoke(cli, ["secrets", "list", "--config", str(config)])
    assert listed.exit_code == 0, listed.output
    assert "zoho\toauth" in listed.output and "(current)" in listed.output
    assert "-access-" not in listed.output
    forgot = runner.invoke(cli, ["secrets", "forget", "--config", str(config), "zoho"])
    assert forgot.exit_code == 0 and "forgot zoho/oauth" in forgot.output
    again = runner.invoke(cli, ["secrets", "forget", "--config", str(config), "zoho"])
    assert again.exit_code == 2 and "no secrets kept" in again.output
    assert "configures no such system" not in again.output
    typo = runner.invoke(cli, ["secrets", "forget", "--config", str(config), "zoho-eu"])
    assert typo.exit_code == 2 and "configures no such system: zoho" in typo.output
    run = runner.invoke(cli, pull)
    assert run.exit_code == 0, run.output
    assert org.accounts.granted == 2  # forgotten: refreshed from the refresh token


def test_check_and_secrets_list_say_when_the_key_set_cannot_open_the_kept_token(
    org: RunningOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _state_config(org, tmp_path, monkeypatch)
    runner = CliRunner()
    monkeypatch.setenv(SECRET_KEY_ENV, KEY)
    pull = ["pull", "--config", str(config), "--system", "zoho", "--kind", "emergency",
            "--out", "-"]
    assert runner.invoke(cli, pull).exit_code == 0
    assert runner.invoke(cli, ["check", "--config", str(config)]).exit_code == 0

    monkeypatch.setenv(SECRET_KEY_ENV, new_key())  # a valid key, but not the one that sealed
    checked = runner.invoke(cli, ["check", "--config", str(config)])
    assert checked.exit_code == 2, checked.output
    assert "the kept token cannot be used" in checked.output
    assert "does not hold" in checked.output
    listed = runner.invoke(cli, ["secrets", "list", "--config", str(config)])
    assert "does not hold" in listed.output and "older key" not in listed.output

    monkeypatch.setenv(SECRET_KEY_ENV, f"{new_key()},{KEY}")  # rotated: the old key is held
    listed = runner.invoke(cli, ["secrets", "list", "--config", str(config)])
    assert "an older key still held" in listed.output
    assert runner.invoke(cli, ["check", "--config", str(config)]).exit_code == 0

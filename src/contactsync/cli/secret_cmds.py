"""`secrets new-key|list|forget`: the sealed secrets connectors keep in the state store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from contactsync.cli.app import EXIT_USAGE, Failure, cli, config_option, handle_errors
from contactsync.config import load_config
from contactsync.secrets import SECRET_KEY_ENV, SecretCipher, new_key
from contactsync.state import StateStore


@cli.group()
def secrets() -> None:
    """Secrets connectors keep between runs (OAuth tokens), sealed in the state store.

    They are sealed with the key in CONTACTSYNC_SECRET_KEY; the state store alone opens
    none of them. No command here prints a secret's value.
    """


@secrets.command("new-key")
def new_key_cmd() -> None:
    """Print a fresh random key for CONTACTSYNC_SECRET_KEY.

    Keep it where the job's other credentials are kept. To rotate, set
    CONTACTSYNC_SECRET_KEY to "NEW,OLD": secrets are re-sealed with NEW as they are saved.
    """
    click.echo(new_key())


def _open_store(config_path: Path) -> StateStore:
    return StateStore.open(load_config(config_path).state_url)


@secrets.command("list")
@config_option
@click.option("--system", help="Only this system's secrets.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines instead of a table.")
@handle_errors
def list_cmd(config_path: Path, system: str | None, as_json: bool) -> None:
    """Which secrets are kept, when each was saved and which key sealed it (no values).

    With CONTACTSYNC_SECRET_KEY set, each says whether its key is the current (first) one.
    """
    with _open_store(config_path) as store:
        entries = store.secret_entries(system)
    current = (
        SecretCipher.from_env().sealing_key_id if os.environ.get(SECRET_KEY_ENV) else None
    )
    if as_json:
        for entry in entries:
            click.echo(json.dumps({
                "system": entry.system, "name": entry.name, "key_id": entry.key_id,
                "current_key": None if current is None else entry.key_id == current,
                "updated_at": entry.updated_at.isoformat(),
            }, sort_keys=True))
        return
    if not entries:
        click.echo("no secrets kept" + (f" for system {system!r}" if system else ""))
        return
    for entry in entries:
        state = "" if current is None else (" (current)" if entry.key_id == current else
                                           " (an older key: re-sealed when next saved)")
        click.echo(
            f"{entry.system}\t{entry.name}\tsealed with key {entry.key_id}{state}\t"
            f"saved {entry.updated_at.isoformat()}"
        )


@secrets.command("forget")
@config_option
@click.argument("system")
@click.argument("name", required=False)
@handle_errors
def forget_cmd(config_path: Path, system: str, name: str | None) -> None:
    """Forget SYSTEM's secret NAME (all of SYSTEM's secrets without NAME).

    The connector then starts again from its configured credentials (a Zoho system
    refreshes its access token from the refresh token).
    """
    with _open_store(config_path) as store:
        names = [name] if name else [e.name for e in store.secret_entries(system)]
        forgotten = [n for n in names if store.delete_secret(system, n)]
    if not forgotten:
        what = f"secret {name!r}" if name else "secrets"
        raise Failure(f"system {system!r} has no {what} kept", EXIT_USAGE)
    for item in forgotten:
        click.echo(f"forgot {system}/{item}")


__all__ = ["secrets"]

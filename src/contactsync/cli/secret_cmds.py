"""`secrets new-key|list|forget`: the sealed secrets connectors keep in the state store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from contactsync.cli.app import EXIT_USAGE, Failure, cli, config_option, handle_errors, one_line
from contactsync.config import load_config
from contactsync.errors import ConfigError
from contactsync.secrets import SECRET_KEY_ENV, SecretCipher, forget_command, new_key
from contactsync.state import SecretEntry, StateStore
from contactsync.state.files import no_state_store
from contactsync.state.secrets import UNREADABLE_KEY_ID


@cli.group(short_help="Secrets connectors keep between runs (OAuth tokens).")
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


def _kept(config_path: Path, system: str | None) -> tuple[list[SecretEntry], str | None]:
    """The secrets kept, and why there are none when the state store does not exist yet
    (a read-only command creates no state store)."""
    url = load_config(config_path).state_url
    absent = no_state_store(url)
    if absent is not None:
        return [], absent
    with StateStore.open(url) as store:
        return store.secret_entries(system), None


def _usable_cipher() -> SecretCipher | None:
    """The cipher of the key set; ``None`` without a usable key (said on stderr when it is
    set but cannot be used: the listing goes on without it)."""
    if not os.environ.get(SECRET_KEY_ENV, "").strip():
        return None
    try:
        return SecretCipher.from_env()
    except ConfigError as exc:
        click.echo(
            f"contactsync: warning: {SECRET_KEY_ENV} is not usable, so no secret is marked "
            f"(current): {one_line(str(exc))}",
            err=True,
        )
        return None


def _damaged(entry: SecretEntry) -> bool:
    return entry.key_id == UNREADABLE_KEY_ID


@secrets.command("list", short_help="List the kept secrets: when saved, which key sealed them.")
@config_option
@click.option("--system", help="Only this system's secrets.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines instead of a table.")
@handle_errors
def list_cmd(config_path: Path, system: str | None, as_json: bool) -> None:
    """Which secrets are kept, when each was saved and which key sealed it (no values).

    With CONTACTSYNC_SECRET_KEY set, each says whether its key is the current (first) one.
    A damaged secret (one no key can open) is shown as such: forget it.
    """
    entries, absent = _kept(config_path, system)
    cipher = _usable_cipher()
    current = cipher.sealing_key_id if cipher is not None else None
    if as_json:
        if absent is not None:
            click.echo(f"no secrets kept ({absent})", err=True)
        for entry in entries:
            damaged = _damaged(entry)
            click.echo(json.dumps({
                "system": entry.system, "name": entry.name,
                "key_id": None if damaged else entry.key_id, "damaged": damaged,
                "current_key": None if current is None else entry.key_id == current,
                "updated_at": entry.updated_at.isoformat(),
            }, sort_keys=True))
        return
    if not entries:
        click.echo(
            "no secrets kept"
            + (f" for system {system!r}" if system else "")
            + (f" ({absent})" if absent else "")
        )
        return
    for entry in entries:
        if _damaged(entry):
            sealed = (
                "damaged: not a sealed secret contactsync can read (forget it with "
                f"`{forget_command(f'{entry.system}/{entry.name}')}`)"
            )
        else:
            state = "" if cipher is None else (
                " (current)" if entry.key_id == current
                else " (an older key still held: re-sealed when next saved)"
                if entry.key_id in cipher.key_ids
                else f" (a key {SECRET_KEY_ENV} does not hold: add it after the current "
                "one, or forget the secret)"
            )
            sealed = f"sealed with key {entry.key_id}{state}"
        click.echo(f"{entry.system}\t{entry.name}\t{sealed}\tsaved {entry.updated_at.isoformat()}")


@secrets.command("forget", short_help="Forget one secret of a system, or all of them.")
@config_option
@click.argument("system")
@click.argument("name", required=False)
@handle_errors
def forget_cmd(config_path: Path, system: str, name: str | None) -> None:
    """Forget SYSTEM's secret NAME (all of SYSTEM's secrets without NAME).

    The connector then starts again from its configured credentials (a Zoho system
    refreshes its access token from the refresh token).
    """
    if not system.strip():
        raise Failure("SYSTEM is empty (an unset shell variable?); nothing forgotten", EXIT_USAGE)
    if name is not None and not name.strip():
        raise Failure(
            "NAME is empty (an unset shell variable?); nothing forgotten. To forget every "
            f"secret of system {system!r}, leave NAME out",
            EXIT_USAGE,
        )
    config = load_config(config_path)
    url = config.state_url
    absent = no_state_store(url)
    if absent is not None:
        raise Failure(f"nothing to forget: {absent}", EXIT_USAGE)
    with StateStore.open(url) as store:
        names = [name] if name else [e.name for e in store.secret_entries(system)]
        forgotten = [n for n in names if store.delete_secret(system, n)]
    if not forgotten:
        what = f"secret {name!r}" if name else "secrets"
        known = "" if system in config.systems else (
            f" (and {config.path} configures no such system: "
            f"{', '.join(sorted(config.systems)) or 'none'})"
        )
        raise Failure(f"system {system!r} has no {what} kept{known}", EXIT_USAGE)
    for item in forgotten:
        click.echo(f"forgot {system}/{item}")


__all__ = ["secrets"]

"""`review mark` and `quarantine list|restore`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from contactsync.cli.app import EXIT_FAILED, EXIT_USAGE, Failure, cli, config_option, handle_errors
from contactsync.connector import WriteOp
from contactsync.mapping.convert import to_vendor
from contactsync.models import CONTACT_ADAPTER, Kind
from contactsync.redact import mask_text
from contactsync.runtime import SystemHandle, Workspace
from contactsync.state.files import no_state_store

EARLIEST_REVIEW_YEAR = 2000


def _shown(typed: str) -> str:
    """What a person typed (a key, a customer), quoted, phones and e-mails masked."""
    return repr(mask_text(typed))


@cli.group()
def review() -> None:
    """Record reviews of emergency contacts."""


@review.command("mark", short_help="Mark an emergency contact reviewed.")
@config_option
@click.option("--customer", required=True, help="The customer key.")
@click.option("--contact", "key", required=True, help="The emergency contact's contactsync key.")
@click.option("--by", "reviewer", required=True, help="Who reviewed it.")
@click.option(
    "--at", "when", help="When (ISO 8601; without a zone, the business time zone). Default: now."
)
@handle_errors
def mark(config_path: Path, customer: str, key: str, reviewer: str, when: str | None) -> None:
    """Mark an emergency contact reviewed; the next reconcile writes it to every system."""
    with Workspace.open(config_path) as ws:
        tz = ZoneInfo(ws.config.sync.business_timezone)
        if when:
            try:
                stamp = datetime.fromisoformat(when)
            except ValueError:
                raise Failure(f"--at {when!r} is not an ISO 8601 date-time", EXIT_USAGE) from None
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=tz)
        else:
            stamp = datetime.now(UTC)
        if stamp.astimezone(UTC) > datetime.now(UTC):
            raise Failure(f"--at {when!r} is in the future", EXIT_USAGE)
        if stamp.year < EARLIEST_REVIEW_YEAR:
            raise Failure(
                f"--at {when!r} is before {EARLIEST_REVIEW_YEAR}: not a review date", EXIT_USAGE
            )
        if not reviewer.strip():
            raise Failure("--by must name who reviewed the contact", EXIT_USAGE)
        links = [link for link in ws.store.links_for_key(key) if link.kind == Kind.EMERGENCY.value]
        if not links:
            raise Failure(
                f"no emergency contact with key {_shown(key)} has been synced yet; "
                "run reconcile first",
                EXIT_USAGE,
            )
        if all(link.customer != customer for link in links):
            raise Failure(
                f"contact {_shown(key)} does not belong to customer {_shown(customer)}",
                EXIT_USAGE,
            )
        ws.store.mark_reviewed(key, customer, reviewer.strip(), stamp.astimezone(UTC))
        click.echo(f"marked {key} reviewed by {reviewer} at {stamp.astimezone(UTC).isoformat()}")


@cli.group(short_help="Contacts held back because a customer was over the cap.")
def quarantine() -> None:
    """Contacts kept out of every system because a customer was over the cap."""


@quarantine.command("list")
@config_option
@click.option("--customer", help="Only this customer.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of lines.")
@handle_errors
def list_cmd(config_path: Path, customer: str | None, as_json: bool) -> None:
    """List quarantined contacts."""
    with Workspace.open(config_path, resolve_credentials=False) as ws:
        absent = no_state_store(ws.config.state_url)
        if absent is not None:  # a listing creates no state store
            click.echo("[]" if as_json else f"the quarantine is empty ({absent})")
            return
        entries = ws.store.quarantined(customer)
        if as_json:
            click.echo(
                json.dumps(
                    [
                        {
                            "key": e.key,
                            "customer": e.customer,
                            "kind": e.kind,
                            "reason": e.reason,
                            "name": e.data.get("name"),
                        }
                        for e in entries
                    ],
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        for e in entries:
            click.echo(f"{e.customer}  {e.key}  {e.data.get('name')!s}  {e.reason}")
        if not entries:
            click.echo(
                f"no quarantined contact for customer {_shown(customer)}"
                if customer
                else "the quarantine is empty"
            )


@quarantine.command("restore", short_help="Write a quarantined contact back to a system.")
@click.argument("key")
@config_option
@click.option(
    "--system", "system_name", help="Where to write it back (default: the first writable system)."
)
@handle_errors
def restore(key: str, config_path: Path, system_name: str | None) -> None:
    """Write a quarantined contact back to one system and release it from quarantine.

    Make room first: if the customer is still over the cap, the next reconcile
    quarantines the lowest-ranked contact again.
    """
    with Workspace.open(config_path) as ws:
        absent = no_state_store(ws.config.state_url)
        if absent is not None:
            raise Failure(f"{_shown(key)} is not in quarantine ({absent})", EXIT_USAGE)
        entry = next((e for e in ws.store.quarantined() if e.key == key), None)
        if entry is None:
            raise Failure(f"{_shown(key)} is not in quarantine", EXIT_USAGE)
        kind = Kind(entry.kind)
        if system_name:
            chosen = ws.systems.get(ws.config.system(system_name).name)  # unknown: named
            if chosen is None or not chosen.writable:
                raise Failure(f"system {system_name!r} is read-only here", EXIT_USAGE)
            if not chosen.stores(kind):
                raise Failure(f"system {system_name!r} stores no {kind.value} contacts", EXIT_USAGE)
            candidates = [chosen]
        else:
            candidates = [h for h in ws.ordered_systems() if h.writable and h.stores(kind)]
        if not candidates:
            raise Failure(f"no writable system stores {kind.value} contacts", EXIT_USAGE)
        handle = candidates[0]
        if kind == Kind.EMERGENCY:
            holding = _emergency_count(ws, handle, entry.customer)
            cap = ws.config.policy.emergency_max
            if holding >= cap:
                raise Failure(
                    f"system {handle.name!r} already holds {holding} emergency contact(s) for "
                    f"customer {entry.customer!r} (the cap is {cap}); archive one there first",
                    EXIT_USAGE,
                )
        om = handle.mapping.for_kind(kind)
        contact = CONTACT_ADAPTER.validate_python({**entry.data, "kind": kind.value})
        op = WriteOp("create", key, to_vendor(om, contact), None, f"restore-{key}")
        result = next(iter(handle.connector.push(kind, [op])))
        if not result.ok:
            said = f"{result.error.code} {result.error.message}" if result.error else "no reason"
            raise Failure(f"{handle.name} refused it: {said}", EXIT_FAILED)
        ws.store.restore(key)
        click.echo(f"restored {key} to {handle.name}")


def _emergency_count(ws: Workspace, handle: SystemHandle, customer: str) -> int:
    """How many emergency contacts ``handle`` holds for ``customer`` now."""
    from contactsync.reconcile.read import read_object
    from contactsync.reconcile.records import Snapshot

    snapshot = Snapshot()
    read_object(ws, handle, Kind.EMERGENCY, snapshot, full=True, progress=None)
    return sum(1 for record in snapshot.records if record.customer == customer and not record.mixed)

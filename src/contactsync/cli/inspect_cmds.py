"""`connectors`, `check` and `pull`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from contactsync.cli.app import (
    EXIT_FAILED,
    EXIT_FINDINGS,
    EXIT_USAGE,
    Failure,
    cli,
    config_option,
    handle_errors,
)
from contactsync.errors import in_system
from contactsync.models import Kind
from contactsync.plugins import get_host
from contactsync.redact import mask_text
from contactsync.runtime import SystemHandle, Workspace


@cli.command(short_help="List installed connectors and plugins.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@handle_errors
def connectors(as_json: bool) -> None:
    """List installed connectors and plugins, with their capabilities."""
    host = get_host()
    specs = host.connectors()
    rows: list[dict[str, Any]] = []
    info = {p.name: p for p in host.plugins()}
    for name in sorted(specs):
        spec = specs[name]
        plugin = info.get(host.connector_plugin(name))
        rows.append(
            {
                "name": name,
                "distribution": plugin.distribution if plugin else "?",
                "version": plugin.version if plugin else "?",
                "plugin": plugin.name if plugin else "?",
                "description": spec.description,
                "kinds": sorted(k.value for k in spec.capabilities.kinds),
                "capabilities": spec.capabilities.to_json(),
                "default_mapping": spec.default_mapping,
            }
        )
    plugins = [
        {
            "name": p.name,
            "distribution": p.distribution,
            "version": p.version,
            "builtin": p.builtin,
            "hooks": list(p.hooks),
        }
        for p in host.plugins()
    ]
    errors = [
        {"name": e.name, "distribution": e.distribution, "error": e.error} for e in host.load_errors
    ]
    if as_json:
        document = {"connectors": rows, "plugins": plugins, "errors": errors}
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    for row in rows:
        caps = row["capabilities"]
        click.echo(
            f"{row['name']:<12} {row['distribution']} {row['version']}  "
            f"kinds={','.join(row['kinds'])} incremental={caps['incremental']} "
            f"deletes={caps['deletes']} batch={caps['batch_size']}"
        )
    for error in errors:
        click.echo(
            f"plugin {error['name']} ({error['distribution']}) failed to load: {error['error']}",
            err=True,
        )


@cli.command(short_help="Check the configuration, credentials and mappings.")
@config_option
@click.option(
    "--online", is_flag=True, help="Also check each mapping against the live vendor schema."
)
@handle_errors
def check(config_path: Path, online: bool) -> None:
    """Check the configuration, credentials (environment only) and mappings.

    Each connector also checks what it can without calling the vendor (a token store it
    cannot use, a file that is not there); --online calls the vendor too.
    """
    with Workspace.open(config_path) as ws:
        failing: list[str] = []  # "system NAME: why", for the one error line at the end
        for name, handle in ws.systems.items():
            kinds = ", ".join(
                f"{k.value}→{handle.mapping.object_for(k)}" for k in Kind if handle.mapping.has(k)
            )
            click.echo(
                f"system {name}: connector {handle.spec.name}, {handle.config.mode}, {kinds}"
            )
            problems = handle.connector.check_offline()
            if problems:
                failing.append(f"system {name}: its connector cannot work as configured")
            elif online:
                with in_system(name):
                    problems = check_online(handle)
                if problems:
                    failing.append(f"system {name}: the live schema does not fit the mapping")
            for problem in problems:
                click.echo(f"  problem: {problem}", err=True)
        for error in ws.host.load_errors:
            click.echo(f"plugin {error.name} failed to load: {error.error}", err=True)
        if failing:
            raise Failure("; ".join(failing) + " (problems above)", EXIT_USAGE)
        click.echo("configuration is valid")


def check_online(handle: SystemHandle) -> list[str]:
    """Mapped fields missing from the vendor's described objects, then the connector's own
    schema rules (``Connector.check_schema``)."""
    schema = handle.connector.describe()
    problems = []
    for kind, obj in schema.items():
        if not handle.mapping.has(kind):
            continue
        om = handle.mapping.for_kind(kind)
        for field in om.vendor_fields:
            if field not in obj.fields:
                problems.append(f"{kind.value} object {obj.name!r} has no field {field!r}")
    return problems + handle.connector.check_schema()


@cli.command(short_help="Read one system's contacts as canonical JSON Lines.")
@config_option
@click.option("--system", "system_name", required=True, help="The configured system to read.")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in Kind]),
    required=True,
    help="Which contacts to read.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="JSON Lines file to write ('-' for standard output).",
)
@handle_errors
def pull(config_path: Path, system_name: str, kind: str, out: Path) -> None:
    """Read one system's contacts of one kind as canonical JSON Lines.

    Rows that cannot be read are reported on stderr with their row number; the rest are
    written. Exit code 1 when any row was reported.
    """
    from contactsync.reconcile.read import read_object
    from contactsync.reconcile.records import Snapshot

    with Workspace.open(config_path, only=[system_name]) as ws:
        handle = ws.systems.get(system_name)
        if handle is None:
            ws.config.system(system_name)  # raises with the configured names
            return
        wanted = Kind(kind)
        if not handle.stores(wanted):
            raise Failure(f"system {system_name!r} stores no {kind} contacts", EXIT_USAGE)
        to_stdout = str(out) == "-"
        if not to_stdout and not out.resolve().parent.is_dir():
            raise Failure(f"--out {out}: folder {out.parent} does not exist", EXIT_USAGE)
        snapshot = Snapshot()
        read_object(ws, handle, wanted, snapshot, full=True, progress=None)
        lines = [
            json.dumps(
                {**record.contact.model_dump(mode="json"), "_mixed_storage": record.mixed},
                ensure_ascii=False,
                sort_keys=True,
            )
            for record in snapshot.records
        ]
        text = "\n".join(lines) + ("\n" if lines else "")
        if to_stdout:
            click.echo(text, nl=False)
        else:
            try:
                out.write_text(text, encoding="utf-8")
            except OSError as exc:
                reason = exc.strerror or str(exc)
                raise Failure(f"--out {out}: cannot write ({reason})", EXIT_FAILED) from None
        for finding in snapshot.findings:
            click.echo(f"{finding.code.value}: {mask_text(finding.message)}", err=True)
        dropped = len(snapshot.findings) - snapshot.rejected
        click.echo(
            f"wrote {len(lines)} {kind} contact(s) from {system_name}"
            + (f" to {out}" if not to_stdout else "")
            + f"; {snapshot.rejected} row(s) rejected"
            + (f", {dropped} value problem(s) reported" if dropped else ""),
            err=True,
        )
        if snapshot.findings:  # a rejected row or a value that could not be read
            raise SystemExit(EXIT_FINDINGS)

"""`plan`, `apply`, `reconcile` and `report`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from contactsync.cli.app import (
    EXIT_FAILED,
    EXIT_FINDINGS,
    F,
    Failure,
    cli,
    config_option,
    end_progress,
    handle_errors,
    progress_printer,
)
from contactsync.plan import Plan
from contactsync.report import ApplySummary, findings_text, plan_text, report_json
from contactsync.runtime import Workspace

DEFAULT_PLAN = "contactsync-plan.json"


def _exit_for(plan: Plan, summary: ApplySummary | None = None) -> None:
    if summary is not None and not summary.ok:
        sys.exit(EXIT_FAILED)
    if any(f.needs_person for f in plan.findings):
        sys.exit(EXIT_FINDINGS)


def _options(func: F) -> F:
    func = click.option("--full", is_flag=True, help="Read everything, ignoring stored cursors.")(
        func
    )
    func = click.option(
        "--migrate-mixed",
        is_flag=True,
        help="Move emergency contacts found in business objects into the emergency object.",
    )(func)
    func = click.option(
        "--quiet", "-q", is_flag=True, help="Print the summary only, not each finding."
    )(func)
    return func


@cli.command()
@config_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_PLAN,
    show_default=True,
    help="Where to write the plan.",
)
@_options
@handle_errors
def plan(config_path: Path, out: Path, full: bool, migrate_mixed: bool, quiet: bool) -> None:
    """Compute what a sync would do and write it to a plan file. Writes to no system."""
    from contactsync.reconcile.engine import reconcile

    with Workspace.open(config_path) as ws:
        printer = progress_printer(True)
        result = reconcile(ws, full=full, migrate_mixed=migrate_mixed, progress=printer)
        end_progress(printer)
        result.plan.save(out)
        click.echo(plan_text(result.plan, show_findings=not quiet))
        click.echo(f"plan written to {out}")
        _exit_for(result.plan)


@cli.command(name="apply", short_help="Apply a saved plan, unless its data has changed.")
@click.argument("plan_file", type=click.Path(dir_okay=False, path_type=Path))
@config_option
@handle_errors
def apply_cmd(plan_file: Path, config_path: Path) -> None:
    """Apply a saved plan, if the data it was computed from has not changed since.

    An interrupted apply resumes when run again with the same plan.
    """
    from contactsync.apply import ApplyVetoed, apply_plan

    saved = Plan.load(plan_file)
    with Workspace.open(config_path) as ws:
        printer = progress_printer(True)
        try:
            summary = apply_plan(ws, saved, progress=printer)
        except ApplyVetoed as exc:
            raise Failure(str(exc), EXIT_FINDINGS) from None
        finally:
            end_progress(printer)
        click.echo(summary.text())
        _exit_for(saved, summary)


@cli.command(short_help="Plan and, with --apply, apply: the main job.")
@config_option
@click.option("--apply", "do_apply", is_flag=True, help="Apply the plan right away.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_PLAN,
    show_default=True,
    help="Where to write the plan.",
)
@_options
@handle_errors
def reconcile(
    config_path: Path, do_apply: bool, out: Path, full: bool, migrate_mixed: bool, quiet: bool
) -> None:
    """Plan and, with --apply, apply: the main job, safe to re-run from cron."""
    from contactsync.apply import ApplyVetoed, apply_plan
    from contactsync.reconcile.engine import reconcile as compute

    with Workspace.open(config_path) as ws:
        printer = progress_printer(True)
        result = compute(ws, full=full, migrate_mixed=migrate_mixed, progress=printer)
        end_progress(printer)
        result.plan.save(out)
        click.echo(plan_text(result.plan, show_findings=not quiet))
        summary = None
        if do_apply:
            try:
                summary = apply_plan(ws, result.plan)
            except ApplyVetoed as exc:
                raise Failure(str(exc), EXIT_FINDINGS) from None
            click.echo(summary.text())
        _exit_for(result.plan, summary)


@cli.command(short_help="Findings by customer, with overdue reviews.")
@config_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Text for people or JSON for scripts.",
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report on a saved plan instead of reading the systems now.",
)
@handle_errors
def report(config_path: Path, fmt: str, plan_file: Path | None) -> None:
    """Findings by customer, with overdue reviews and their due dates."""
    if plan_file is not None:
        current = Plan.load(plan_file)
    else:
        from contactsync.reconcile.engine import reconcile as compute

        with Workspace.open(config_path) as ws:
            current = compute(ws).plan
    if fmt == "json":
        click.echo(report_json(current))
    else:
        click.echo(plan_text(current, show_findings=False))
        click.echo(findings_text(current.findings) if current.findings else "no findings")
    _exit_for(current)

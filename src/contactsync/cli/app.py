"""The command group, shared options, exit codes and error handling.

Exit codes (DESIGN section 4): 0 clean, 1 findings that need a person, 2 usage or
configuration error, 3 the run failed, 4 a vendor's API quota ran out (stopped cleanly
with a checkpoint; run again later to resume).
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from contactsync.config import CONFIG_FILE_NAME
from contactsync.errors import AuthError, ConfigError, ContactsyncError, QuotaExhausted, StalePlan
from contactsync.redact import mask_text

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_FAILED = 3
EXIT_QUOTA = 4

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """An error shown as one line, with the exit code it deserves."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(one_line(message))
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance too

    def show(self, file: Any = None) -> None:
        click.echo(f"contactsync: error: {self.format_message()}", err=True)


def handle_errors(func: F) -> F:
    """Turn contactsync errors into one clear line and the right exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if debug:
                traceback.print_exc()
            raise Failure(describe_error(exc, debug=debug), exit_code_for(exc)) from None

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature


def one_line(text: str) -> str:
    """``text`` with every run of whitespace, newlines included, made one space."""
    return " ".join(text.split())


def describe_error(exc: BaseException, *, debug: bool = False) -> str:
    """The one line a person sees for ``exc``, with personal data masked.

    contactsync's own errors are written for people and shown as they are. Anything else
    is a fault in the environment or a bug: its type is named, and ``--debug`` offered.
    """
    text = one_line(mask_text(str(exc)))
    if isinstance(exc, ContactsyncError):
        return text or type(exc).__name__
    described = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return described if debug else f"{described} (run with --debug for the traceback)"


def exit_code_for(exc: BaseException) -> int:
    """The exit code an uncaught ``exc`` ends a command with (DESIGN section 4)."""
    if isinstance(exc, ConfigError | StalePlan | AuthError):
        return EXIT_USAGE
    if isinstance(exc, QuotaExhausted):
        return EXIT_QUOTA
    return EXIT_FAILED  # the run failed: ours (InvariantViolation...) or not ours (a bug)


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=CONFIG_FILE_NAME,
        show_default=True,
        help="The configuration file.",
    )(func)


def progress_printer(enabled: bool) -> Callable[[str, int], None] | None:
    """A one-line counter on a terminal's stderr; nothing under cron (no TTY)."""
    if not enabled or not sys.stderr.isatty():
        return None
    counts: dict[str, int] = {}

    def show(label: str, n: int) -> None:
        counts[label] = counts.get(label, 0) + n
        click.echo(f"\rreading {label}: {counts[label]} records", err=True, nl=False)
        sys.stderr.flush()

    return show


def end_progress(printer: Callable[[str, int], None] | None) -> None:
    if printer is not None:
        click.echo("", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="contactsync")
def cli(debug: bool) -> None:
    """Keep emergency and business contacts consistent across CRMs.

    Emergency contacts stay separate from business contacts, 1 to 3 per customer,
    each reviewed on a schedule. Run `contactsync COMMAND --help` for a command.
    """


def main() -> None:
    cli(prog_name="contactsync")

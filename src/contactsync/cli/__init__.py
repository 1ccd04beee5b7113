"""The ``contactsync`` command line."""

from contactsync.cli import inspect_cmds, review_cmds, secret_cmds, sync_cmds
from contactsync.cli.app import cli, main

__all__ = ["cli", "inspect_cmds", "main", "review_cmds", "secret_cmds", "sync_cmds"]

"""vcrpy, set up the one way contactsync records and replays cassettes.

Replay is the default: ``record_mode="none"``, so a request the cassette does not hold
fails the test and nothing ever reaches a network. The one switch to re-record is the
environment variable ``CONTACTSYNC_RECORD=1``: every cassette a test opens is then
deleted and recorded afresh (``record_mode="all"``) against the emulator the test serves,
through the scrubbers. The command is ``CONTACTSYNC_RECORD=1 make test``
(docs/writing_connectors.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import vcr

from contactsync.testing.cassettes.scrub import Scrubber
from contactsync.testing.emulator import serve

RECORD_ENV = "CONTACTSYNC_RECORD"
EMULATOR_ALIAS = "http://emulator.test"
"""The base URL cassettes record instead of the emulator's ``127.0.0.1:<port>``."""

MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "body")
"""Requests match on everything they send: a connector that changes what it sends must
re-record, so a cassette cannot quietly keep passing for requests no longer made."""


def recording() -> bool:
    """Whether this run records cassettes (``CONTACTSYNC_RECORD`` set and not ``0``)."""
    return os.environ.get(RECORD_ENV, "").strip() not in ("", "0")


def vcr_config(scrubber: Scrubber | None = None, **overrides: Any) -> dict[str, Any]:
    """The keyword arguments of ``vcr.VCR().use_cassette(path, ...)`` for our cassettes."""
    scrub = scrubber or Scrubber()
    config: dict[str, Any] = {
        "record_mode": "all" if recording() else "none",
        "match_on": MATCH_ON,
        "decode_compressed_response": True,
        "before_record_request": scrub.request,
        "before_record_response": scrub.response,
        "serializer": "yaml",
        "allow_playback_repeats": False,
    }
    config.update(overrides)
    return config


@contextmanager
def use_cassette(
    path: Path,
    *,
    scrubber: Scrubber | None = None,
    require_all_played: bool = True,
    **overrides: Any,
) -> Iterator[Any]:
    """Replay (or, with ``CONTACTSYNC_RECORD=1``, record afresh) the cassette at ``path``.

    Args:
        require_all_played: on replay, fail when the test did not make every recorded
            request (the connector stopped sending something the cassette expects).
    """
    if recording():
        path.unlink(missing_ok=True)
    elif not path.is_file():
        raise FileNotFoundError(
            f"{path}: no such cassette; record it with {RECORD_ENV}=1 (docs/writing_connectors.md)"
        )
    with vcr.VCR().use_cassette(str(path), **vcr_config(scrubber, **overrides)) as cassette:
        yield cassette
    if require_all_played and not recording() and not cassette.all_played:
        raise AssertionError(f"{path}: the test did not make every request the cassette holds")


@contextmanager
def emulator_cassette(
    path: Path,
    make_app: Callable[[], Any],
    *,
    scrubber: Scrubber | None = None,
    alias: str = EMULATOR_ALIAS,
    **overrides: Any,
) -> Iterator[str]:
    """A cassette recorded against an emulator; yields the base URL to point the connector at.

    Recording, ``make_app()`` is served on 127.0.0.1 and the recorded requests name
    ``alias`` instead of its ephemeral address. Replaying, no emulator runs: the base URL
    is ``alias`` and every answer comes from the cassette.
    """
    scrub = scrubber or Scrubber()
    if recording():
        with (
            serve(make_app()) as server,
            use_cassette(path, scrubber=scrub.replacing({server.url: alias}), **overrides),
        ):
            yield server.url
    else:
        with use_cassette(path, scrubber=scrub, **overrides):
            yield alias

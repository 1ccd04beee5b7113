"""Cassette tools: vcrpy configuration, scrubbers and the cassette guard.

* ``use_cassette(path)`` / ``emulator_cassette(path, make_app)``: replay with
  ``record_mode="none"``; ``CONTACTSYNC_RECORD=1`` records afresh.
* ``Scrubber``: secrets, instance URLs, org ids and personal data out of what is recorded.
* ``scan_cassette``, ``repository_cassettes``: the guard run by
  ``tests/testing/test_cassette_guard.py``.
"""

from contactsync.testing.cassettes.config import (
    EMULATOR_ALIAS,
    MATCH_ON,
    RECORD_ENV,
    emulator_cassette,
    recording,
    use_cassette,
    vcr_config,
)
from contactsync.testing.cassettes.guard import (
    Leak,
    find_cassettes,
    repository_cassettes,
    scan_all,
    scan_cassette,
)
from contactsync.testing.cassettes.pii import REDACTED
from contactsync.testing.cassettes.scrub import Scrubber

__all__ = [
    "EMULATOR_ALIAS",
    "MATCH_ON",
    "RECORD_ENV",
    "REDACTED",
    "Leak",
    "Scrubber",
    "emulator_cassette",
    "find_cassettes",
    "recording",
    "repository_cassettes",
    "scan_all",
    "scan_cassette",
    "use_cassette",
    "vcr_config",
]

"""The ``sqlite`` connector: the embedded default hub, a local SQLite file.

Registered through the ``contactsync`` entry-point group exactly as a third-party plugin
would be. Each kind lives in its own table (the mapping's object), keyed by the
contactsync key, with ``modified_at`` for incremental pulls and ``archived_at`` for soft
archiving, reported back as a delete feed.

Settings (the system's table): ``path`` (``contactsync_hub.db``, relative to the folder of
``contactsync.toml``), ``page_size`` (1000), ``lookback_seconds`` (5).
"""

from __future__ import annotations

from collections.abc import Callable

from contactsync.connector import ConnectorSpec
from contactsync.plugins import hookimpl
from contactsync_sqlite.connector import CAPABILITIES, SqliteConnector

__all__ = ["CAPABILITIES", "SqliteConnector", "contactsync_register_connectors"]


@hookimpl
def contactsync_register_connectors(register: Callable[[ConnectorSpec], None]) -> None:
    register(
        ConnectorSpec(
            name="sqlite",
            factory=SqliteConnector,
            capabilities=CAPABILITIES,
            default_mapping="sqlite.toml",
            description="Local SQLite hub, one table per kind; incremental with a delete feed",
        )
    )

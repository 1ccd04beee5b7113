"""The ``csv`` connector: contacts in CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and xlsx files.

Registered through the ``contactsync`` entry-point group exactly as a third-party plugin
would be. One file per kind, named by the mapping's object, relative to the folder of
``contactsync.toml``.

Settings (the system's table): ``encoding`` (``auto``, or a codec such as ``gbk``),
``delimiter`` (``,``), ``sheet`` (xlsx; the first sheet), ``header_row`` (1-based;
detected), ``page_size`` (records per page, 1000).
"""

from __future__ import annotations

from collections.abc import Callable

from contactsync.connector import ConnectorSpec
from contactsync.plugins import hookimpl
from contactsync_csv.connector import CAPABILITIES, CsvConnector

__all__ = ["CAPABILITIES", "CsvConnector", "contactsync_register_connectors"]


@hookimpl
def contactsync_register_connectors(register: Callable[[ConnectorSpec], None]) -> None:
    register(
        ConnectorSpec(
            name="csv",
            factory=CsvConnector,
            capabilities=CAPABILITIES,
            default_mapping="csv.toml",
            description="CSV and Excel (.xlsx) files, one per kind; GBK and UTF-8 detected",
        )
    )

"""The ``jiandaoyun`` connector: contacts in Jiandaoyun (简道云) forms, over open API v5.

Registered through the ``contactsync`` entry-point group exactly as a third-party plugin
would be. Jiandaoyun has no contact entity: emergency contacts and business contacts each
live in their own ordinary form, both linking to the customer form. Set-up, settings and
limits: ``docs/connectors/jiandaoyun.md``; the default mapping is ``jiandaoyun.toml``.
"""

from __future__ import annotations

from collections.abc import Callable

from contactsync.connector import ConnectorSpec
from contactsync.plugins import hookimpl
from contactsync_jiandaoyun.connector import CAPABILITIES, JiandaoyunConnector

__all__ = ["CAPABILITIES", "JiandaoyunConnector", "contactsync_register_connectors"]


@hookimpl
def contactsync_register_connectors(register: Callable[[ConnectorSpec], None]) -> None:
    register(
        ConnectorSpec(
            name="jiandaoyun",
            factory=JiandaoyunConnector,
            capabilities=CAPABILITIES,
            default_mapping="jiandaoyun.toml",
            description="Jiandaoyun (简道云) forms over open API v5; incremental by updateTime",
        )
    )

"""The ``example_crm`` connector: contacts in the Example CRM, a made-up JSON REST CRM.

The worked example of ``docs/writing_connectors.md``: copy this folder, rename it, and
follow the guide. It registers one connector through the ``contactsync`` entry-point
group, exactly as any third-party plugin does.

Settings (the system's table in ``contactsync.toml``): ``base_url`` (required),
``page_size`` (200, the API's most), ``lookback_seconds`` (5), ``timeout_seconds`` (30),
``max_attempts`` (4), and ``credentials = { api_token = { env = "EXAMPLE_CRM_TOKEN" } }``.
"""

from __future__ import annotations

from collections.abc import Callable

from contactsync.connector import ConnectorSpec
from contactsync.plugins import hookimpl
from contactsync_example_crm.connector import CAPABILITIES, MAPPING_FILE, ExampleCrmConnector

__version__ = "0.1.0"
__all__ = ["CAPABILITIES", "ExampleCrmConnector", "contactsync_register_connectors"]


@hookimpl
def contactsync_register_connectors(register: Callable[[ConnectorSpec], None]) -> None:
    register(
        ConnectorSpec(
            name="example_crm",
            factory=ExampleCrmConnector,
            capabilities=CAPABILITIES,
            default_mapping=str(MAPPING_FILE),
            description="Example CRM (a made-up JSON REST API): the connector-kit example",
        )
    )

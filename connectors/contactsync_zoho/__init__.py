"""The ``zoho`` connector: Zoho CRM through REST API v8, on contactsync's own thin client.

Registered through the ``contactsync`` entry-point group exactly as a third-party plugin
would be. Emergency and business contacts live in their own modules (default
``Emergency_Contacts``, a custom module with a lookup to Accounts, and ``Contacts``),
each with a unique ``Contactsync_Key`` field that makes every write an idempotent upsert.
See ``docs/connectors/zoho.md``, also for why this is not built on ``zcrmsdk``.

Settings (the system's table): ``data_centre`` (US, EU, IN, AU, CN, JP, CA, SA),
``account_key_field`` (``Account_Number``), ``incremental`` (``if_modified_since`` or
``coql``), ``zcrmsdk_token_file``, and more in ``contactsync_zoho.settings``.
Credentials: ``client_id``, ``client_secret``, ``refresh_token``.
"""

from __future__ import annotations

from collections.abc import Callable

from contactsync.connector import ConnectorSpec
from contactsync.plugins import hookimpl
from contactsync_zoho.connector import CAPABILITIES, ZohoConnector
from contactsync_zoho.settings import DATA_CENTRES, ZohoSettings
from contactsync_zoho.tokens import AccessToken, MemoryTokenStore, StoredTokens, TokenStore
from contactsync_zoho.zcrmsdk_store import ZcrmsdkFileTokenStore, read_zcrmsdk_file

__all__ = [
    "CAPABILITIES",
    "DATA_CENTRES",
    "AccessToken",
    "MemoryTokenStore",
    "StoredTokens",
    "TokenStore",
    "ZcrmsdkFileTokenStore",
    "ZohoConnector",
    "ZohoSettings",
    "contactsync_register_connectors",
    "read_zcrmsdk_file",
]


@hookimpl
def contactsync_register_connectors(register: Callable[[ConnectorSpec], None]) -> None:
    register(
        ConnectorSpec(
            name="zoho",
            factory=ZohoConnector,
            capabilities=CAPABILITIES,
            default_mapping="zoho.toml",
            description=(
                "Zoho CRM (REST API v8), one module per kind; incremental with a delete feed"
            ),
        )
    )

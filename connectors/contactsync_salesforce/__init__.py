"""The ``salesforce`` connector: emergency and business contacts in a Salesforce org.

Registered through the ``contactsync`` entry-point group exactly as a third-party plugin
would be; install with the ``salesforce`` extra (simple-salesforce). Emergency contacts
live in a custom object (``Emergency_Contact__c``, lookup to Account), business contacts
in ``Contact``, both keyed by the external-id field ``Contactsync_Key__c``. Settings,
auth and the fields an administrator creates: ``docs/connectors/salesforce.md``.
"""

from __future__ import annotations

from collections.abc import Callable

from contactsync.connector import ConnectorSpec
from contactsync.plugins import hookimpl
from contactsync_salesforce.connector import BATCH_LIMIT, CAPABILITIES, SalesforceConnector
from contactsync_salesforce.errors import SalesforceQuotaExhausted
from contactsync_salesforce.settings import DEFAULT_API_VERSION, SalesforceSettings

__all__ = [
    "BATCH_LIMIT",
    "CAPABILITIES",
    "DEFAULT_API_VERSION",
    "SalesforceConnector",
    "SalesforceQuotaExhausted",
    "SalesforceSettings",
    "contactsync_register_connectors",
]


@hookimpl
def contactsync_register_connectors(register: Callable[[ConnectorSpec], None]) -> None:
    register(
        ConnectorSpec(
            name="salesforce",
            factory=SalesforceConnector,
            capabilities=CAPABILITIES,
            default_mapping="salesforce.toml",
            description="Salesforce REST (simple-salesforce): custom emergency object and "
            "Contact; upsert by external id, SOQL increments with Get Deleted",
        )
    )

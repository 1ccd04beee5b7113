"""An emulator of the Salesforce REST subset contactsync uses, for tests and benchmarks.

``SalesforceEmulator`` is a WSGI app built on the connector kit
(``contactsync.testing.emulator``); serve it with ``serve()`` and reach it with
``routed_session(server.url)``. It is checked against the real recorded responses in
``shared/fixtures/real/salesforce`` (``tests/connectors/salesforce``).
"""

from contactsync_salesforce.emulator.app import (
    FAKE_INSTANCE,
    ID_PREFIX,
    SalesforceEmulator,
    sf_error,
)
from contactsync_salesforce.emulator.org import FieldSpec, ObjectSpec, Org, default_org
from contactsync_salesforce.emulator.routing import (
    EmulatorSessions,
    LoopbackRouting,
    routed_session,
)
from contactsync_salesforce.emulator.soql import SoqlError, parse

__all__ = [
    "FAKE_INSTANCE",
    "ID_PREFIX",
    "EmulatorSessions",
    "FieldSpec",
    "LoopbackRouting",
    "ObjectSpec",
    "Org",
    "SalesforceEmulator",
    "SoqlError",
    "default_org",
    "parse",
    "routed_session",
    "sf_error",
]

"""The emulator harness: serve a vendor emulator on 127.0.0.1 inside a test, with faults.

* ``serve(app)`` / the ``emulator_server`` fixture: run a WSGI app on an ephemeral port.
* ``FaultScript`` with ``Respond``, ``Delay`` and ``CommitThenDrop``: what the next
  matching requests get.
* ``EmulatorApp``, ``route``, ``Request``, ``json_response``: a small base for emulators.
* ``RecordStore`` and ``Clock``: records with stable ids, stamps and keyset paging.
"""

from contactsync.testing.emulator.app import (
    BadRequest,
    EmulatorApp,
    Request,
    Response,
    VendorFault,
    WriteCall,
    json_response,
    route,
)
from contactsync.testing.emulator.faults import (
    CommitThenDrop,
    Delay,
    Fault,
    FaultRule,
    FaultScript,
    FiredFault,
    Respond,
)
from contactsync.testing.emulator.server import (
    LOOPBACK,
    EmulatorServers,
    RunningEmulator,
    SeenRequest,
    serve,
)
from contactsync.testing.emulator.store import Clock, Page, RecordStore, StoredRecord

__all__ = [
    "LOOPBACK",
    "BadRequest",
    "Clock",
    "CommitThenDrop",
    "Delay",
    "EmulatorApp",
    "EmulatorServers",
    "Fault",
    "FaultRule",
    "FaultScript",
    "FiredFault",
    "Page",
    "RecordStore",
    "Request",
    "Respond",
    "Response",
    "RunningEmulator",
    "SeenRequest",
    "StoredRecord",
    "VendorFault",
    "WriteCall",
    "json_response",
    "route",
    "serve",
]

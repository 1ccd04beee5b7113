"""The connector kit: what a connector author needs to test a connector offline.

* ``ConnectorContract`` / ``EmulatedContract``: the contract suite; subclass once as
  ``class TestMyConnector(ConnectorContract)`` and implement ``make_connector``.
* ``contactsync.testing.contract.checks``: each point of the contract as a function.
* ``contactsync.testing.emulator``: serve a vendor emulator on 127.0.0.1 with faults.
* ``contactsync.testing.cassettes``: vcrpy configuration, scrubbers and the cassette guard
  (imported on its own: it needs vcrpy).
* ``contactsync.testing.fakes``: the fake names, phones and e-mails tests may hold.
* ``contactsync.testing.pytest_plugin``: fixtures, loaded by pytest through the
  ``pytest11`` entry point.

See ``docs/writing_connectors.md``.
"""

from contactsync.testing.contract import (
    CHECKS,
    ConnectorContract,
    ContractViolation,
    EmulatedContract,
    NotApplicable,
    RejectedWrite,
    Subject,
    create_op,
    sample_contacts,
    update_op,
)

__all__ = [
    "CHECKS",
    "ConnectorContract",
    "ContractViolation",
    "EmulatedContract",
    "NotApplicable",
    "RejectedWrite",
    "Subject",
    "create_op",
    "sample_contacts",
    "update_op",
]

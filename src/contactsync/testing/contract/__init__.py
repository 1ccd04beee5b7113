"""The connector contract: the suite (``ConnectorContract``), its checks and samples."""

from contactsync.testing.contract.checks import CHECKS, Check
from contactsync.testing.contract.samples import AnyContact, changed, sample_contacts, sample_key
from contactsync.testing.contract.subject import (
    ContractViolation,
    LostResponse,
    NotApplicable,
    PullRun,
    RejectedWrite,
    Subject,
    create_op,
    update_op,
)
from contactsync.testing.contract.suite import ConnectorContract, EmulatedContract

__all__ = [
    "CHECKS",
    "AnyContact",
    "Check",
    "ConnectorContract",
    "ContractViolation",
    "EmulatedContract",
    "LostResponse",
    "NotApplicable",
    "PullRun",
    "RejectedWrite",
    "Subject",
    "changed",
    "create_op",
    "sample_contacts",
    "sample_key",
    "update_op",
]

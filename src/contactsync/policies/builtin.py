"""The built-in policies, registered like any plugin's (a plugin may replace one by name).

``MISSING_FIELD`` needs no policy object: a record missing a required field never
becomes a contact, and the reader reports it with the record and the field.
"""

from __future__ import annotations

from collections.abc import Callable

from contactsync.plugins import hookimpl
from contactsync.policies.base import Policy
from contactsync.policies.emergency_cap import EmergencyCapPolicy
from contactsync.policies.phone_verified import PhoneVerifiedPolicy
from contactsync.policies.priorities import UniquePriorityPolicy
from contactsync.policies.review_due import ReviewDuePolicy
from contactsync.policies.separate_storage import SeparateStoragePolicy

BUILTIN_POLICIES: tuple[Policy, ...] = (
    SeparateStoragePolicy(),
    EmergencyCapPolicy(),
    UniquePriorityPolicy(),
    ReviewDuePolicy(),
    PhoneVerifiedPolicy(),
)


@hookimpl
def contactsync_register_policies(register: Callable[[Policy], None]) -> None:
    for policy in BUILTIN_POLICIES:
        register(policy)

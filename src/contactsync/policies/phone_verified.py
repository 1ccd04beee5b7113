"""PHONE_UNVERIFIED: an emergency contact with no valid E.164 phone cannot be called.

An edit that replaces an emergency contact's working numbers with ones that cannot be
read (``not a phone``, a number missing digits) is not copied everywhere: the numbers
another system still holds that can be called are kept, and the edit is reported so a
person fixes it. A contact whose phones were emptied on purpose is only reported.
"""

from __future__ import annotations

from typing import Any

from contactsync.findings import Code
from contactsync.policies.base import CustomerDraft, PolicyContext
from contactsync.reconcile.records import Group


def _callable(phones: Any) -> bool:
    return isinstance(phones, list) and any(isinstance(p, dict) and p.get("e164") for p in phones)


class PhoneVerifiedPolicy:
    name = "phone_verified"
    codes = (Code.PHONE_UNVERIFIED,)

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        for group in draft.emergency(kept_only=True):
            phones = group.merged_values.get("phones") or []
            if _callable(phones):
                continue
            problems = sorted({str(p.get("problem")) for p in phones if isinstance(p, dict)})
            who = f"emergency contact {group.merged_values.get('name')!r} ({group.key})"
            working = _working_elsewhere(group, context) if phones else None
            if working is not None:
                system, numbers = working
                group.merged_values["phones"] = numbers
                draft.add(
                    Code.PHONE_UNVERIFIED,
                    f"{who}: its new phone number(s) cannot be called "
                    f"({'; '.join(problems) or 'not a number'}); the working number(s) "
                    f"{system} holds are kept everywhere until someone fixes the contact",
                    records=group.refs(),
                    key=group.key,
                )
                continue
            draft.add(
                Code.PHONE_UNVERIFIED,
                f"{who} has no valid phone number: {'; '.join(problems) or 'none given'}",
                records=group.refs(),
                key=group.key,
            )


def _working_elsewhere(group: Group, context: PolicyContext) -> tuple[str, list[Any]] | None:
    """The first system, in conflict-priority order, whose record of ``group`` holds a phone
    that can be called, with its phones."""
    order = {name: i for i, name in enumerate(context.sync.system_priority)}
    for system in sorted(group.members, key=lambda name: (order.get(name, len(order)), name)):
        phones = group.members[system].values.get("phones")
        if isinstance(phones, list) and _callable(phones):
            return system, list(phones)
    return None

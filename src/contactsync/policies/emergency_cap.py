"""CAP_EXCEEDED and NO_EMERGENCY_CONTACT: 1 to 3 emergency contacts per customer.

Over the cap, the top ``emergency_max`` in the order of ``policies.ranking`` are kept; the
rest go to quarantine (never deleted, never pushed to a system that lacks them). A system
that already holds more than the cap is reported; with ``enforce_cap`` the planner
archives its overflow there after the quarantine holds a full copy.
"""

from __future__ import annotations

from collections import Counter

from contactsync.findings import Code
from contactsync.policies.base import CustomerDraft, PolicyContext
from contactsync.policies.ranking import ranked


class EmergencyCapPolicy:
    name = "emergency_cap"
    codes = (Code.CAP_EXCEEDED, Code.NO_EMERGENCY_CONTACT)

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        low, high = context.policy.emergency_min, context.policy.emergency_max
        live = draft.emergency()
        if len(live) < low:
            draft.add(
                Code.NO_EMERGENCY_CONTACT,
                f"customer {draft.customer!r} has {len(live)} emergency contact(s); "
                f"at least {low} required",
                details={"count": len(live), "min": low},
            )
        # Quarantine is sticky: a contact stays there until a person restores it, so the
        # kept set does not shift when renumbered priorities are ranked again.
        for group in live:
            if group.key in context.quarantined:
                group.quarantine = context.quarantined[group.key]
        held_back = [g for g in live if g.quarantine is not None]
        order = ranked([g for g in live if g.quarantine is None])
        for position, group in enumerate(order[high:], start=high + 1):
            group.quarantine = (
                f"over the cap of {high}: ranked {position} of {len(order)} by priority, "
                "decision authority, newest review, newest update, key"
            )
        overflow = held_back + order[high:]
        if overflow:
            draft.add(
                Code.CAP_EXCEEDED,
                f"customer {draft.customer!r} has {len(live)} emergency contacts across all "
                f"systems; kept {len(live) - len(overflow)}, {len(overflow)} in quarantine "
                "(`contactsync quarantine list`)",
                records=tuple(ref for group in overflow for ref in group.refs()),
                details={"count": len(live), "max": high, "quarantined": sorted(g.key for g in overflow)},
            )
        held = Counter(
            member.system for group in live for member in group.members.values() if not member.mixed
        )
        for system, count in sorted(held.items()):
            if count > high:
                action = (
                    "its overflow is archived there after a full copy is quarantined"
                    if context.policy.enforce_cap
                    else "left as it is (set enforce_cap to archive the overflow)"
                )
                draft.add(
                    Code.CAP_EXCEEDED,
                    f"system {system!r} holds {count} emergency contacts for customer "
                    f"{draft.customer!r}, above the cap of {high}; {action}",
                    details={"system": system, "count": count, "max": high},
                )

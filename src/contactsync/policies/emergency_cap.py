"""CAP_EXCEEDED and NO_EMERGENCY_CONTACT: 1 to 3 emergency contacts per customer.

Over the cap, the top ``emergency_max`` in the order of ``policies.ranking`` are kept; the
rest go to quarantine (never deleted, never pushed to a system that lacks them). A contact
in quarantine stays there while the kept ones fill the cap, so the kept set does not shift
from run to run; when a place comes free (a kept contact is deleted), the best of those in
quarantine, in the same order, is released (``RELEASED``) and synced again.
``NO_EMERGENCY_CONTACT`` counts the contacts kept.

A system that already holds more than the cap is reported; its count is its rows (a
duplicate or an unreadable row counts too). With ``enforce_cap`` the planner archives its
overflow there after the quarantine holds a full copy.
"""

from __future__ import annotations

from contactsync.findings import Code
from contactsync.models import Kind
from contactsync.policies.base import CustomerDraft, PolicyContext
from contactsync.policies.ranking import ranked


class EmergencyCapPolicy:
    name = "emergency_cap"
    codes = (Code.CAP_EXCEEDED, Code.NO_EMERGENCY_CONTACT)

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        low, high = context.policy.emergency_min, context.policy.emergency_max
        live = draft.emergency()
        # Quarantine is sticky: a contact stays there until a person restores it, so the
        # kept set does not shift when renumbered priorities are ranked again.
        for group in live:
            if group.key in context.quarantined:
                group.quarantine = context.quarantined[group.key]
        held_back = [g for g in live if g.quarantine is not None]
        order = ranked([g for g in live if g.quarantine is None])
        # A place freed under the cap (a kept contact deleted) goes back to the best of
        # those in quarantine, in the same documented order; apply releases them.
        for group in ranked(held_back)[: max(high - len(order), 0)]:
            group.quarantine = None
            group.released = True
            held_back.remove(group)
            draft.add(
                Code.RELEASED,
                f"emergency contact {group.merged_values.get('name')!r} ({group.key}) leaves "
                f"quarantine: customer {draft.customer!r} has a free place under the cap",
                records=group.refs(),
                key=group.key,
            )
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
                details={
                    "count": len(live),
                    "max": high,
                    "quarantined": sorted(g.key for g in overflow),
                },
            )
        kept = len(live) - len(overflow)
        if kept < low:
            draft.add(
                Code.NO_EMERGENCY_CONTACT,
                f"customer {draft.customer!r} has {kept} emergency contact(s)"
                + (f" ({len(overflow)} more in quarantine)" if overflow else "")
                + f"; at least {low} required",
                details={"count": kept, "min": low},
            )
        objects = {(s, m.object) for g in live for s, m in g.members.items() if not m.mixed}
        objects |= {
            (u.system, u.object) for u in draft.unplaced if u.kind == Kind.EMERGENCY and not u.mixed
        }
        for system, obj in sorted(objects):
            rows = draft.emergency_rows(system, obj)
            count = len(rows)
            if count > high:
                grouped = {g.key for g in draft.emergency() if system in g.members}
                unread = len(rows - grouped)  # rows in no group: unreadable or ambiguous
                if not context.policy.enforce_cap:
                    action = "left as it is (set enforce_cap to archive the overflow)"
                elif count - unread <= high:
                    action = (
                        f"{unread} of them cannot be synced (reported), so nothing is "
                        "archived: fix or remove them there"
                    )
                else:
                    action = "its overflow is archived there after a full copy is quarantined" + (
                        f"; {unread} that cannot be synced are left for a person" if unread else ""
                    )
                draft.add(
                    Code.CAP_EXCEEDED,
                    f"system {system!r} holds {count} emergency contacts for customer "
                    f"{draft.customer!r}, above the cap of {high}; {action}",
                    details={"system": system, "count": count, "max": high},
                )

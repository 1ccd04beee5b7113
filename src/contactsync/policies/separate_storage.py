"""MIXED_STORAGE: emergency contacts found in a business object (DESIGN invariant 1).

Every emergency row of a legacy business object is reported, including one that is in no
group (the same person as another record of its system, or ambiguous): that one is not
moved by ``--migrate-mixed`` until its other finding is settled.
"""

from __future__ import annotations

from contactsync.findings import Code
from contactsync.models import Kind
from contactsync.policies.base import CustomerDraft, PolicyContext


class SeparateStoragePolicy:
    name = "separate_storage"
    codes = (Code.MIXED_STORAGE,)

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        for group in draft.emergency():
            for member in sorted(group.members.values(), key=lambda m: m.ref):
                if not member.mixed:
                    continue
                system = context.systems.get(member.system)
                target = system.objects.get(group.kind) if system else None
                if system is not None and not system.writable:
                    advice = (
                        "the system is read-only here: it is copied to the other systems' "
                        "emergency objects, and should be moved out of this one at the source"
                    )
                elif context.migrate_mixed and target:
                    advice = f"planned to move into {target!r} (--migrate-mixed)"
                elif context.migrate_mixed:
                    advice = "not moved: the system has no emergency object in its mapping"
                else:
                    advice = "run with --migrate-mixed to move it without losing a field"
                draft.add(
                    Code.MIXED_STORAGE,
                    f"{member.ref} is an emergency contact stored in the business object "
                    f"{member.object!r}; {advice}",
                    records=(member.ref,),
                    key=group.key,
                    details={"system": member.system, "object": member.object},
                )
        for row in draft.unplaced:
            if not row.mixed or row.kind != Kind.EMERGENCY:
                continue
            ref = row.ref
            draft.add(
                Code.MIXED_STORAGE,
                f"{ref} is an emergency contact stored in the business object {row.object!r}; "
                "it is not moved: it is in no group (see its duplicate, ambiguity or "
                "invalid-record finding)",
                records=(ref,),
                details={"system": row.system, "object": row.object},
            )

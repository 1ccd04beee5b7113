"""DUPLICATE_PRIORITY: priorities 1..n are unique per customer.

When the kept emergency contacts' priorities are not exactly 1..n, they are renumbered
in the ranking order (``policies.ranking``), which is stable: a renumbered set ranks the
same way next time, so the renumbering happens once.
"""

from __future__ import annotations

from collections import Counter

from contactsync.findings import Code
from contactsync.policies.base import CustomerDraft, PolicyContext
from contactsync.policies.ranking import ranked


class UniquePriorityPolicy:
    name = "unique_priorities"
    codes = (Code.DUPLICATE_PRIORITY,)

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        kept = ranked(draft.emergency(kept_only=True))
        wanted = list(range(1, len(kept) + 1))
        current = [g.merged_values.get("priority") for g in kept]
        if current == wanted:
            return
        duplicates = sorted(p for p, n in Counter(current).items() if n > 1 and p is not None)
        for group, priority in zip(kept, wanted, strict=True):
            group.merged_values["priority"] = priority
        if duplicates:
            draft.add(
                Code.DUPLICATE_PRIORITY,
                f"customer {draft.customer!r} had emergency priorities {duplicates} more than "
                "once; renumbered 1.." + str(len(kept)) + " in ranking order",
                records=tuple(ref for g in kept for ref in g.refs()),
                details={"before": current, "after": wanted},
            )

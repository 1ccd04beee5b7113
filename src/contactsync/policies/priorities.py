"""DUPLICATE_PRIORITY: priorities 1..n are unique per customer.

When the kept emergency contacts' priorities are not exactly 1..n, they are renumbered
in the ranking order (``policies.ranking``), with one difference for a contact held in no
writable system (a read-only legacy source only): its number cannot be written anywhere
it already is, so a number within 1..n that no better-ranked such contact holds stays
with it, and one without such a number takes a free one after every writable contact.

That difference is what makes the numbering a fixed point: a new number that reached no
system would be read back as the old one next run, rank the contact differently, and move
the others again, run after run. With it, the writable contacts find their numbers where
they were written, in the same order, and the others keep theirs or come last again.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from contactsync.findings import Code
from contactsync.policies.base import CustomerDraft, PolicyContext
from contactsync.policies.ranking import ranked
from contactsync.reconcile.records import Group


class UniquePriorityPolicy:
    name = "unique_priorities"
    codes = (Code.DUPLICATE_PRIORITY,)

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        kept = ranked(draft.emergency(kept_only=True))
        current = [g.merged_values.get("priority") for g in kept]
        wanted = _numbering(current, [_fixed(g, context) for g in kept])
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


def _numbering(current: list[Any], fixed: list[bool]) -> list[int]:
    """Priorities 1..n for contacts in ranking order now holding ``current``; ``fixed``
    says which of them no system can be written for (see above)."""
    count = len(current)
    pinned: dict[int, int] = {}  # position in ranking order -> the number it keeps
    for position, (number, held) in enumerate(zip(current, fixed, strict=True)):
        if (
            held and isinstance(number, int) and not isinstance(number, bool)
            and 1 <= number <= count and number not in pinned.values()
        ):
            pinned[position] = number
    free = iter(sorted(set(range(1, count + 1)) - set(pinned.values())))
    numbers = dict(pinned)
    for position in sorted(set(range(count)) - set(pinned), key=lambda i: (fixed[i], i)):
        numbers[position] = next(free)
    return [numbers[i] for i in range(count)]


def _fixed(group: Group, context: PolicyContext) -> bool:
    """Whether no writable system holds ``group`` (its number could be written nowhere
    it already is: a legacy, read-only source only)."""
    return not any(
        view is not None and view.writable and not member.mixed
        for system, member in group.members.items()
        for view in (context.systems.get(system),)
    )

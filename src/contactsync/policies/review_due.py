"""REVIEW_OVERDUE: every emergency contact is reviewed on a schedule (invariant 3)."""

from __future__ import annotations

from contactsync.findings import Code
from contactsync.policies.base import CustomerDraft, PolicyContext, parse_time
from contactsync.review import ReviewDue, next_review_due


class ReviewDuePolicy:
    name = "review_due"
    codes = (Code.REVIEW_OVERDUE,)

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        tz = context.sync.business_timezone
        for group in draft.emergency(kept_only=True):
            values = group.merged_values
            reviewed = parse_time(values.get("last_reviewed_at"))
            interval = values.get("review_interval_months") or context.policy.review_interval_months
            due = next_review_due(reviewed, interval, tz) if reviewed else None
            if due is not None and due > context.as_of:
                continue
            name = str(values.get("name", ""))
            draft.reviews_due.append(
                ReviewDue(draft.customer, group.key, name, due, reviewed, values.get("reviewed_by"))
            )
            when = f"was due {due.isoformat()}" if due else "has never been reviewed"
            draft.add(
                Code.REVIEW_OVERDUE,
                f"emergency contact {name!r} ({group.key}) {when}",
                records=group.refs(),
                key=group.key,
                details={"due": due.isoformat() if due else None},
            )

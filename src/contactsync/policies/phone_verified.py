"""PHONE_UNVERIFIED: an emergency contact with no valid E.164 phone cannot be called."""

from __future__ import annotations

from contactsync.findings import Code
from contactsync.policies.base import CustomerDraft, PolicyContext


class PhoneVerifiedPolicy:
    name = "phone_verified"
    codes = (Code.PHONE_UNVERIFIED,)

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        for group in draft.emergency(kept_only=True):
            phones = group.merged_values.get("phones") or []
            if any(isinstance(p, dict) and p.get("e164") for p in phones):
                continue
            problems = sorted({str(p.get("problem")) for p in phones if isinstance(p, dict)})
            draft.add(
                Code.PHONE_UNVERIFIED,
                f"emergency contact {group.merged_values.get('name')!r} ({group.key}) has no "
                f"valid phone number: {'; '.join(problems) or 'none given'}",
                records=group.refs(),
                key=group.key,
            )

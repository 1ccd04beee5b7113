"""The documented, deterministic order of emergency contacts (DESIGN invariant 2).

Best first: lower priority number (unset last), then decision authority, then the newest
review, then the newest update, then the contactsync key.
"""

from __future__ import annotations

from datetime import datetime

from contactsync.policies.base import parse_time
from contactsync.reconcile.records import Group

_EPOCH = 0.0


def _stamp(value: datetime | None) -> float:
    return value.timestamp() if value is not None else float("-inf")


def rank_key(group: Group) -> tuple[int, int, float, float, str]:
    values = group.merged_values
    priority = values.get("priority")
    authority = values.get("decision_authority")
    reviewed = parse_time(values.get("last_reviewed_at"))
    return (
        priority if isinstance(priority, int) else 99,
        0 if authority is True else 1,
        -_stamp(reviewed),
        -_stamp(group.newest_update),
        group.key,
    )


def ranked(groups: list[Group]) -> list[Group]:
    return sorted(groups, key=rank_key)

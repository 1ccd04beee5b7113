"""What a policy sees and may change, per customer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from contactsync.config import PolicySettings, SyncSettings
from contactsync.findings import Code, Finding
from contactsync.models import Kind
from contactsync.reconcile.records import Group, Unplaced
from contactsync.review import ReviewDue


@dataclass(frozen=True)
class SystemView:
    """What a policy may know of a system."""

    name: str
    writable: bool
    objects: dict[Kind, str]


@dataclass(frozen=True)
class PolicyContext:
    """Run-wide settings every policy reads.

    Attributes:
        as_of: today's date in the business time zone (review due dates are compared
            with it); fixed per run so that a plan is reproducible.
        migrate_mixed: ``--migrate-mixed`` was given.
    """

    policy: PolicySettings
    sync: SyncSettings
    as_of: date
    systems: dict[str, SystemView]
    migrate_mixed: bool = False
    quarantined: dict[str, str] = field(default_factory=dict)
    """Keys already in quarantine (not restored), with the reason they went there."""


@dataclass
class CustomerDraft:
    """One customer's groups after the merge, which policies inspect and adjust.

    Policies add findings, set ``Group.quarantine``, and may change
    ``Group.merged_values`` (for example to renumber priorities).

    Attributes:
        unplaced: the customer's records that are in no group (unreadable, ambiguous,
            duplicated within a system): not synced, but rows of their systems all the same.
    """

    customer: str
    groups: list[Group]
    findings: list[Finding] = field(default_factory=list)
    reviews_due: list[ReviewDue] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)

    def emergency(self, *, kept_only: bool = False) -> list[Group]:
        """Live emergency groups (not being deleted); with ``kept_only``, not quarantined."""
        return [
            g
            for g in self.groups
            if g.kind == Kind.EMERGENCY
            and g.deleted_by is None
            and not (kept_only and g.quarantine is not None)
        ]

    def emergency_rows(self, system: str, object_name: str) -> set[str]:
        """This customer's live emergency rows in one system's emergency object.

        A grouped row is named by its contactsync key, any other by ``system/object/id``.
        Every person's record counts (quarantined ones too, until archived), and so does
        every record that is in no group: a system's count is its rows, not its persons.
        """
        rows = {
            g.key
            for g in self.emergency()
            if system in g.members
            and not g.members[system].mixed
            and g.members[system].object == object_name
        }
        for u in self.unplaced:
            if u.kind != Kind.EMERGENCY or u.mixed or (u.system, u.object) != (system, object_name):
                continue
            ref = f"{system}/{object_name}/{u.record_id}"
            rows.add(u.key if u.key and u.key not in rows else ref)
        return rows

    def add(
        self,
        code: Code,
        message: str,
        *,
        records: tuple[str, ...] = (),
        key: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.findings.append(
            Finding(code, self.customer, message, tuple(sorted(records)), key, details or {})
        )


class Policy(Protocol):
    """A reconcile rule. ``name`` identifies it (a plugin may replace a built-in by name)."""

    @property
    def name(self) -> str:
        """Identifies the policy; a plugin's policy with a built-in's name replaces it."""

    @property
    def codes(self) -> tuple[Code, ...]:
        """The finding codes it reports."""

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        """Inspect one customer; add findings; adjust groups."""


def parse_time(value: Any) -> datetime | None:
    """A JSON-form datetime back to an aware datetime."""
    if not value:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))

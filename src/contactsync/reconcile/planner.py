"""Operations per system and object for one customer, after the policies ran.

Rules (DESIGN invariants 1 and 2):

* an emergency contact is only ever written to a system's emergency object, a business
  contact only to its business object; a legacy mixed row is never written, and moves
  (create in the emergency object, then archive the row) only with ``--migrate-mixed``;
* read-only systems (``mode = "read"``) get no operation;
* quarantined contacts are written nowhere; with ``enforce_cap`` they are archived where
  they already are (the quarantine holds a full copy first);
* no system is ever pushed above the cap: creates that would take a system past it are
  dropped (lowest ranked first) and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contactsync.findings import Code
from contactsync.models import Kind, json_datetime
from contactsync.plan import Operation, QuarantineItem
from contactsync.policies.base import CustomerDraft, PolicyContext
from contactsync.policies.ranking import rank_key
from contactsync.reconcile.canonical import compare_form
from contactsync.reconcile.records import Group, SystemRecord


@dataclass(frozen=True)
class SystemTarget:
    """What the planner needs to know of one system."""

    name: str
    writable: bool
    objects: dict[Kind, str]
    mapped: dict[Kind, frozenset[str]]


def target_values(group: Group) -> dict[str, Any]:
    """The full canonical values every system should hold for ``group``."""
    values = dict(group.merged_values)
    values["key"] = group.key
    values["customer"] = group.customer
    if group.newest_update is not None:
        values["updated_at"] = json_datetime(group.newest_update)
    return values


def plan_customer(
    draft: CustomerDraft,
    systems: list[SystemTarget],
    context: PolicyContext,
    quarantined: dict[str, dict[str, Any]],
) -> tuple[list[Operation], list[QuarantineItem]]:
    """Operations and new quarantine entries for one customer (findings go to ``draft``)."""
    ops: list[Operation] = []
    items: list[QuarantineItem] = []
    for group in sorted(draft.groups, key=lambda g: (g.kind.value, g.key)):
        if group.deleted_by is not None:
            ops.extend(_archive_everywhere(group, systems, group.deleted_by))
        elif group.quarantine is not None:
            values = target_values(group)
            if quarantined.get(group.key) != values:
                items.append(
                    QuarantineItem(
                        group.key, group.customer, group.kind.value, group.quarantine,
                        values, group.refs(),
                    )
                )
            if context.policy.enforce_cap:
                reason = f"{group.quarantine}; a full copy is in quarantine"
                ops.extend(_archive_everywhere(group, systems, reason, skip_mixed=True))
        else:
            ops.extend(_sync_group(group, systems, context))
    if any(g.kind == Kind.EMERGENCY for g in draft.groups):
        ops = _respect_cap(draft, ops, systems, context)
    return ops, items


def _op(
    system: SystemTarget,
    kind: Kind,
    action: str,
    group: Group,
    reason: str,
    *,
    record: SystemRecord | None = None,
    object_name: str | None = None,
    changes: dict[str, dict[str, Any]] | None = None,
    values: dict[str, Any] | None = None,
) -> Operation:
    obj = object_name or (record.object if record else system.objects[kind])
    return Operation(
        op_id=Operation.make_id(system.name, obj, action, group.key),
        system=system.name,
        object=obj,
        kind=kind.value,
        action=action,  # type: ignore[arg-type]  # one of the three literals by construction
        key=group.key,
        customer=group.customer,
        reason=reason,
        record_id=record.record_id if record else None,
        changes=changes or {},
        values=values if values is not None else {},
    )


def _archive_everywhere(
    group: Group, systems: list[SystemTarget], reason: str, *, skip_mixed: bool = False
) -> list[Operation]:
    ops = []
    for system in systems:
        member = group.members.get(system.name)
        if member is None or not system.writable or (skip_mixed and member.mixed):
            continue
        if system.name == group.deleted_in:
            continue
        kind = Kind.BUSINESS if member.mixed else group.kind
        ops.append(_op(system, kind, "archive", group, reason, record=member, values=member.values))
    return ops


def _sync_group(group: Group, systems: list[SystemTarget], context: PolicyContext) -> list[Operation]:
    ops: list[Operation] = []
    values = target_values(group)
    for system in systems:
        if not system.writable or group.kind not in system.objects:
            continue
        member = group.members.get(system.name)
        if member is None:
            source = ", ".join(sorted(group.members)) or "a review mark"
            ops.append(_op(system, group.kind, "create", group, f"present in {source}", values=values))
            continue
        if member.mixed:
            if context.migrate_mixed:
                ops.append(
                    _op(system, group.kind, "create", group,
                        f"moved out of the business object {member.object!r} (--migrate-mixed)",
                        values=values)
                )
                ops.append(
                    _op(system, Kind.BUSINESS, "archive", group,
                        f"moved into the emergency object {system.objects[group.kind]!r} "
                        "(--migrate-mixed)", record=member, values=member.values)
                )
            continue
        changes = _diff(member, values, system.mapped.get(group.kind, frozenset()))
        if changes:
            fields = ", ".join(sorted(changes))
            ops.append(
                _op(system, group.kind, "update", group, f"changed elsewhere: {fields}",
                    record=member, changes=changes, values=values)
            )
    return ops


def _diff(
    member: SystemRecord, values: dict[str, Any], mapped: frozenset[str]
) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    for field in sorted(mapped):
        before, after = member.values.get(field), values.get(field)
        if field == "updated_at":
            continue  # the vendor's own stamp, not ours to push
        if compare_form(field, before) != compare_form(field, after):
            changes[field] = {"before": before, "after": after}
    if member.contact.key != values["key"]:
        changes["key"] = {"before": member.contact.key, "after": values["key"]}
    return changes


def _respect_cap(
    draft: CustomerDraft,
    ops: list[Operation],
    systems: list[SystemTarget],
    context: PolicyContext,
) -> list[Operation]:
    """Drop emergency creates that would take a system above the cap."""
    high = context.policy.emergency_max
    by_key = {g.key: g for g in draft.groups}
    kept: list[Operation] = list(ops)
    for system in systems:
        obj = system.objects.get(Kind.EMERGENCY)
        if obj is None:
            continue
        archived = {op.key for op in ops if op.system == system.name and op.action == "archive"
                    and op.object == obj}
        holding = {
            g.key
            for g in draft.emergency()
            if system.name in g.members and not g.members[system.name].mixed
            and g.key not in archived
        }
        creates = sorted(
            (op for op in ops if op.system == system.name and op.object == obj and op.action == "create"),
            key=lambda op: rank_key(by_key[op.key]),
        )
        room = max(high - len(holding), 0)
        for op in creates[room:]:
            kept.remove(op)
            kept = [
                o for o in kept
                if not (o.key == op.key and o.system == op.system and o.action == "archive"
                        and "migrate-mixed" in o.reason)
            ]
            draft.add(
                Code.CAP_EXCEEDED,
                f"not created in system {system.name!r}: it holds {len(holding)} emergency "
                f"contact(s) for customer {draft.customer!r} and the cap is {high}",
                key=op.key,
                details={"system": system.name, "holding": len(holding), "max": high},
            )
    return kept

"""Operations per system and object for one customer, after the policies ran.

Rules (DESIGN invariants 1 and 2):

* an emergency contact is only ever written to a system's emergency object, a business
  contact only to its business object; a legacy mixed row is never written, and moves
  (create in the emergency object, then archive the row) only with ``--migrate-mixed``;
* read-only systems (``mode = "read"``) get no operation;
* quarantined contacts are written nowhere; with ``enforce_cap`` they are archived where
  they already are (the quarantine holds a full copy first, and keeps every field it ever
  held: see ``quarantine_copy``);
* no system is ever pushed above the cap: creates that would take a system past it are
  dropped (lowest ranked first) and reported. A system's count is its rows, so records
  in no group (duplicates, ambiguous or unreadable ones) take room too;
* nothing is written to a system where the person's record is there but unreadable;
* an archive of a row known only by its position (``row:N``) is held back to the next run
  when this plan would otherwise shift rows that it still finds by position
  (``defer_positional_archives``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contactsync.connector import POSITIONAL_ID_PREFIX
from contactsync.findings import Code, Finding
from contactsync.models import Kind, json_datetime
from contactsync.plan import ACTION_ORDER, Operation, QuarantineItem
from contactsync.policies.base import CustomerDraft, PolicyContext, parse_time
from contactsync.policies.ranking import rank_key
from contactsync.reconcile.canonical import compare_form, is_empty
from contactsync.reconcile.records import Group, SystemRecord

_NEVER = datetime.min.replace(tzinfo=UTC)
_MIGRATE = "--migrate-mixed"


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


def quarantine_copy(held: dict[str, Any] | None, values: dict[str, Any]) -> dict[str, Any] | None:
    """The full copy to keep in quarantine, or ``None`` when the one held is up to date.

    The planner asks only when a system changed the person since the last sync: nothing
    was written anywhere, so an unchanged person's merge may settle differently than the
    first time (no conflict left to decide) and must not rewrite the copy.

    What the systems show now updates the copy, but an empty or missing value never erases
    a held one: once the copies are archived (``enforce_cap``), the record left in a
    read-only sheet may map fewer fields, and the quarantine must stay a full copy.
    ``updated_at`` keeps the newer stamp.
    """
    if held is None:
        return values
    copy = dict(held)
    for name, value in values.items():
        if is_empty(value) and not is_empty(held.get(name)):
            continue
        if name == "updated_at" and value and held.get(name):
            value = max(value, held[name], key=lambda stamp: parse_time(stamp) or _NEVER)
        copy[name] = value
    same = all(compare_form(k, copy.get(k)) == compare_form(k, held.get(k)) for k in copy)
    return None if same else copy


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
            held = quarantined.get(group.key)
            values = quarantine_copy(held, target_values(group))
            if values is not None and (held is None or group.changed):
                items.append(
                    QuarantineItem(
                        group.key,
                        group.customer,
                        group.kind.value,
                        group.quarantine,
                        values,
                        group.refs(),
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


def defer_positional_archives(
    operations: list[Operation], batch_sizes: dict[str, int]
) -> tuple[list[Operation], list[Finding]]:
    """Hold back archives that would move rows other operations find by row number.

    A file row without a key is found by its position. Archiving one moves every row
    below it up: an operation sent after it that names a row by position would write to
    the wrong row (another person's). Operations go out per object in ``ACTION_ORDER``
    and in batches of the connector's size, so an object's positional archives are held
    back when a positional update is sent after them, and those beyond the first batch
    always. They are planned again on the next run, once this run's updates have given
    those rows their keys; the create of a ``--migrate-mixed`` move waits with its archive.
    """
    archives_first = ACTION_ORDER["archive"] < ACTION_ORDER["update"]
    by_object: dict[tuple[str, str], list[Operation]] = {}
    for op in sorted(operations, key=Operation.sort_key):
        by_object.setdefault((op.system, op.object), []).append(op)
    held: list[Operation] = []
    for (system, _), object_ops in sorted(by_object.items()):
        archives = [op for op in object_ops if op.action == "archive" and _positional(op)]
        if not archives:
            continue
        if archives_first and any(op.action == "update" and _positional(op) for op in object_ops):
            held.extend(archives)
        else:
            held.extend(archives[batch_sizes.get(system, len(archives)) :])
    if not held:
        return operations, []
    moves = {(op.system, op.key) for op in held if _MIGRATE in op.reason}
    dropped = {id(op) for op in held} | {
        id(op)
        for op in operations
        if op.action == "create" and _MIGRATE in op.reason and (op.system, op.key) in moves
    }
    notes = [
        Finding(
            Code.DEFERRED,
            op.customer,
            f"archiving {op.system}/{op.object}/{op.record_id} waits for the next run: rows "
            "without a key are found by position, and this run still writes others so",
            records=(f"{op.system}/{op.object}/{op.record_id}",),
            key=op.key,
            details={"reason": op.reason},
        )
        for op in held
    ]
    return [op for op in operations if id(op) not in dropped], notes


def _positional(op: Operation) -> bool:
    return (op.record_id or "").startswith(POSITIONAL_ID_PREFIX)


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


def _sync_group(
    group: Group, systems: list[SystemTarget], context: PolicyContext
) -> list[Operation]:
    ops: list[Operation] = []
    values = target_values(group)
    for system in systems:
        if not system.writable or group.kind not in system.objects:
            continue
        if system.name in group.unreadable_in:
            continue  # its record there cannot be read (reported): nothing written beside it
        member = group.members.get(system.name)
        if member is None:
            source = ", ".join(sorted(group.members)) or "a review mark"
            reason = f"present in {source}"
            ops.append(_op(system, group.kind, "create", group, reason, values=values))
            continue
        if member.mixed:
            if context.migrate_mixed:
                ops.append(
                    _op(
                        system,
                        group.kind,
                        "create",
                        group,
                        f"moved out of the business object {member.object!r} (--migrate-mixed)",
                        values=values,
                    )
                )
                ops.append(
                    _op(
                        system,
                        Kind.BUSINESS,
                        "archive",
                        group,
                        f"moved into the emergency object {system.objects[group.kind]!r} "
                        "(--migrate-mixed)",
                        record=member,
                        values=member.values,
                    )
                )
            continue
        changes = _diff(member, values, system.mapped.get(group.kind, frozenset()))
        if changes:
            fields = ", ".join(sorted(changes))
            ops.append(
                _op(
                    system,
                    group.kind,
                    "update",
                    group,
                    f"changed elsewhere: {fields}",
                    record=member,
                    changes=changes,
                    values=values,
                )
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
        archived = {
            op.key
            for op in ops
            if op.system == system.name and op.action == "archive" and op.object == obj
        }
        # Rows, not persons: a duplicate or unreadable row takes room too.
        holding = draft.emergency_rows(system.name, obj) - archived
        creates = sorted(
            (
                op
                for op in ops
                if op.system == system.name and op.object == obj and op.action == "create"
            ),
            key=lambda op: rank_key(by_key[op.key]),
        )
        room = max(high - len(holding), 0)
        for op in creates[room:]:
            kept.remove(op)
            kept = [
                o
                for o in kept
                if not (
                    o.key == op.key
                    and o.system == op.system
                    and o.action == "archive"
                    and "migrate-mixed" in o.reason
                )
            ]
            draft.add(
                Code.CAP_EXCEEDED,
                f"not created in system {system.name!r}: it holds {len(holding)} emergency "
                f"contact(s) for customer {draft.customer!r} and the cap is {high}",
                key=op.key,
                details={"system": system.name, "holding": len(holding), "max": high},
            )
    return kept

"""The reconcile: read → match → merge → policies → plan. Writes nothing anywhere."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from contactsync.errors import ConfigError
from contactsync.findings import Code, Finding
from contactsync.models import CONTACT_ADAPTER, Kind, json_datetime
from contactsync.plan import Operation, Plan, QuarantineItem
from contactsync.plugins import PluginHost
from contactsync.policies.base import CustomerDraft, PolicyContext, SystemView
from contactsync.reconcile.match import KnownPerson, match_customer
from contactsync.reconcile.merge import BaseView, Candidate, MergeSettings, merge_group
from contactsync.reconcile.planner import (
    SystemTarget,
    defer_positional_archives,
    plan_customer,
)
from contactsync.reconcile.read import Progress, read_all
from contactsync.reconcile.records import (
    KIND_KEY,
    Group,
    Snapshot,
    SystemRecord,
    Timings,
    Unplaced,
)
from contactsync.runtime import Workspace
from contactsync.state import BaseSnapshot, QuarantineEntry


@dataclass
class Reconciliation:
    """A plan and everything it was computed from (what apply needs to save state)."""

    plan: Plan
    snapshot: Snapshot
    groups: list[Group]
    bases: dict[str, dict[tuple[str, str], BaseSnapshot]] = field(default_factory=dict)
    """system → (object, record_id) → base snapshot (as loaded)."""


def today_in(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def reconcile(
    ws: Workspace,
    *,
    full: bool = False,
    migrate_mixed: bool = False,
    as_of: date | None = None,
    progress: Progress | None = None,
    timings: Timings | None = None,
) -> Reconciliation:
    """Compute the plan for every customer. Nothing is written to any system or store.

    ``timings``, when given, receives the seconds spent per phase (read, normalize,
    match, merge, plan).
    """
    sync, policy = ws.config.sync, ws.config.policy
    as_of = as_of or today_in(sync.business_timezone)
    timings = timings if timings is not None else Timings()
    snapshot = read_all(ws, full=full, progress=progress, timings=timings)
    priority = {name: i for i, name in enumerate(sync.system_priority)}
    store = ws.store
    links = {(link.system, link.object, link.record_id): link.key for link in store.load_links()}
    bases = {name: load_system_bases(ws, name, snapshot) for name in ws.systems}
    refuse_vanished_objects(snapshot, bases)
    held = store.quarantined()
    quarantined = {q.key: q.data for q in held}
    review_marks = _review_marks(ws)

    systems = [_target(ws, name) for name in sync.system_priority]
    views = {t.name: SystemView(t.name, t.writable, dict(t.objects)) for t in systems}
    sticky = {q.key: q.reason for q in held}
    context = PolicyContext(policy, sync, as_of, views, migrate_mixed, sticky)
    merge_settings = MergeSettings(
        priority,
        sync.clock_skew,
        {(t.name, t.objects[k]): t.mapped[k] for t in systems for k in t.objects},
        frozenset(t.name for t in systems if t.writable),
    )
    _map_mixed_fields(ws, merge_settings)

    by_customer: dict[str, list[SystemRecord]] = defaultdict(list)
    for record in snapshot.records:
        by_customer[record.customer].append(record)
    deletions = _deletions(snapshot, bases, links)
    unreadable = _resolve_unreadable(snapshot, bases, links)
    blocked = _blocked_systems(unreadable)
    known = _known_people(held, unreadable)
    writable = {name for name, handle in ws.systems.items() if handle.writable}

    findings: list[Finding] = list(snapshot.findings)
    operations: list[Operation] = []
    quarantine: list[QuarantineItem] = []
    all_groups: list[Group] = []
    left_out = 0
    due = []
    unreadable_of: dict[str | None, list[Unplaced]] = defaultdict(list)
    for item in unreadable:
        unreadable_of[item.customer].append(item)
    for customer in sorted(by_customer):
        records = by_customer[customer]
        started = perf_counter()
        groups, match_findings, unmatched = match_customer(
            customer, records, ws.host, priority, links, known.get(customer, ())
        )
        timings.add("match", perf_counter() - started)
        started = perf_counter()
        for group in groups:  # values in JSON form, made once while this customer is planned
            for member in group.members.values():
                member.hold_values()
        left_out += len(unmatched)
        findings.extend(match_findings)
        draft = CustomerDraft(customer, [])
        draft.unplaced.extend(unplaced(record) for record in unmatched)
        draft.unplaced.extend(unreadable_of.get(customer, ()))
        unkeyed = [u for u in unreadable_of.get(customer, ()) if u.key is None]
        for group in groups:
            if not _merge(group, bases, merge_settings, ws, review_marks.get(group.key, []), draft):
                left_out += len(group.members)
                draft.unplaced.extend(unplaced(m, group.key) for m in group.members.values())
                continue
            lookalikes = _unkeyed_lookalikes(group, unkeyed, ws.host)
            if group.key in blocked or lookalikes:
                group.unreadable_in = set(blocked.get(group.key, ())) | lookalikes
            _mark_deleted(group, deletions, bases, draft, writable)
            draft.groups.append(group)
        timings.add("merge", perf_counter() - started)
        started = perf_counter()
        for rule in ws.host.policies():
            rule.evaluate(draft, context)
        ops, items = plan_customer(draft, systems, context, quarantined)
        for record in records:
            record.release_values()
        timings.add("plan", perf_counter() - started)
        operations.extend(ops)
        quarantine.extend(items)
        findings.extend(draft.findings)
        due.extend(draft.reviews_due)
        all_groups.extend(draft.groups)

    batch_sizes = {n: h.connector.capabilities.batch_size for n, h in ws.systems.items()}
    operations, held_back = defer_positional_archives(operations, batch_sizes)
    findings.extend(held_back)
    accounting = _accounting(snapshot, all_groups, left_out, deletions)
    plan = Plan(
        as_of=as_of.isoformat(),
        inputs=_inputs(ws, snapshot, bases, links),
        operations=sorted(operations, key=Operation.sort_key),
        quarantine=sorted(quarantine, key=lambda q: q.key),
        findings=sorted(findings, key=Finding.sort_key),
        accounting=accounting,
        options={"full": full, "migrate_mixed": migrate_mixed},
        released=sorted(g.key for g in all_groups if g.released),
    )
    ws.host.reviews_due(sorted(due, key=lambda d: d.sort_key))
    return Reconciliation(plan, snapshot, all_groups, bases)


def base_values(base: BaseSnapshot) -> dict[str, Any]:
    """A base snapshot's canonical values, without the kind it also records."""
    return {k: v for k, v in base.data.items() if k != KIND_KEY}


def load_system_bases(
    ws: Workspace, system: str, snapshot: Snapshot | None = None
) -> dict[tuple[str, str], BaseSnapshot]:
    """A system's base snapshots by (object, record id): ids are unique per object only.

    Those an incremental read of ``snapshot`` loaded already are taken from it.
    """
    found: dict[tuple[str, str], BaseSnapshot] = {}
    handle = ws.systems[system]
    for kind in Kind:
        if handle.stores(kind):
            obj = handle.mapping.object_for(kind)
            loaded = snapshot.bases.get((system, obj)) if snapshot is not None else None
            if loaded is None:
                loaded = ws.store.load_bases(system, obj)
            for record_id, base in loaded.items():
                found[(obj, record_id)] = base
    return found


def refuse_vanished_objects(
    snapshot: Snapshot, bases: dict[str, dict[tuple[str, str], BaseSnapshot]]
) -> None:
    """Stop when a complete read of an object finds nothing where the last sync saw records.

    A file moved away, a wrong path or an emptied table would otherwise read as "every
    contact was deleted" and be archived everywhere.

    Raises:
        ConfigError: naming the system, the object and how many records it held.
    """
    seen = {(r.system, r.object) for r in snapshot.records}
    for (system, obj), read in sorted(snapshot.objects.items()):
        if not read.complete or (system, obj) in seen or read.pulled:
            continue
        held = sum(1 for (o, _) in bases.get(system, {}) if o == obj)
        if held:
            raise ConfigError(
                f"system {system!r}: {obj!r} holds no record now, but held {held} at the "
                "last sync; if the file or table moved, fix the configuration. Nothing was "
                "planned: an empty read is never taken as deleting everyone."
            )


def _target(ws: Workspace, name: str) -> SystemTarget:
    handle = ws.systems[name]
    objects = {k: handle.mapping.object_for(k) for k in Kind if handle.stores(k)}
    mapped = {k: frozenset(handle.mapping.for_kind(k).fields) for k in objects}
    return SystemTarget(name, handle.writable, objects, mapped)


def _map_mixed_fields(ws: Workspace, settings: MergeSettings) -> None:
    """Legacy mixed rows map their emergency fields through ``mixed.fields``."""
    for name, handle in ws.systems.items():
        if not handle.stores(Kind.BUSINESS):
            continue
        om = handle.mapping.for_kind(Kind.BUSINESS)
        if om.mixed is not None:
            fields = om.mixed.fields or (
                handle.mapping.for_kind(Kind.EMERGENCY).fields
                if handle.mapping.has(Kind.EMERGENCY)
                else {}
            )
            settings.mapped[(name, om.object)] = settings.mapped.get(
                (name, om.object), frozenset()
            ) | frozenset(fields)


def _merge(
    group: Group,
    bases: dict[str, dict[tuple[str, str], BaseSnapshot]],
    settings: MergeSettings,
    ws: Workspace,
    marks: list[Candidate],
    draft: CustomerDraft,
) -> bool:
    views: dict[str, BaseView] = {}
    for system, member in group.members.items():
        base = bases.get(system, {}).get((member.object, member.record_id))
        if base is not None and base.key == group.key:
            views[system] = BaseView(base_values(base), base.updated_at)
    merged, notes = merge_group(group, views, settings, ws.host, marks)
    draft.findings.extend(notes)
    stamps = [m.contact.updated_at for m in group.members.values() if m.contact.updated_at]
    group.newest_update = max(stamps) if stamps else None
    try:
        CONTACT_ADAPTER.validate_python(  # the merge must still be a valid contact
            {**merged, "kind": group.kind.value, "key": group.key, "customer": group.customer}
        )
    except ValueError as exc:  # values from valid records; a plugin's choice can break it
        draft.add(
            Code.INVALID_RECORD,
            f"merged {group.kind.value} contact {group.key} is invalid: {exc}",
            records=group.refs(),
            key=group.key,
        )
        return False
    group.merged_values = merged
    return True


@dataclass(frozen=True)
class Deletion:
    system: str
    object: str
    record_id: str
    key: str | None
    source: str


def _deletions(
    snapshot: Snapshot,
    bases: dict[str, dict[tuple[str, str], BaseSnapshot]],
    links: dict[tuple[str, str, str], str],
) -> dict[str, Deletion]:
    """Deletions by key: from a delete feed, or known records absent from a complete read.

    Never from an incremental read, never for positional ids (rows move), and never for a
    record that is there but could not be read (a blanked required field is no deletion).
    """
    found: dict[str, Deletion] = {}
    for (system, obj), read in sorted(snapshot.objects.items()):
        known = {rid: b for (o, rid), b in bases.get(system, {}).items() if o == obj}
        for record_id in read.deleted_ids:
            key = links.get((system, obj, record_id))
            if key is None and record_id in known:
                key = known[record_id].key
            if key:
                found.setdefault(key, Deletion(system, obj, record_id, key, "delete feed"))
        if not read.complete:
            continue
        for record_id, base in sorted(known.items()):
            if record_id.startswith("row:") or record_id in read.present_ids:
                continue
            found.setdefault(
                base.key, Deletion(system, obj, record_id, base.key, "absent from a complete read")
            )
    return found


def _mark_deleted(
    group: Group,
    deletions: dict[str, Deletion],
    bases: dict[str, dict[tuple[str, str], BaseSnapshot]],
    draft: CustomerDraft,
    writable: set[str],
) -> None:
    """Propagate a deletion seen in one system, unless that would lose or undo something.

    Kept (and reported) instead when another system changed the record since the last
    sync, or when a read-only system still holds it: contactsync cannot archive it there,
    and the next run would bring the person back under a new key.
    """
    deletion = deletions.get(group.key)
    if deletion is None or deletion.system in group.members:
        return
    held_read_only = sorted(s for s in group.members if s not in writable)
    if held_read_only:
        draft.add(
            Code.CONFLICT,
            f"{group.kind.value} contact {group.key} was deleted in {deletion.system!r} "
            f"({deletion.source}) but read-only system(s) {', '.join(held_read_only)} still "
            "hold it, which contactsync cannot change; kept, not deleted: delete it there too",
            records=tuple(group.members[s].ref for s in held_read_only),
            key=group.key,
        )
        return
    changed = []
    for system, member in group.members.items():
        base = bases.get(system, {}).get((member.object, member.record_id))
        if base is None or base_values(base) != member.values:
            changed.append(member.ref)
    if changed:
        draft.add(
            Code.CONFLICT,
            f"{group.kind.value} contact {group.key} was deleted in {deletion.system!r} "
            f"({deletion.source}) but changed in {', '.join(changed)}; kept, not deleted",
            records=tuple(changed),
            key=group.key,
        )
        return
    group.deleted_by = f"deleted in {deletion.system} ({deletion.source})"
    group.deleted_in = deletion.system
    draft.add(
        Code.DELETED,
        f"{group.kind.value} contact {group.key} was deleted in {deletion.system!r} "
        f"({deletion.source}); archiving it elsewhere",
        records=group.refs(),
        key=group.key,
    )


def unplaced(record: SystemRecord, key: str | None = None) -> Unplaced:
    """``record`` as a row that is in no group."""
    return Unplaced(
        record.system,
        record.object,
        record.record_id,
        record.kind,
        record.customer,
        key or record.contact.key,
        record.mixed,
        record.locator,
    )


def _resolve_unreadable(
    snapshot: Snapshot,
    bases: dict[str, dict[tuple[str, str], BaseSnapshot]],
    links: dict[tuple[str, str, str], str],
) -> list[Unplaced]:
    """Unreadable records with the key and customer they had at the last sync, if any."""
    resolved = []
    for item in snapshot.unreadable:
        base = bases.get(item.system, {}).get((item.object, item.record_id))
        key = item.key or links.get((item.system, item.object, item.record_id))
        if key is None and base is not None:
            key = base.key
        customer = item.customer
        if customer is None and base is not None and base.key == key:
            customer = base.data.get("customer")
        resolved.append(replace(item, key=key, customer=customer))
    return resolved


def _unkeyed_lookalikes(group: Group, unkeyed: list[Unplaced], host: PluginHost) -> set[str]:
    """Systems holding an unreadable record without a key that looks like ``group``'s person
    (a phone, the e-mail or the name in common): nothing is created there beside it, or
    fixing that record would leave the person twice (it is reported already)."""
    if not unkeyed:
        return set()
    phones: set[str] = set()
    emails: set[str] = set()
    names: set[str] = set()
    for member in group.members.values():
        contact = member.contact
        phones.update(p.match_key for p in contact.phones if p.match_key)
        if contact.email:
            emails.add(host.email_key(contact.email))
        names.add(host.name_key(contact.name))
    return {
        row.system
        for row in unkeyed
        if row.kind == group.kind and row.system not in group.members and (
            phones.intersection(row.phone_keys)
            or (row.email is not None and host.email_key(row.email) in emails)
            or (row.name is not None and host.name_key(row.name) in names)
        )
    }


def _blocked_systems(unreadable: list[Unplaced]) -> dict[str, set[str]]:
    """Key → systems holding a record of it that could not be read."""
    blocked: dict[str, set[str]] = defaultdict(set)
    for item in unreadable:
        if item.key:
            blocked[item.key].add(item.system)
    return blocked


def _known_people(
    held: list[QuarantineEntry], unreadable: list[Unplaced]
) -> dict[str, list[KnownPerson]]:
    """Customer → people known by key with no readable record: evidence for matching."""
    known: dict[str, list[KnownPerson]] = defaultdict(list)
    for entry in held:
        try:
            item = CONTACT_ADAPTER.validate_python({**entry.data, "kind": entry.kind.value})
        except ValueError:  # an entry written by an older version: not a match candidate
            continue
        known[entry.customer].append(KnownPerson.of(entry.key, item))
    for row in unreadable:
        if row.key and row.customer:
            known[row.customer].append(
                KnownPerson(row.key, row.kind, row.phone_keys, row.email, row.name)
            )
    return known


def _review_marks(ws: Workspace) -> dict[str, list[Candidate]]:
    marks: dict[str, list[Candidate]] = defaultdict(list)
    for mark in ws.store.review_marks():
        marks[mark.key].append(
            Candidate(
                "review mark",
                (json_datetime(mark.reviewed_at), mark.reviewed_by),
                None,
                "review mark",
            )
        )
    return marks


def _accounting(
    snapshot: Snapshot, groups: list[Group], left_out: int, deletions: dict[str, Deletion]
) -> dict[str, int]:
    """Where every record went (DESIGN invariant 4): the parts add up to ``records``."""
    synced = quarantined = archived = 0
    for group in groups:
        count = len(group.members)
        if group.deleted_by is not None:
            archived += count
        elif group.quarantine is not None:
            quarantined += count
        else:
            synced += count
    deleted = sum(len(read.deleted_ids) for read in snapshot.objects.values())
    return {
        "records": len(snapshot.records) + snapshot.rejected + deleted,
        "synced": synced,
        "quarantined": quarantined,
        "archived": archived,
        "reported": snapshot.rejected + left_out,
        "deleted_in_source": deleted,
        "deletions_seen": len(deletions),
    }


def _inputs(
    ws: Workspace,
    snapshot: Snapshot,
    bases: dict[str, dict[tuple[str, str], BaseSnapshot]],
    links: dict[tuple[str, str, str], str],
) -> dict[str, Any]:
    """Fingerprints of everything the plan was computed from (the stale-plan check)."""
    systems: dict[str, dict[str, str]] = defaultdict(dict)
    for (system, obj), read in sorted(snapshot.objects.items()):
        systems[system][obj] = read.fingerprint
    state = hashlib.sha256()
    for system in sorted(bases):
        for (obj, record_id), base in sorted(bases[system].items()):
            state.update(f"{system}|{obj}|{record_id}|{base.key}|{base.digest}\n".encode())
    for (system, obj, record_id), key in sorted(links.items()):
        state.update(f"L|{system}|{obj}|{record_id}|{key}\n".encode())
    for mark in ws.store.review_marks():
        state.update(f"R|{mark.key}|{mark.reviewed_at.isoformat()}|{mark.reviewed_by}\n".encode())
    settings = hashlib.sha256(ws.config.path.read_bytes())
    for name in sorted(ws.systems):
        settings.update(f"{name}|{ws.systems[name].mapping!r}".encode())
    return {"systems": dict(systems), "state": state.hexdigest(), "config": settings.hexdigest()}

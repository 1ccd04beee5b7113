"""Three-way merge of one group, field by field, against each system's base snapshot.

For every field a system maps:

* it *changed* when its value differs from that system's base snapshot (the value at the
  last successful sync), or when there is no base and it holds a value;
* nobody changed → keep the agreed value: a written record's (read-only systems and
  legacy mixed rows are never written, so theirs may differ), the one whose base is
  newest (after a failed write the systems that took the write hold the newest base),
  then system priority;
* changes that agree → take them;
* changes that disagree → a conflict: a ``contactsync_resolve_conflict`` plugin may pick,
  else the newest ``updated_at`` wins when it is newer by more than the clock-skew guard
  than every other, else the system named first in ``system_priority`` among the values
  tied with the newest (an older value never wins on priority); reported as ``CONFLICT``
  with every value (phones, e-mails and WeChat ids masked).

The review fields move together and the newest review always wins (invariant 3): it is
not a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contactsync.findings import Code, Finding
from contactsync.models import synced_fields
from contactsync.plugins import PluginHost
from contactsync.reconcile.canonical import compare_form, is_empty
from contactsync.reconcile.records import Group, SystemRecord
from contactsync.redact import mask_value

REVIEW_FIELDS = ("last_reviewed_at", "reviewed_by")
_MISSING = object()
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Candidate:
    """One system's value of a field, as the conflict hook sees it."""

    system: str
    value: Any
    updated_at: datetime | None
    record: str


@dataclass(frozen=True)
class BaseView:
    """A member's base snapshot: its values and when it was written."""

    values: dict[str, Any]
    written_at: datetime


@dataclass
class MergeSettings:
    priority: dict[str, int]
    clock_skew: timedelta
    mapped: dict[tuple[str, str], frozenset[str]]
    """(system, object) → canonical fields that object maps."""
    writable: frozenset[str] = frozenset()
    """Systems contactsync writes to: after a sync they hold the merged values."""


def merge_group(
    group: Group,
    bases: dict[str, BaseView],
    settings: MergeSettings,
    host: PluginHost,
    extra_reviews: list[Candidate] | None = None,
) -> tuple[dict[str, Any], list[Finding]]:
    """Merge ``group``'s members into the values every system should hold."""
    members = sorted(group.members.values(), key=lambda m: settings.priority.get(m.system, 1_000))
    merged: dict[str, Any] = {}
    findings: list[Finding] = []
    group.changed = any(
        compare_form(f, m.values.get(f)) != compare_form(f, bases[m.system].values.get(f))
        for m in members
        if m.system in bases
        for f in REVIEW_FIELDS
    )
    for field in synced_fields(group.kind.value):
        if field in REVIEW_FIELDS:
            continue
        participants = [
            m for m in members if field in settings.mapped.get((m.system, m.object), ())
        ]
        if not participants:
            continue
        value, finding = _merge_field(group, field, participants, bases, settings, host)
        if value is not _MISSING:
            merged[field] = value
        if finding is not None:
            findings.append(finding)
    if group.kind.value == "emergency":
        review = _newest_review(members, settings, extra_reviews or [])
        if review:
            merged.update(review)
        else:  # no review date anywhere (or none readable): a reviewer's name still stays
            participants = [
                m for m in members if "reviewed_by" in settings.mapped.get((m.system, m.object), ())
            ]
            if participants:
                value, finding = _merge_field(
                    group, "reviewed_by", participants, bases, settings, host
                )
                if value is not _MISSING:
                    merged["reviewed_by"] = value
                if finding is not None:
                    findings.append(finding)
    return merged, findings


def _merge_field(
    group: Group,
    field: str,
    participants: list[SystemRecord],
    bases: dict[str, BaseView],
    settings: MergeSettings,
    host: PluginHost,
) -> tuple[Any, Finding | None]:
    changed: list[SystemRecord] = []
    for member in participants:
        value = member.values.get(field)
        base = bases.get(member.system)
        if base is None:
            if not is_empty(value):
                changed.append(member)
        elif compare_form(field, value) != compare_form(field, base.values.get(field)):
            changed.append(member)
    if not changed:
        # What the last sync settled on: a written record holds it (a read-only system's,
        # a legacy mixed row, or one whose write failed may still show another value).
        holder = max(
            participants,
            key=lambda m: (
                m.system in settings.writable and not m.mixed,
                bases[m.system].written_at if m.system in bases else _NEVER,
                -settings.priority.get(m.system, 1_000),
            ),
        )
        return holder.values.get(field, _MISSING), None
    group.changed = True
    distinct = {compare_form(field, m.values.get(field)) for m in changed}
    if len(distinct) == 1:
        return changed[0].values.get(field), None
    candidates = [
        Candidate(m.system, m.values.get(field), m.contact.updated_at, m.ref) for m in changed
    ]
    base_values = [bases[m.system].values.get(field) for m in changed if m.system in bases]
    chosen = host.resolve_conflict(field, candidates, base_values[0] if base_values else None)
    rule = "plugin"
    if chosen is None or chosen not in candidates:
        chosen, rule = default_resolution(candidates, settings)
    finding = Finding(
        Code.CONFLICT,
        group.customer,
        f"{field!r} differs between {', '.join(c.system for c in candidates)}; "
        f"took {chosen.system}'s value ({rule})",
        records=tuple(sorted(c.record for c in candidates)),
        key=group.key,
        details={
            "field": field,
            "values": {c.system: mask_value(field, c.value) for c in candidates},
            "chosen": chosen.system,
            "rule": rule,
        },
    )
    return chosen.value, finding


def default_resolution(
    candidates: list[Candidate], settings: MergeSettings
) -> tuple[Candidate, str]:
    """Newest ``updated_at`` beyond the skew guard, else system priority among the tied.

    The values tied with the newest are those stamped within the guard of it; an older
    value (or an unstamped one, when any is stamped) is out of the running, whatever its
    system's priority. With no stamp at all, every value is tied.
    """
    stamped = [(c, c.updated_at) for c in candidates if c.updated_at is not None]
    if stamped:
        newest = max(when for _, when in stamped)
        tied = [c for c, when in stamped if newest - when <= settings.clock_skew]
    else:
        tied = list(candidates)
    if len(tied) == 1:
        return tied[0], "newest update"
    return min(tied, key=lambda c: settings.priority.get(c.system, 1_000)), "system priority"


def _newest_review(
    members: list[SystemRecord], settings: MergeSettings, extra: list[Candidate]
) -> dict[str, Any]:
    """The newest review seen anywhere, with who made it."""
    best: tuple[datetime, Any, Any] | None = None
    for member in members:
        mapped = settings.mapped.get((member.system, member.object), frozenset())
        raw = member.values.get("last_reviewed_at")
        if "last_reviewed_at" not in mapped or not raw:
            continue
        when = datetime.fromisoformat(raw)
        if best is None or when > best[0]:
            best = (when, raw, member.values.get("reviewed_by"))
    for candidate in extra:
        raw, who = candidate.value
        when = datetime.fromisoformat(raw)
        if best is None or when > best[0]:
            best = (when, raw, who)
    if best is None:
        return {}
    return {"last_reviewed_at": best[1], "reviewed_by": best[2]}

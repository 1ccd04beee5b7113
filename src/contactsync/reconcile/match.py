"""Match records across systems into groups: one group per person, kind and customer.

Order of evidence: the contactsync key a record carries (or a stored link), then the
E.164 phone with extension, then the e-mail key, then the name key, then keys from
``contactsync_match_keys`` plugins. A record whose first matching tier points at two
different groups is ``AMBIGUOUS_MATCH``: reported, never merged.

People known by key but with no readable record here (``KnownPerson``: contacts held in
quarantine, records that could not be read) take part as candidates too: a record without
a key (a row of a read-only sheet, say) that matches one joins it under its key, so it
stays the same person: still quarantined, and not created again beside its unreadable
record.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from contactsync.findings import Code, Finding
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync.reconcile.records import AnyContact, Group, SystemRecord

KEY_NAMESPACE = uuid.UUID("6f1c9b1e-4f7a-4d0e-9a55-3c2f0b7d8e21")


def new_key(record: SystemRecord) -> str:
    """A deterministic key for a person first seen in ``record``."""
    seed = "|".join(
        (record.kind.value, record.customer, record.system, record.object, record.record_id)
    )
    return str(uuid.uuid5(KEY_NAMESPACE, seed))


@dataclass(frozen=True)
class KnownPerson:
    """A person known by key, as evidence for matching; not a record of any system."""

    key: str
    kind: Kind
    phone_keys: tuple[str, ...] = ()
    email: str | None = None
    name: str | None = None
    contact: AnyContact | None = None

    @classmethod
    def of(cls, key: str, contact: AnyContact) -> KnownPerson:
        phones = tuple(sorted({p.match_key for p in contact.phones if p.match_key}))
        return cls(key, Kind(contact.kind), phones, contact.email, contact.name, contact)

    def tier_keys(self, host: PluginHost) -> list[list[str]]:
        """Its keys per tier of ``match_tiers``."""
        return [
            list(self.phone_keys),
            [host.email_key(self.email)] if self.email else [],
            [host.name_key(self.name)] if self.name else [],
            host.match_keys(self.contact) if self.contact is not None else [],
        ]


def match_tiers(host: PluginHost) -> list[Callable[[AnyContact], list[str]]]:
    """The evidence tiers, strongest first."""

    def phones(contact: AnyContact) -> list[str]:
        return sorted({p.match_key for p in contact.phones if p.match_key})

    def email(contact: AnyContact) -> list[str]:
        return [host.email_key(contact.email)] if contact.email else []

    def name(contact: AnyContact) -> list[str]:
        return [host.name_key(contact.name)]

    return [phones, email, name, host.match_keys]


class Matcher:
    """Groups one customer's records of one kind."""

    def __init__(
        self,
        customer: str,
        kind: Kind,
        host: PluginHost,
        priority: dict[str, int],
        links: dict[tuple[str, str, str], str],
    ) -> None:
        self.customer = customer
        self.kind = kind
        self.host = host
        self.priority = priority
        self.links = links
        self.tiers = match_tiers(host)
        self.groups: dict[str, Group] = {}
        self.index: list[dict[str, set[str]]] = [defaultdict(set) for _ in self.tiers]
        self.findings: list[Finding] = []
        self.unmatched: list[SystemRecord] = []
        self._key_cache: dict[int, list[list[str]]] = {}

    def run(
        self, records: Iterable[SystemRecord], known: Iterable[KnownPerson] = ()
    ) -> list[Group]:
        """Group ``records``; ``known`` people are candidates for the unkeyed ones."""
        keyed: list[tuple[str, SystemRecord]] = []
        loose: list[SystemRecord] = []
        for record in sorted(records, key=self._order):
            key = record.contact.key
            if not key and not record.positional:  # rows move: a row number is no link
                key = self.links.get((record.system, record.object, record.record_id))
            if key:
                keyed.append((key, record))
            else:
                loose.append(record)
        for key, record in keyed:
            group = self.groups.get(key) or self._new_group(key)
            self._join(group, record)
        for person in sorted(known, key=lambda p: p.key):
            if person.kind != self.kind:
                continue
            self.groups.get(person.key) or self._new_group(person.key)
            for tier, values in zip(self.index, person.tier_keys(self.host), strict=True):
                for value in values:
                    tier[value].add(person.key)
        for record in loose:
            self._place(record)
        return [self.groups[key] for key in sorted(self.groups) if self.groups[key].members]

    def _order(self, record: SystemRecord) -> tuple[int, bool, str, str]:
        # Within a system a proper record comes before a legacy mixed one, so that when
        # both hold one person the mixed row is the duplicate, not the record kept.
        priority = self.priority.get(record.system, 1_000)
        return (priority, record.mixed, record.object, record.record_id)

    def _new_group(self, key: str) -> Group:
        group = Group(key=key, kind=self.kind, customer=self.customer)
        self.groups[key] = group
        return group

    def _join(self, group: Group, record: SystemRecord) -> None:
        held = group.members.get(record.system)
        if held is not None:
            self.findings.append(
                Finding(
                    Code.DUPLICATE_IN_SYSTEM,
                    self.customer,
                    f"{record.ref} is the same {self.kind.value} contact as {held.ref} "
                    f"in system {record.system!r}; only the first is synced",
                    records=tuple(sorted((record.ref, held.ref))),
                    key=group.key,
                )
            )
            self.unmatched.append(record)
            return
        group.members[record.system] = record
        for tier, keys in zip(self.index, self._keys(record), strict=True):
            for value in keys:
                tier[value].add(group.key)

    def _keys(self, record: SystemRecord) -> list[list[str]]:
        """The record's keys per tier, computed once."""
        found = self._key_cache.get(id(record))
        if found is None:
            found = [tier(record.contact) for tier in self.tiers]
            self._key_cache[id(record)] = found
        return found

    def _place(self, record: SystemRecord) -> None:
        for tier, keys in zip(self.index, self._keys(record), strict=True):
            hits = sorted({key for value in keys if value in tier for key in tier[value]})
            if len(hits) == 1:
                self._join(self.groups[hits[0]], record)
                return
            if len(hits) > 1:
                refs = [record.ref] + [
                    member.ref for key in hits for member in self.groups[key].members.values()
                ]
                self.findings.append(
                    Finding(
                        Code.AMBIGUOUS_MATCH,
                        self.customer,
                        f"{record.ref} could be {len(hits)} different {self.kind.value} "
                        "contacts; it is left alone until a person links it",
                        records=tuple(sorted(set(refs))),
                        details={"candidates": hits},
                    )
                )
                self.unmatched.append(record)
                return
        self._join(self._new_group(new_key(record)), record)


def match_customer(
    customer: str,
    records: list[SystemRecord],
    host: PluginHost,
    priority: dict[str, int],
    links: dict[tuple[str, str, str], str],
    known: Iterable[KnownPerson] = (),
) -> tuple[list[Group], list[Finding], list[SystemRecord]]:
    """Group one customer's records, per kind.

    ``known`` are the customer's people with no readable record: candidates to match.

    Returns:
        The groups (sorted by kind then key), the findings, and the records left out
        (ambiguous or duplicated within one system), each already reported.
    """
    by_kind: dict[Kind, list[SystemRecord]] = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    groups: list[Group] = []
    findings: list[Finding] = []
    left_out: list[SystemRecord] = []
    candidates = list(known)
    for kind in (Kind.EMERGENCY, Kind.BUSINESS):
        if kind not in by_kind:
            continue
        matcher = Matcher(customer, kind, host, priority, links)
        groups.extend(matcher.run(by_kind[kind], candidates))
        findings.extend(matcher.findings)
        left_out.extend(matcher.unmatched)
    return groups, findings, left_out

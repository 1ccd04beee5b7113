"""The in-memory shapes a reconcile works on.

A reconcile holds every record of every system until its plan is made, so the shapes it
keeps one of per record (``SystemRecord``, ``Group``) have ``__slots__``, and a record
keeps its contact only: its values in JSON form are made from it again when asked for
(see ``SystemRecord.values``).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from contactsync.connector import Cursor
from contactsync.findings import Finding
from contactsync.models import BusinessContact, EmergencyContact, Kind

if TYPE_CHECKING:
    from contactsync.state import BaseSnapshot

AnyContact = EmergencyContact | BusinessContact

KIND_KEY = "_kind"
"""The key a base snapshot keeps the record's kind under (a mixed row is emergency)."""

VALUE_DUMP_EXCLUDE = frozenset({"provenance", "kind"})


def dump_values(contact: AnyContact) -> dict[str, Any]:
    """The canonical values of ``contact`` in JSON form (what base snapshots hold)."""
    return contact.model_dump(mode="json", exclude=set(VALUE_DUMP_EXCLUDE))


_RECORD_FIELDS = (
    "system",
    "object",
    "record_id",
    "kind",
    "contact",
    "values",
    "locator",
    "mixed",
    "positional",
)


class SystemRecord:
    """One record of one system, read and made canonical.

    Attributes:
        mixed: an emergency contact found in the system's *business* object (legacy data
            mixing both kinds); it is never written back there.
        positional: the record id is only a row position (no key column yet).
        values: the canonical values as read (JSON form), the three-way merge's "current".

    ``values`` given when the record is made (a base snapshot standing in for a record an
    incremental read did not return) are kept as given. Otherwise they are
    ``dump_values(contact)``, made when asked for and not kept, except between
    ``hold_values`` and ``release_values`` (the reconcile holds them while it merges and
    plans the record's customer): the same values either way, as a contact is immutable,
    without a second copy of every record held for the whole reconcile.
    """

    __slots__ = (
        "_given",
        "_values",
        "contact",
        "kind",
        "locator",
        "mixed",
        "object",
        "positional",
        "record_id",
        "system",
    )

    def __init__(
        self,
        system: str,
        object: str,
        record_id: str,
        kind: Kind,
        contact: AnyContact,
        values: dict[str, Any] | None = None,
        locator: str | None = None,
        mixed: bool = False,
        positional: bool = False,
    ) -> None:
        self.system = system
        self.object = object
        self.record_id = record_id
        self.kind = kind
        self.contact = contact
        self.locator = locator
        self.mixed = mixed
        self.positional = positional
        self._values = values
        self._given = values is not None

    @property
    def values(self) -> dict[str, Any]:
        held = self._values
        return held if held is not None else dump_values(self.contact)

    @values.setter
    def values(self, values: dict[str, Any]) -> None:
        self._values = values
        self._given = True

    def hold_values(self) -> None:
        """Keep ``values`` made once until ``release_values`` (one customer's merge and plan)."""
        if self._values is None:
            self._values = dump_values(self.contact)

    def release_values(self) -> None:
        """Stop holding ``values`` made from the contact (values given are kept)."""
        if not self._given:
            self._values = None

    @property
    def ref(self) -> str:
        where = self.locator if self.positional and self.locator else self.record_id
        return f"{self.system}/{self.object}/{where}"

    @property
    def customer(self) -> str:
        return self.contact.customer

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.system,
            self.object,
            self.record_id,
            self.kind,
            self.contact,
            self.values,
            self.locator,
            self.mixed,
            self.positional,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SystemRecord) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass it was

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={value!r}" for name, value in zip(_RECORD_FIELDS, self._fields(), strict=True)
        )
        return f"SystemRecord({shown})"


@dataclass(slots=True)
class ObjectRead:
    """What one pull of one system object gave.

    Attributes:
        present_ids: every record id the pull returned as live, readable or not: a record
            that fails validation is still there, so its absence is never inferred.
    """

    system: str
    object: str
    kind: Kind
    complete: bool = False
    cursor: Cursor | None = None
    fingerprint: str = ""
    pulled: int = 0
    deleted_ids: list[str] = field(default_factory=list)
    present_ids: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A live record that is in no group: unreadable, ambiguous, or a duplicate.

    It is not synced, but it is a row of its system: it counts towards that system's
    emergency contacts (the cap), and a person it belongs to is not created beside it.

    Attributes:
        customer: the customer, when the record says (a malformed row may not).
        key: the contactsync key it carries or is linked to, when known.
        mixed: an emergency row of a legacy business object.
    """

    system: str
    object: str
    record_id: str
    kind: Kind
    customer: str | None
    key: str | None = None
    mixed: bool = False
    locator: str | None = None
    phone_keys: tuple[str, ...] = ()
    email: str | None = None
    name: str | None = None
    """What an unreadable record still says of who it is (its phones, e-mail and name),
    so that an unkeyed copy elsewhere is matched to it rather than taken for another."""

    @property
    def ref(self) -> str:
        """``system/object/id`` as a person finds it (``row 7`` for a positional id)."""
        where = self.locator if self.record_id.startswith("row:") and self.locator else None
        return f"{self.system}/{self.object}/{where or self.record_id}"


@dataclass
class Snapshot:
    """Everything read from every system for one reconcile.

    Attributes:
        unreadable: records that are there but could not be made contacts (reported).
        bases: the base snapshots an incremental read loaded, by (system, object), so the
            merge does not load them a second time.
    """

    records: list[SystemRecord] = field(default_factory=list)
    objects: dict[tuple[str, str], ObjectRead] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    rejected: int = 0
    unreadable: list[Unplaced] = field(default_factory=list)
    bases: dict[tuple[str, str], dict[str, BaseSnapshot]] = field(default_factory=dict)


@dataclass(slots=True)
class Group:
    """One person of one kind at one customer, as seen across systems.

    Attributes:
        key: the contactsync key (existing, or derived deterministically when new).
        members: each system's record of this person (at most one per system).
        deleted_by: why the person is to be archived everywhere (a deletion seen in one
            system), or ``None``.
        quarantine: why this person is kept out of every system (over the cap), or None.
        newest_update: the newest ``updated_at`` of any member (for ordering).
        unreadable_in: systems holding a record of this person that could not be read
            (reported); nothing is written there until it is fixed.
        changed: whether any member changed since the last sync (or is new): the merge
            found something to settle.
    """

    key: str
    kind: Kind
    customer: str
    members: dict[str, SystemRecord] = field(default_factory=dict)
    merged_values: dict[str, Any] = field(default_factory=dict)
    deleted_by: str | None = None
    deleted_in: str | None = None
    quarantine: str | None = None
    released: bool = False
    """Taken out of quarantine by this plan (a place under the cap came free)."""
    newest_update: datetime | None = None
    unreadable_in: Set[str] = frozenset()
    changed: bool = False

    def refs(self) -> tuple[str, ...]:
        return tuple(sorted(member.ref for member in self.members.values()))


@dataclass
class Timings:
    """Seconds spent per phase of a reconcile (for ``make bench``)."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, phase: str, elapsed: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + elapsed

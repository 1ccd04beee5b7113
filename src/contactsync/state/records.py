"""The values the state store hands out and takes in: frozen dataclasses.

JSON-valued fields (``data``, ``summary``, ``results``, ``before``, ``after``) hold plain
JSON-able values; treat them as read-only, the store does not copy them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from contactsync.models import Kind
from contactsync.state.codec import digest_of

RunKind = Literal["plan", "apply"]
RunStatus = Literal["running", "done", "failed", "interrupted"]
FinalStatus = Literal["done", "failed", "interrupted"]
JournalPhase = Literal["sent", "done"]
RecordRef = tuple[str, str, str]
"""(system, object, record id): one record in one system."""

RUN_KINDS: frozenset[str] = frozenset({"plan", "apply"})
FINAL_STATUSES: frozenset[str] = frozenset({"done", "failed", "interrupted"})


@dataclass(frozen=True, slots=True)
class Link:
    """One system's record of a contactsync key.

    A key has at most one record per system and object, and a record belongs to one key.
    """

    key: str
    kind: Kind
    customer: str
    system: str
    object: str
    record_id: str


@dataclass(frozen=True, slots=True)
class BaseSnapshot:
    """A record's canonical values as they were at the last successful sync.

    Attributes:
        data: the canonical values (opaque JSON-able dict); the three-way merge base.
        run_id: the run that wrote it, when one did.
        updated_at: when the snapshot was taken.
        digest: SHA-256 of the canonical JSON of ``data``; computed when left empty.
    """

    key: str
    system: str
    object: str
    record_id: str
    data: dict[str, Any]
    run_id: str | None
    updated_at: datetime
    digest: str = ""

    def __post_init__(self) -> None:
        if not self.digest:
            object.__setattr__(self, "digest", digest_of(self.data))


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A plan or apply run; ``finished_at`` is ``None`` while it runs (or if it crashed)."""

    run_id: str
    plan_id: str
    kind: RunKind
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journal row: a batch about to be sent (``sent``) or answered (``done``).

    Attributes:
        seq: the row's position in its run's journal (1, 2, ...).
        batch_no: the batch's number within its run, system, object and kind.
        op_ids: the plan operation ids the batch carries, in order.
        results: the per-record results (``done`` rows only), as the caller gave them.
    """

    run_id: str
    plan_id: str
    seq: int
    system: str
    object: str
    kind: Kind
    batch_no: int
    phase: JournalPhase
    op_ids: tuple[str, ...]
    results: Any
    at: datetime


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A contact held back (over the cap, or archived elsewhere) with a full copy."""

    id: int
    key: str
    customer: str
    kind: Kind
    reason: str
    data: dict[str, Any]
    quarantined_at: datetime
    run_id: str | None
    restored_at: datetime | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change, for the audit history.

    ``system``, ``object`` and ``record_id`` are ``None`` for changes inside contactsync
    itself (quarantine and restore). ``id`` is given by the store; leave it ``None``.
    """

    run_id: str | None
    key: str
    system: str | None
    object: str | None
    record_id: str | None
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime
    id: int | None = None


@dataclass(frozen=True, slots=True)
class ReviewMark:
    """A person's review of an emergency contact, recorded by ``contactsync review mark``.

    Reconcile treats it as one more source of ``last_reviewed_at``/``reviewed_by``; the
    newest review anywhere wins and propagates (DESIGN invariant 3).
    """

    id: int
    key: str
    customer: str
    reviewed_at: datetime
    reviewed_by: str
    marked_at: datetime


@dataclass(frozen=True, slots=True)
class SecretEntry:
    """That a secret is kept, and which key sealed it; never its value."""

    system: str
    name: str
    key_id: str
    updated_at: datetime

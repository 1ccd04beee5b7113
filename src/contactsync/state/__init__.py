"""The state store: what contactsync remembers between runs (DESIGN section 3).

SQLite by default (``default_state_url(config_dir)`` is ``.contactsync/state.db`` beside
the configuration file), PostgreSQL for shared runs, one schema through SQLAlchemy 2 Core.
The schema is versioned and migrates forward on open (``migrations.py``).

Open and close::

    StateStore.open(url, *, schema=None, clock=None, busy_timeout=30.0) -> StateStore
    store.close(); with StateStore.open(url) as store: ...
    store.transaction()          # context manager: the calls inside commit together
    store.schema_version() -> int

Links (a contactsync key to each system's record) and base snapshots (the merge base)::

    load_links(system=None, *, customer=None) -> list[Link]
    link_for(system, object, record_id) -> Link | None
    links_for_key(key) -> list[Link]
    save_links(links) -> int                          # upsert by (system, object, record_id)
    delete_links(records) -> int                      # (system, object, record_id) triples
    load_bases(system, object=None) -> dict[str, BaseSnapshot]   # by record_id
    save_bases(snapshots) -> int                      # upsert by (system, object, record_id)
    delete_bases(records) -> int                      # (system, object, record_id) triples

Cursors::

    get_cursor(system, object) -> str | None
    set_cursor(system, object, kind, cursor) -> None

Runs and the apply journal::

    start_run(plan_id, kind, *, run_id=None) -> str   # kind "plan" | "apply"
    finish_run(run_id, status, summary=None) -> RunRecord   # "done" | "failed" | "interrupted"
    run(run_id) -> RunRecord;  runs(plan_id=None) -> list[RunRecord]
    unfinished_runs(plan_id) -> list[RunRecord]       # still "running"
    journal_sent(run_id, plan_id, system, object, kind, batch_no, op_ids) -> JournalEntry
    journal_done(run_id, plan_id, system, object, kind, batch_no, results) -> JournalEntry
    journal(run_id) -> list[JournalEntry]
    done_op_ids(plan_id) -> set[str]                  # results recorded, any run
    pending_batches(plan_id) -> list[JournalEntry]    # sent, never done

Quarantine and audit::

    quarantine(key, customer, kind, reason, data, run_id=None) -> bool
    quarantined(customer=None, *, include_restored=False) -> list[QuarantineEntry]
    is_quarantined(key) -> bool
    restore(key, run_id=None) -> QuarantineEntry
    record_audit(entries) -> int
    audit(key=None, run_id=None) -> list[AuditEntry]

Review marks (reviews recorded through contactsync, a source for reconcile)::

    mark_reviewed(key, customer, reviewed_by, reviewed_at) -> ReviewMark
    review_marks(customer=None) -> list[ReviewMark]

Sealed secrets of connectors (sealed and opened by ``contactsync.secrets``)::

    get_secret(system, name) -> str | None;  put_secret(system, name, sealed) -> None
    delete_secret(system, name) -> bool;  secret_entries(system=None) -> list[SecretEntry]

Per-customer locks::

    try_lock(customer, owner, ttl) -> bool;  unlock(customer, owner) -> bool
    lock_owner(customer) -> str | None

Times are stored as fixed-width UTC ISO 8601 text and come back timezone-aware (UTC); a
naive datetime is refused. JSON is stored canonically (sorted keys, UTF-8 text as is).
"""

from contactsync.state.codec import digest_of
from contactsync.state.engine import default_state_url
from contactsync.state.migrations import LATEST_VERSION
from contactsync.state.records import (
    AuditEntry,
    BaseSnapshot,
    FinalStatus,
    JournalEntry,
    JournalPhase,
    Link,
    QuarantineEntry,
    RecordRef,
    ReviewMark,
    RunKind,
    RunRecord,
    RunStatus,
    SecretEntry,
)
from contactsync.state.store import StateStore

__all__ = [
    "LATEST_VERSION",
    "AuditEntry",
    "BaseSnapshot",
    "FinalStatus",
    "JournalEntry",
    "JournalPhase",
    "Link",
    "QuarantineEntry",
    "RecordRef",
    "ReviewMark",
    "RunKind",
    "RunRecord",
    "RunStatus",
    "SecretEntry",
    "StateStore",
    "default_state_url",
    "digest_of",
]

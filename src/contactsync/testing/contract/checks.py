"""The contract checks, one function per point of the connector contract.

Each takes a ``Subject`` and raises ``ContractViolation`` naming what went wrong, or
``NotApplicable`` when the point does not apply to the connector. ``ConnectorContract``
runs them as tests; a test may also call one directly (that is how the kit's own tests
show that each check fails on a connector broken in its way).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from itertools import pairwise

from contactsync.connector import Cursor, WriteOp
from contactsync.errors import RetryableError
from contactsync.mapping import UnmappableValue, to_canonical, to_vendor
from contactsync.mapping.converters import CONVERTERS
from contactsync.models import Kind
from contactsync.reconcile.canonical import compare_form, dump_values
from contactsync.testing.contract.samples import AnyContact, changed, changed_field
from contactsync.testing.contract.subject import (
    ContractViolation,
    NotApplicable,
    PullRun,
    Subject,
    create_op,
    repeated,
    update_op,
)

Check = Callable[[Subject], None]


def _seeded_count(subject: Subject) -> int:
    """Enough records for three pages: a boundary inside the data and a short last page."""
    return 2 * subject.contract.page_size + 1


def _require_kinds(subject: Subject) -> list[Kind]:
    if not subject.kinds:
        raise ContractViolation("the connector stores none of the kinds its mapping maps")
    return subject.kinds


def _coverage(run: PullRun, expected: list[str], what: str) -> None:
    """Every expected key once in ``run``: none skipped, none repeated."""
    keys = run.keys()
    missing = sorted(set(expected) - set(keys))
    if missing:
        raise ContractViolation(
            f"{what} ({run.kind.value}): skipped {len(missing)} of {len(expected)} records "
            f"(first: {missing[0]}) over {len(run.pages)} pages"
        )
    twice = repeated(keys)
    if twice:
        raise ContractViolation(f"{what} ({run.kind.value}): repeated records {twice[:3]}")
    ids = repeated(r.record_id for r in run.records)
    if ids:
        raise ContractViolation(f"{what} ({run.kind.value}): record ids read twice: {ids[:3]}")


# ---------------------------------------------------------------------------------------
# describe and capabilities
# ---------------------------------------------------------------------------------------


def describe_matches_mapping(subject: Subject) -> None:
    """Capabilities and ``describe()`` agree with the mapping: every mapped kind is stored,
    each kind's object is the mapping's, every mapped vendor field exists, the key field
    is an external id when writes are upserts by it, and the kinds' objects differ."""
    connector = subject.connector
    caps = connector.capabilities
    mapping = connector.context.mapping
    if caps.batch_size < 1:
        raise ContractViolation(f"batch_size must be at least 1, not {caps.batch_size}")
    unstored = sorted(k.value for k in mapping.kinds - caps.kinds)
    if unstored:
        raise ContractViolation(
            f"the mapping maps {unstored} but the capabilities do not list them"
        )
    spec = subject.contract.spec()
    if spec is not None and spec.capabilities != caps:
        raise ContractViolation(
            f"the registered capabilities {spec.capabilities.to_json()} differ from the "
            f"connector's {caps.to_json()}"
        )
    schemas = connector.describe()
    for kind in _require_kinds(subject):
        om = subject.om(kind)
        schema = schemas.get(kind)
        if schema is None:
            raise ContractViolation(f"describe() has no schema for {kind.value}")
        if schema.name != om.object:
            raise ContractViolation(
                f"describe() names the {kind.value} object {schema.name!r}; the mapping says "
                f"{om.object!r}"
            )
        known = {name.casefold(): f for name, f in schema.fields.items()}
        missing = [name for name in om.vendor_fields if name.casefold() not in known]
        if missing:
            raise ContractViolation(
                f"the {kind.value} mapping names fields {om.object!r} does not have: {missing}"
            )
        if caps.upsert_by_external_id and not known[om.key_field.casefold()].external_id:
            raise ContractViolation(
                f"writes are upserts by {om.key_field!r}, but describe() does not mark it "
                f"an external id in {om.object!r}"
            )
    objects = [schemas[k].name for k in subject.kinds]
    if len(set(objects)) != len(objects):
        raise ContractViolation(f"both kinds are described as the same object {objects[0]!r}")


# ---------------------------------------------------------------------------------------
# pull
# ---------------------------------------------------------------------------------------


def full_pull_pages_to_the_end(subject: Subject) -> None:
    """A full pull pages to the end with no record skipped or repeated, including records
    that share one modification stamp across a page boundary, and ends ``complete``."""
    for kind in _require_kinds(subject):
        contacts = subject.samples(kind, _seeded_count(subject), "full")
        subject.seed(kind, contacts)
        run = subject.pull(kind, what="full pull")
        _coverage(run, [c.key for c in contacts if c.key], "full pull")
        if len([p for p in run.pages if p.records]) < 2:
            raise ContractViolation(
                f"full pull ({kind.value}): {len(contacts)} records came in one page; build the "
                f"connector with page size {subject.contract.page_size} "
                "(ConnectorContract.page_size)"
            )
        if not run.complete:
            raise ContractViolation(
                f"full pull ({kind.value}): the last page does not say complete"
            )
        stamped = [r for r in run.records if r.modified_at is not None]
        if stamped:
            filled = [p for p in run.pages if p.records]
            shared = any(
                a.records[-1].modified_at == b.records[0].modified_at for a, b in pairwise(filled)
            )
            if not shared:
                raise ContractViolation(
                    f"full pull ({kind.value}): no page boundary falls between records sharing "
                    "a modification stamp; seed() must write the records with one stamp (one batch)"
                )


def _changes(
    subject: Subject, kind: Kind, base: PullRun, contacts: list[AnyContact]
) -> tuple[list[AnyContact], list[AnyContact]]:
    """Update two seeded records and create two new ones; return (updated, created)."""
    om = subject.om(kind)
    ids = {k: r.record_id for k, r in base.by_key().items()}
    updated = [changed(c) for c in contacts[:2]]
    subject.push_all_ok(kind, [update_op(om, c, ids.get(c.key or "")) for c in updated], "updating")
    created = subject.samples(kind, 2, "inc-new")
    subject.push_all_ok(kind, [create_op(om, c) for c in created], "creating")
    return updated, created


def _seed_in_two_batches(subject: Subject, kind: Kind, contacts: list[AnyContact]) -> None:
    """The older records first, then the last two: where a store's clock moves between
    writes, the older ones fall outside the next incremental pull's lookback window."""
    subject.seed(kind, contacts[:-2])
    subject.seed(kind, contacts[-2:])


def incremental_pull_misses_no_change(subject: Subject) -> None:
    """An incremental pull from a stored cursor returns every record changed or created
    since, with its new values, each once, and the cursor never goes back."""
    if not subject.connector.capabilities.incremental:
        raise NotApplicable("the connector does not declare incremental pulls")
    for kind in _require_kinds(subject):
        contacts = subject.samples(kind, _seeded_count(subject), "inc")
        _seed_in_two_batches(subject, kind, contacts)
        base = subject.pull(kind, what="full pull")
        cursor = base.cursor
        if cursor.watermark is None:
            raise ContractViolation(
                f"incremental ({kind.value}): a full pull's last cursor has no watermark"
            )
        stored = Cursor.from_json(cursor.to_json())
        updated, created = _changes(subject, kind, base, contacts)
        run = subject.pull(kind, stored, what="incremental pull")
        wanted = [c.key for c in updated + created if c.key]
        missing = sorted(set(wanted) - set(run.keys()))
        if missing:
            raise ContractViolation(
                f"incremental pull ({kind.value}): missed {missing} changed since the cursor "
                f"{stored.to_json()}"
            )
        twice = repeated(r.record_id for r in run.records)
        if twice:
            raise ContractViolation(
                f"incremental pull ({kind.value}): repeated records {twice[:3]}"
            )
        field = changed_field(kind)
        records = run.by_key()
        for contact in updated:
            got = getattr(subject.contact(kind, records[contact.key or ""]), field)
            if got != getattr(contact, field):
                raise ContractViolation(
                    f"incremental pull ({kind.value}): {contact.key} has {field}={got!r}, "
                    f"not the value written since ({getattr(contact, field)!r})"
                )
        mark = run.cursor
        if mark.watermark is None or (mark.watermark, mark.last_id or "") < (
            cursor.watermark,
            stored.last_id or "",
        ):
            raise ContractViolation(
                f"incremental pull ({kind.value}): the cursor went back from {stored.to_json()} "
                f"to {run.cursor.to_json()}"
            )
        if run.complete:
            live = {c.key for c in contacts + created}
            if not live <= set(run.keys()):
                raise ContractViolation(
                    f"incremental pull ({kind.value}): says complete without every live record: "
                    "deletions would be inferred for records that still exist"
                )


def incremental_pull_catches_a_late_commit(subject: Subject) -> None:
    """Records stamped at the cursor's watermark (after its id) or just before it, but
    committed after the pull (a slow writer), are read by the next incremental pull:
    the cursor is compound (stamp, id) and reads again over a lookback."""
    if not subject.connector.capabilities.incremental:
        raise NotApplicable("the connector does not declare incremental pulls")
    lookback: timedelta = subject.contract.lookback
    for kind in _require_kinds(subject):
        contacts = subject.samples(kind, _seeded_count(subject), "late")
        subject.seed(kind, contacts)
        cursor = subject.pull(kind, what="full pull").cursor
        if cursor.watermark is None:
            raise ContractViolation(
                f"late commit ({kind.value}): a full pull's last cursor has no watermark"
            )
        at_mark, before_mark = subject.samples(kind, 2, "late-zz")
        try:
            subject.contract.write_late(subject.connector, kind, at_mark, cursor.watermark)
            subject.contract.write_late(
                subject.connector, kind, before_mark, cursor.watermark - lookback / 2
            )
        except NotImplementedError:
            raise NotApplicable(
                "implement write_late() to check the compound cursor and lookback"
            ) from None
        run = subject.pull(kind, Cursor.from_json(cursor.to_json()), what="incremental pull")
        keys = set(run.keys())
        for contact, where in (
            (at_mark, "at the watermark"),
            (before_mark, f"{lookback / 2} before it"),
        ):
            if contact.key not in keys:
                raise ContractViolation(
                    f"incremental pull ({kind.value}): missed {contact.key}, stamped {where} and "
                    "committed after the last pull (the cursor must be compound and read a "
                    "lookback)"
                )


def interrupted_pull_resumes_exactly_once(subject: Subject) -> None:
    """A pull stopped after its first page and started again from that page's cursor (by a
    new connector, as after a restart) yields every record: exactly once across both when
    the cursor carries a page state, or from the start again when it carries none."""
    for kind in _require_kinds(subject):
        contacts = subject.samples(kind, _seeded_count(subject), "resume")
        subject.seed(kind, contacts)
        _resume(subject, kind, None, [c.key for c in contacts if c.key], "full pull")
        if subject.connector.capabilities.incremental:
            base = subject.pull(kind, what="full pull")
            om = subject.om(kind)
            ids = {k: r.record_id for k, r in base.by_key().items()}
            updated = [changed(c) for c in contacts]
            subject.push_all_ok(
                kind, [update_op(om, c, ids.get(c.key or "")) for c in updated], "updating"
            )
            _resume(
                subject, kind, base.cursor, [c.key for c in updated if c.key], "incremental pull"
            )


def _resume(
    subject: Subject, kind: Kind, since: Cursor | None, expected: list[str], what: str
) -> None:
    pages = subject.connector.pull(kind, since)
    first = next(iter(pages))
    close = getattr(pages, "close", None)
    if close is not None:
        close()
    if first.last:
        raise ContractViolation(
            f"{what} ({kind.value}): {len(expected)} records in one page; build the connector "
            f"with page size {subject.contract.page_size}"
        )
    head = [k for k in (r.values.get(subject.om(kind).key_field) for r in first.records) if k]
    subject.reopen()
    rest = subject.pull(kind, Cursor.from_json(first.cursor.to_json()), what=f"resumed {what}")
    twice = repeated(rest.keys())
    if twice:
        raise ContractViolation(f"resumed {what} ({kind.value}): repeated records {twice[:3]}")
    seen = {str(k).strip() for k in head} | set(rest.keys())
    missing = sorted(set(expected) - seen)
    if missing:
        raise ContractViolation(
            f"resumed {what} ({kind.value}): skipped {missing[:3]} (resumed from "
            f"{first.cursor.to_json()})"
        )
    if first.cursor.page_state:
        again = sorted({str(k).strip() for k in head} & set(rest.keys()))
        if again:
            raise ContractViolation(
                f"resumed {what} ({kind.value}): records of the first page came again: {again[:3]}"
            )


def deletes_come_from_a_feed_or_a_complete_enumeration(subject: Subject) -> None:
    """A deletion is reported as a ``deleted`` record only by a connector with a delete
    feed; an archived record is absent from the next complete enumeration; and no pull
    says ``complete`` unless it enumerated every live record."""
    caps = subject.connector.capabilities
    for kind in _require_kinds(subject):
        contacts = subject.samples(kind, _seeded_count(subject), "del")
        _seed_in_two_batches(subject, kind, contacts)
        before = subject.pull(kind, what="full pull")
        if before.deleted and caps.deletes != "feed":
            raise ContractViolation(
                f"full pull ({kind.value}): reported deletions but declares deletes = "
                f"{caps.deletes!r}"
            )
        if not caps.archive:
            continue
        gone = contacts[0]
        record = before.by_key()[gone.key or ""]
        subject.push_all_ok(
            kind,
            [WriteOp("archive", gone.key or "", {}, record.record_id, f"archive:{gone.key}")],
            "archiving",
        )
        after = subject.pull(kind, what="full pull after an archive")
        if gone.key in set(after.keys()):
            raise ContractViolation(
                f"full pull ({kind.value}): archived {gone.key} is still listed as live"
            )
        if not after.complete:
            raise ContractViolation(
                f"full pull ({kind.value}): the last page does not say complete"
            )
        _coverage_live(after, [c.key for c in contacts[1:] if c.key], kind)
        if after.deleted and caps.deletes != "feed":
            raise ContractViolation(
                f"full pull ({kind.value}): reported deletions but declares deletes = "
                f"{caps.deletes!r}"
            )
        if caps.deletes == "feed":
            if not caps.incremental:
                raise ContractViolation("deletes = 'feed' needs incremental pulls to report them")
            feed = subject.pull(
                kind, Cursor.from_json(before.cursor.to_json()), what="incremental pull"
            )
            reported = {r.record_id for r in feed.deleted}
            if record.record_id not in reported:
                raise ContractViolation(
                    f"incremental pull ({kind.value}): the delete feed did not report {gone.key} "
                    f"(record {record.record_id})"
                )
            wrong = sorted(reported - {record.record_id})
            if wrong:
                raise ContractViolation(
                    f"incremental pull ({kind.value}): reported live records as deleted: "
                    f"{wrong[:3]}"
                )
            if feed.complete and not {c.key for c in contacts[1:]} <= set(feed.keys()):
                raise ContractViolation(
                    f"incremental pull ({kind.value}): says complete without every live record"
                )


def _coverage_live(run: PullRun, expected: list[str], kind: Kind) -> None:
    missing = sorted(set(expected) - set(run.keys()))
    if missing:
        raise ContractViolation(
            f"full pull ({kind.value}): lost live records {missing[:3]} after an archive"
        )


# ---------------------------------------------------------------------------------------
# push
# ---------------------------------------------------------------------------------------


def push_respects_the_batch_size(subject: Subject) -> None:
    """A push of ``batch_size`` operations (the most apply sends) gives one result per
    operation, and no write call the vendor receives carries more than the declared
    batch size or the vendor's own limit."""
    caps = subject.connector.capabilities
    kind = _require_kinds(subject)[0]
    om = subject.om(kind)
    count = min(caps.batch_size, 1000)
    contacts = subject.samples(kind, count, "batch")
    subject.write_calls()  # forget the calls made before
    operations = [create_op(om, c) for c in contacts]
    results = list(subject.connector.push(kind, operations))
    if sorted(r.key for r in results) != sorted(op.key for op in operations):
        raise ContractViolation(
            f"push ({kind.value}): {len(operations)} operations gave {len(results)} results; "
            "there must be exactly one per operation"
        )
    calls = subject.write_calls()
    if calls is not None:
        limit = subject.contract.vendor_batch_limit()
        ceiling = min(caps.batch_size, limit) if limit is not None else caps.batch_size
        over = [c.size for c in calls if c.size > ceiling]
        if over:
            raise ContractViolation(
                f"push ({kind.value}): a write call carried {max(over)} records; the most allowed "
                f"is {ceiling} (declared batch_size {caps.batch_size}, vendor limit {limit})"
            )
        sent = sum(c.size for c in calls)
        if sent < count:  # more is a retried call (upserts: harmless), fewer is a loss
            raise ContractViolation(
                f"push ({kind.value}): {count} operations but only {sent} records sent"
            )
    failed = [r for r in results if not r.ok]
    if failed:
        error = failed[0].error
        raise ContractViolation(
            f"push ({kind.value}): {len(failed)} of {count} writes failed"
            + (f" (first: {error.code}: {error.message})" if error else "")
        )
    _coverage(
        subject.pull(kind, what="full pull"),
        [c.key for c in contacts if c.key],
        "full pull after push",
    )


def per_record_errors_come_back_as_results(subject: Subject) -> None:
    """A record the vendor refuses comes back as its own result with the vendor's code,
    the field and a message; the records around it in the batch are still written."""
    for kind in _require_kinds(subject):
        om = subject.om(kind)
        good = subject.samples(kind, 2, "err-ok")
        bad = subject.samples(kind, 1, "err-bad")[0]
        try:
            rejected = subject.contract.rejected_write(subject.connector, kind, bad)
        except NotImplementedError:
            raise ContractViolation(
                "implement rejected_write(): a write this store refuses, and the error it must give"
            ) from None
        operations = [create_op(om, good[0]), rejected.op, create_op(om, good[1])]
        try:
            results = list(subject.connector.push(kind, operations))
        except Exception as exc:
            raise ContractViolation(
                f"push ({kind.value}): one refused record aborted the batch: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        by_key = {r.key: r for r in results}
        if len(results) != len(operations) or set(by_key) != {op.key for op in operations}:
            raise ContractViolation(
                f"push ({kind.value}): 3 operations gave results for {sorted(by_key)}; a refused "
                "record's result must not be dropped"
            )
        result = by_key[rejected.op.key]
        if result.ok or result.error is None:
            raise ContractViolation(
                f"push ({kind.value}): the refused record {rejected.op.key} came back ok: the "
                "vendor's error was swallowed"
            )
        error = result.error
        if error.code != rejected.code:
            raise ContractViolation(
                f"push ({kind.value}): the error code is {error.code!r}, not the vendor's "
                f"{rejected.code!r}"
            )
        if rejected.field is not None and rejected.field not in error.fields:
            raise ContractViolation(
                f"push ({kind.value}): the error names fields {list(error.fields)}, not "
                f"{rejected.field!r}"
            )
        if not error.message.strip():
            raise ContractViolation(f"push ({kind.value}): the error has no message")
        for contact in good:
            if not by_key[contact.key or ""].ok:
                raise ContractViolation(
                    f"push ({kind.value}): {contact.key} failed with the refused record beside it"
                )
        keys = subject.pull(kind, what="full pull").keys()
        for contact in good:
            if contact.key not in keys:
                raise ContractViolation(
                    f"push ({kind.value}): {contact.key} said ok but is not stored"
                )


def retry_after_a_lost_response_creates_no_duplicate(subject: Subject) -> None:
    """A push whose response was lost after the vendor committed it (the client timed
    out) surfaces as ``RetryableError`` or is retried inside; sending the same operations
    again, twice, leaves each record exactly once."""
    kind = _require_kinds(subject)[0]
    om = subject.om(kind)
    contacts = subject.samples(kind, 3, "retry")
    operations = [create_op(om, c) for c in contacts]
    fired = subject.contract.arm_lost_response(subject.connector)
    try:
        subject.push(kind, operations)
    except RetryableError:
        pass  # what apply expects: the journal resends the batch
    except Exception as exc:
        raise ContractViolation(
            f"push ({kind.value}): a lost response escaped as {type(exc).__name__}: {exc}; "
            "raise RetryableError (or retry inside push)"
        ) from exc
    if fired is not None and not fired():
        raise ContractViolation("the lost-response fault never fired: the push made no write call")
    for attempt in ("a retry", "a second retry"):
        subject.push_all_ok(kind, operations, f"{attempt} after a lost response")
    run = subject.pull(kind, what="full pull")
    keys = run.keys()
    twice = repeated(k for k in keys if k in {c.key for c in contacts})
    if twice:
        raise ContractViolation(
            f"retry ({kind.value}): the retried writes created duplicates of {twice}"
        )
    _coverage(run, [c.key for c in contacts if c.key], "full pull after retries")


# ---------------------------------------------------------------------------------------
# mapping and separate storage
# ---------------------------------------------------------------------------------------


def _mapped_fields(subject: Subject, kind: Kind) -> list[str]:
    om = subject.om(kind)
    names: list[str] = []
    for fmap in om.fields.values():
        for produced in CONVERTERS[fmap.convert].produces(fmap):
            if produced not in names and produced not in subject.contract.read_only_fields:
                names.append(produced)
    return names


def _losses(fields: list[str], wrote: AnyContact, read: AnyContact) -> list[str]:
    before, after = dump_values(wrote), dump_values(read)
    return [
        f"{name}: wrote {before.get(name)!r}, read {after.get(name)!r}"
        for name in fields
        if compare_form(name, before.get(name)) != compare_form(name, after.get(name))
    ]


def mapping_round_trip_loses_nothing(subject: Subject) -> None:
    """canonical → vendor → canonical loses no mapped field, for both kinds: through the
    mapping alone, and through a push and a pull of the store."""
    for kind in _require_kinds(subject):
        om = subject.om(kind)
        fields = _mapped_fields(subject, kind)
        contacts = subject.samples(kind, 4, "map")
        for contact in contacts:
            try:
                vendor = to_vendor(om, contact)
            except UnmappableValue as exc:
                raise ContractViolation(
                    f"mapping ({kind.value}): cannot write {contact.key}: {exc}"
                ) from None
            _, problems = to_canonical(om, vendor)
            if problems:
                raise ContractViolation(
                    f"mapping ({kind.value}): {contact.key} reads back with {problems[0]}"
                )
        subject.push_all_ok(kind, [create_op(om, c) for c in contacts], "writing samples")
        records = subject.pull(kind, what="full pull").by_key()
        for contact in contacts:
            record = records.get(contact.key or "")
            if record is None:
                raise ContractViolation(
                    f"round trip ({kind.value}): {contact.key} was written but not read back"
                )
            try:
                back = subject.contact(kind, record)
            except ContractViolation as exc:
                raise ContractViolation(
                    f"round trip ({kind.value}) lost {contact.key}: {exc}"
                ) from None
            losses = _losses(fields, contact, back)
            if losses:
                raise ContractViolation(
                    f"round trip ({kind.value}) through {om.object!r} lost {len(losses)} field(s) "
                    f"of {contact.key}: " + "; ".join(losses[:4])
                )


def kinds_never_cross_objects(subject: Subject) -> None:
    """Emergency contacts pushed as emergency land only in the emergency object and
    business contacts only in the business object: in the store and on the wire."""
    kinds = _require_kinds(subject)
    written: dict[Kind, list[str]] = {}
    subject.write_calls()
    for kind in kinds:
        om = subject.om(kind)
        contacts = subject.samples(kind, 2, "sep")
        subject.push_all_ok(kind, [create_op(om, c) for c in contacts], "writing")
        written[kind] = [c.key for c in contacts if c.key]
        calls = subject.write_calls()
        wrong = sorted({c.object for c in calls or () if c.object != om.object})
        if wrong:
            raise ContractViolation(
                f"push ({kind.value}): {kind.value} contacts were sent to {wrong}, not "
                f"{om.object!r}"
            )
    for kind in kinds:
        keys = set(subject.pull(kind, what="full pull").keys())
        for other, other_keys in written.items():
            if other is kind:
                missing = sorted(set(other_keys) - keys)
                if missing:
                    raise ContractViolation(
                        f"pull ({kind.value}): {missing} written as {kind.value} are not there"
                    )
                continue
            strays = sorted(keys & set(other_keys))
            if strays:
                raise ContractViolation(
                    f"the {kind.value} object {subject.om(kind).object!r} holds {other.value} "
                    f"contacts {strays}: the two kinds must be stored apart"
                )


CHECKS: dict[str, Check] = {
    check.__name__: check
    for check in (
        describe_matches_mapping,
        full_pull_pages_to_the_end,
        incremental_pull_misses_no_change,
        incremental_pull_catches_a_late_commit,
        interrupted_pull_resumes_exactly_once,
        deletes_come_from_a_feed_or_a_complete_enumeration,
        push_respects_the_batch_size,
        per_record_errors_come_back_as_results,
        retry_after_a_lost_response_creates_no_duplicate,
        mapping_round_trip_loses_nothing,
        kinds_never_cross_objects,
    )
}
"""Every check by name, in the order the suite runs them."""

__all__ = ["CHECKS", "Check", *CHECKS]

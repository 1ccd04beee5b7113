"""The connector under test and what the checks do with it.

A ``Subject`` is one connector over one store (a folder, a database, a running
emulator), built by the author's ``ConnectorContract``. Checks seed it, pull from it and
push to it through the methods here, which also enforce the shape rules every pull must
keep (one ``last`` page at the end, ``complete`` only there, records of the right object).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contactsync.connector import Connector, Cursor, PullPage, VendorRecord, WriteOp, WriteResult
from contactsync.errors import RecordRejected
from contactsync.mapping import ObjectMapping, to_vendor
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync.reconcile.canonical import Canonicalizer
from contactsync.testing.contract.samples import AnyContact
from contactsync.testing.emulator import WriteCall

if TYPE_CHECKING:
    from contactsync.testing.contract.suite import ConnectorContract

MAX_PAGES = 10_000
"""A pull that yields more pages than this is taken as one that never ends."""


class ContractViolation(AssertionError):
    """A connector broke a point of the contract; the message says which and how."""


class NotApplicable(Exception):
    """A check does not apply to this connector (it does not declare the capability), or
    needs a hook the author did not implement; the suite reports it as skipped."""


@dataclass(frozen=True)
class RejectedWrite:
    """A write the store will refuse for this one record, and the error it must report.

    Attributes:
        op: the operation to send.
        code: the vendor's error code the result must carry.
        field: the vendor field the error must name, when the vendor names one.
    """

    op: WriteOp
    code: str
    field: str | None = None


LostResponse = Callable[[], bool]
"""Returned by ``arm_lost_response``: tells afterwards whether the fault really fired."""


def create_op(om: ObjectMapping, contact: AnyContact) -> WriteOp:
    """A ``create`` of ``contact`` with a stable idempotency key, as apply sends it."""
    assert contact.key is not None
    return WriteOp("create", contact.key, to_vendor(om, contact), None, f"create:{contact.key}")


def update_op(om: ObjectMapping, contact: AnyContact, record_id: str | None) -> WriteOp:
    assert contact.key is not None
    return WriteOp(
        "update", contact.key, to_vendor(om, contact), record_id, f"update:{contact.key}"
    )


@dataclass
class PullRun:
    """Every page of one pull, read to the end."""

    kind: Kind
    pages: list[PullPage]
    key_field: str

    @property
    def records(self) -> list[VendorRecord]:
        return [record for page in self.pages for record in page.records]

    @property
    def live(self) -> list[VendorRecord]:
        return [record for record in self.records if not record.deleted]

    @property
    def deleted(self) -> list[VendorRecord]:
        return [record for record in self.records if record.deleted]

    def keys(self) -> list[str]:
        """The contactsync keys of the live records, in pull order (repeats kept)."""
        return [k for k in (record_key(r, self.key_field) for r in self.live) if k is not None]

    def by_key(self) -> dict[str, VendorRecord]:
        return {k: r for r in self.live if (k := record_key(r, self.key_field)) is not None}

    @property
    def cursor(self) -> Cursor:
        return self.pages[-1].cursor

    @property
    def complete(self) -> bool:
        return self.pages[-1].complete


def record_key(record: VendorRecord, key_field: str) -> str | None:
    value = record.values.get(key_field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()


def repeated(items: Iterable[str]) -> list[str]:
    """The items that occur more than once, sorted."""
    return sorted(item for item, count in Counter(items).items() if count > 1)


@dataclass
class Subject:
    """One connector under test. See the module docstring.

    Attributes:
        contract: the author's contract class instance (page size, hooks).
        workdir: the folder the connector's store lives in.
        connector: the connector built by ``contract.make_connector(workdir)``.
    """

    contract: ConnectorContract
    workdir: Path
    connector: Connector
    host: PluginHost = field(default_factory=lambda: PluginHost(entry_points=False))
    _calls_seen: int = 0

    # -- what the connector stores ---------------------------------------------------

    @property
    def kinds(self) -> list[Kind]:
        """The kinds both the mapping and the connector store, emergency first."""
        stored = self.connector.capabilities.kinds
        return [
            k
            for k in (Kind.EMERGENCY, Kind.BUSINESS)
            if self.connector.context.mapping.has(k) and k in stored
        ]

    def om(self, kind: Kind) -> ObjectMapping:
        return self.connector.context.mapping.for_kind(kind)

    def samples(self, kind: Kind, count: int, prefix: str, start: int = 0) -> list[AnyContact]:
        return self.contract.sample_contacts(kind, count, prefix, start)

    # -- building ------------------------------------------------------------------------

    def reopen(self) -> Connector:
        """Close the connector and build a new one over the same store (a restart)."""
        self.connector.close()
        self.connector = self.contract.make_connector(self.workdir)
        return self.connector

    def close(self) -> None:
        self.connector.close()
        session = self.connector.context.session
        if session is not None:
            session.close()

    # -- seeding and writing ---------------------------------------------------------------

    def seed(self, kind: Kind, contacts: Sequence[AnyContact]) -> None:
        """Put ``contacts`` in the store (the contract's ``seed`` hook)."""
        self.contract.seed(self.connector, kind, contacts)

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> list[WriteResult]:
        """Push in chunks of the declared batch size, as apply does; every result."""
        size = self.connector.capabilities.batch_size
        results: list[WriteResult] = []
        for start in range(0, len(operations), size):
            results.extend(self.connector.push(kind, operations[start : start + size]))
        return results

    def push_all_ok(
        self, kind: Kind, operations: Sequence[WriteOp], what: str
    ) -> list[WriteResult]:
        results = self.push(kind, operations)
        failed = [r for r in results if not r.ok]
        if failed or len(results) != len(operations):
            first = failed[0].error if failed else None
            raise ContractViolation(
                f"{what}: {len(operations)} {kind.value} writes gave {len(results)} results, "
                f"{len(failed)} failed"
                + (f" (first: {first.code}: {first.message})" if first else "")
            )
        return results

    def write_calls(self) -> list[WriteCall] | None:
        """The write calls the vendor received since the last time this was asked."""
        calls = self.contract.write_calls()
        if calls is None:
            return None
        fresh = calls[self._calls_seen :]
        self._calls_seen = len(calls)
        return fresh

    # -- reading ---------------------------------------------------------------------------

    def pull(self, kind: Kind, since: Cursor | None = None, *, what: str = "pull") -> PullRun:
        """Read a pull to its end, checking the shape rules of every page."""
        return collect(self.connector.pull(kind, since), kind, self.om(kind), what)

    def contact(self, kind: Kind, record: VendorRecord) -> AnyContact:
        """The canonical contact a pulled record becomes (mapping, normalization, validation)."""
        canon = Canonicalizer(self.host, self.connector.system, None, self.contract.region)
        try:
            contact, _ = canon.contact(
                self.om(kind),
                record.values,
                object_name=record.object,
                record_id=record.record_id,
                locator=record.locator,
            )
        except RecordRejected as exc:
            raise ContractViolation(
                f"a {kind.value} record read back is not a valid contact: {exc}"
            ) from None
        return contact


def collect(pages: Iterable[PullPage], kind: Kind, om: ObjectMapping, what: str) -> PullRun:
    """Every page of ``pages``.

    Raises:
        ContractViolation: a page after the ``last`` one, no ``last`` page, ``complete`` on
            a page that is not last, a record of another object, or a pull that never ends.
    """
    read: list[PullPage] = []
    iterator: Iterator[PullPage] = iter(pages)
    for page in iterator:
        if read and read[-1].last:
            raise ContractViolation(
                f"{what} ({kind.value}): a page came after the page marked last"
            )
        if page.complete and not page.last:
            raise ContractViolation(
                f"{what} ({kind.value}): page {len(read) + 1} says complete but not last"
            )
        strangers = sorted({r.object for r in page.records} - {om.object})
        if strangers:
            raise ContractViolation(
                f"{what} ({kind.value}): page {len(read) + 1} holds records of {strangers}, "
                f"not of the {kind.value} object {om.object!r}"
            )
        read.append(page)
        if len(read) > MAX_PAGES:
            raise ContractViolation(
                f"{what} ({kind.value}): more than {MAX_PAGES} pages: it never ends"
            )
    if not read:
        raise ContractViolation(f"{what} ({kind.value}): the pull yielded no page at all")
    if not read[-1].last:
        raise ContractViolation(f"{what} ({kind.value}): the pull ended without a page marked last")
    return PullRun(kind, read, om.key_field)


def describe_values(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in sorted(values.items()))

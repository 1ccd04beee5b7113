"""``ConnectorContract``: the contract suite a connector runs by subclassing it once.

::

    from contactsync.testing import ConnectorContract

    class TestMyConnector(ConnectorContract):
        def make_connector(self, workdir):
            return MyConnector(ConnectorContext(..., settings={"page_size": self.page_size}))

pytest collects the subclass (its name starts with ``Test``) and runs one test per point of
the contract (``contactsync.testing.contract.checks``). The hooks below tell the suite how
to reach the store behind the connector; those a store cannot do are skipped with a reason.
For an HTTP connector, subclass ``EmulatedContract``: it serves the author's emulator for
each test and implements the hooks through it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest

from contactsync.connector import Connector, ConnectorSpec
from contactsync.mapping import to_vendor
from contactsync.models import Kind
from contactsync.testing.contract.checks import CHECKS
from contactsync.testing.contract.samples import AnyContact, sample_contacts
from contactsync.testing.contract.subject import (
    ContractViolation,
    LostResponse,
    NotApplicable,
    RejectedWrite,
    Subject,
    create_op,
)
from contactsync.testing.emulator import (
    CommitThenDrop,
    EmulatorApp,
    RunningEmulator,
    WriteCall,
    serve,
)


class ConnectorContract:
    """The contract suite. Subclass it as ``Test<Name>`` and implement ``make_connector``.

    Attributes:
        page_size: build the connector to page this small (the suite seeds
            ``2 * page_size + 1`` records, so pulls cross page boundaries).
        lookback: build an incremental connector with at least this lookback.
        read_only_fields: canonical fields the vendor sets itself (a system modification
            time mapped to ``updated_at``): left out of the round-trip comparison.
        region: the phone region records are read with.
    """

    page_size: ClassVar[int] = 2
    lookback: ClassVar[timedelta] = timedelta(seconds=1)
    read_only_fields: ClassVar[frozenset[str]] = frozenset()
    region: ClassVar[str] = "CN"

    # -- what the author implements ---------------------------------------------------

    def make_connector(self, workdir: Path) -> Connector:
        """Build the connector under test over a store in ``workdir`` (required).

        Called again with the same ``workdir`` to simulate a restart: the new connector
        must see the same store.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement make_connector()")

    def spec(self) -> ConnectorSpec | None:
        """The ``ConnectorSpec`` the plugin registers, to check it against the connector."""
        return None

    def sample_contacts(
        self, kind: Kind, count: int, prefix: str, start: int = 0
    ) -> list[AnyContact]:
        """The contacts the checks write: by default every field set (``samples.py``).
        Override only when the vendor cannot hold some canonical value, and say why."""
        return sample_contacts(kind, count, prefix, start)

    def seed(self, connector: Connector, kind: Kind, contacts: Sequence[AnyContact]) -> None:
        """Put ``contacts`` in the store with ONE modification stamp (one batch), as a
        vendor's bulk load does. Default: push them as creates, in batches."""
        om = connector.context.mapping.for_kind(kind)
        operations = [create_op(om, c) for c in contacts]
        size = connector.capabilities.batch_size
        for start in range(0, len(operations), size):
            failed = [r for r in connector.push(kind, operations[start : start + size]) if not r.ok]
            if failed:
                error = failed[0].error
                raise ContractViolation(
                    f"seeding {kind.value} failed for {failed[0].key}: "
                    f"{error.code + ': ' + error.message if error else 'no error given'}"
                )

    def write_late(
        self, connector: Connector, kind: Kind, contact: AnyContact, modified_at: datetime
    ) -> None:
        """Write ``contact`` into the store stamped ``modified_at``, behind the connector's
        back, as a slow concurrent writer would. Only for incremental connectors; when not
        implemented, the late-commit check is skipped."""
        raise NotImplementedError

    def rejected_write(
        self, connector: Connector, kind: Kind, contact: AnyContact
    ) -> RejectedWrite:
        """A write of ``contact`` (its key) that the store refuses, with the code and field
        the result must carry (required: every store refuses something)."""
        raise NotImplementedError

    def arm_lost_response(self, connector: Connector) -> LostResponse | None:
        """Make the next write commit and its response get lost; return a function telling
        afterwards whether that happened. ``None`` (the default, for local stores): the
        check then sends the same writes again, as a resumed apply does."""
        return None

    def write_calls(self) -> list[WriteCall] | None:
        """Every write call the vendor received so far (``None`` when there is no wire)."""
        return None

    def vendor_batch_limit(self) -> int | None:
        """The most records the vendor takes in one write call, when it has a limit."""
        return None

    # -- running ---------------------------------------------------------------------------

    @contextmanager
    def open(self, workdir: Path) -> Iterator[Subject]:
        """The connector under test over a store in ``workdir``, closed at the end."""
        workdir.mkdir(parents=True, exist_ok=True)
        subject = Subject(self, workdir, self.make_connector(workdir))
        try:
            yield subject
        finally:
            subject.close()

    def run_check(self, name: str, workdir: Path) -> None:
        """Run one check (a key of ``CHECKS``); skip when it does not apply."""
        with self.open(workdir) as subject:
            try:
                CHECKS[name](subject)
            except NotApplicable as exc:
                pytest.skip(str(exc))

    # -- the tests (one per point of the contract) -------------------------------------------

    def test_describe_matches_mapping(self, tmp_path: Path) -> None:
        self.run_check("describe_matches_mapping", tmp_path)

    def test_full_pull_pages_to_the_end(self, tmp_path: Path) -> None:
        self.run_check("full_pull_pages_to_the_end", tmp_path)

    def test_incremental_pull_misses_no_change(self, tmp_path: Path) -> None:
        self.run_check("incremental_pull_misses_no_change", tmp_path)

    def test_incremental_pull_catches_a_late_commit(self, tmp_path: Path) -> None:
        self.run_check("incremental_pull_catches_a_late_commit", tmp_path)

    def test_interrupted_pull_resumes_exactly_once(self, tmp_path: Path) -> None:
        self.run_check("interrupted_pull_resumes_exactly_once", tmp_path)

    def test_deletes_come_from_a_feed_or_a_complete_enumeration(self, tmp_path: Path) -> None:
        self.run_check("deletes_come_from_a_feed_or_a_complete_enumeration", tmp_path)

    def test_push_respects_the_batch_size(self, tmp_path: Path) -> None:
        self.run_check("push_respects_the_batch_size", tmp_path)

    def test_per_record_errors_come_back_as_results(self, tmp_path: Path) -> None:
        self.run_check("per_record_errors_come_back_as_results", tmp_path)

    def test_retry_after_a_lost_response_creates_no_duplicate(self, tmp_path: Path) -> None:
        self.run_check("retry_after_a_lost_response_creates_no_duplicate", tmp_path)

    def test_mapping_round_trip_loses_nothing(self, tmp_path: Path) -> None:
        self.run_check("mapping_round_trip_loses_nothing", tmp_path)

    def test_kinds_never_cross_objects(self, tmp_path: Path) -> None:
        self.run_check("kinds_never_cross_objects", tmp_path)


class EmulatedContract(ConnectorContract):
    """The suite for a connector that speaks HTTP to a vendor, run against its emulator.

    Implement ``make_emulator`` (an ``EmulatorApp`` built on its ``store``) and
    ``make_connector``, which points the connector at ``self.server.url`` (set for each
    test). Seeding, late writes, refused records, lost responses and the write log then
    go through the emulator.

    Attributes:
        rejection_code: the vendor code injected for the refused record.
        lost_response_hold: ``True``: the server holds the connection silent until the
            client times out; ``False``: it drops the connection at once.
        drop_wait: the longest the server holds such a connection.
    """

    rejection_code: ClassVar[str] = "CONTRACT_REJECTED"
    lost_response_hold: ClassVar[bool] = True
    drop_wait: ClassVar[float] = 5.0

    emulator: EmulatorApp
    server: RunningEmulator

    def make_emulator(self) -> EmulatorApp:
        """A fresh emulator for one test (required)."""
        raise NotImplementedError(f"{type(self).__name__} must implement make_emulator()")

    @contextmanager
    def open(self, workdir: Path) -> Iterator[Subject]:
        app = self.make_emulator()
        with serve(app, drop_wait=self.drop_wait) as server:
            self.server, self.emulator = server, app
            with super().open(workdir) as subject:
                yield subject

    def seed(self, connector: Connector, kind: Kind, contacts: Sequence[AnyContact]) -> None:
        """Straight into the emulator's store, in one batch (one stamp)."""
        om = connector.context.mapping.for_kind(kind)
        with self.emulator.store.batch():
            for contact in contacts:
                self.emulator.store.upsert(om.object, om.key_field, to_vendor(om, contact))

    def write_late(
        self, connector: Connector, kind: Kind, contact: AnyContact, modified_at: datetime
    ) -> None:
        om = connector.context.mapping.for_kind(kind)
        self.emulator.store.upsert(
            om.object, om.key_field, to_vendor(om, contact), modified_at=modified_at
        )

    def rejected_write(
        self, connector: Connector, kind: Kind, contact: AnyContact
    ) -> RejectedWrite:
        om = connector.context.mapping.for_kind(kind)
        field = om.fields["name"].vendor_fields[0]
        assert contact.key is not None
        self.emulator.reject(
            contact.key, self.rejection_code, "refused by the contract suite", field
        )
        return RejectedWrite(create_op(om, contact), self.rejection_code, field)

    def arm_lost_response(self, connector: Connector) -> LostResponse | None:
        rule = self.server.faults.add(CommitThenDrop(hold=self.lost_response_hold), method="WRITE")
        return lambda: rule.fired > 0

    def write_calls(self) -> list[WriteCall] | None:
        return list(self.emulator.writes)

    def vendor_batch_limit(self) -> int | None:
        return self.emulator.max_batch


__all__ = ["ConnectorContract", "EmulatedContract", "NotApplicable"]

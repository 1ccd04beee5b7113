"""The connector against recorded cassettes, replayed with ``record_mode="none"``.

The cassettes in ``cassettes/example_crm/`` were recorded from the emulator with the one
documented command, ``CONTACTSYNC_RECORD=1 make test``, through the kit's scrubbers.
Replaying, no emulator runs: every answer comes from the cassette, and a request the
connector no longer makes (or makes differently) fails the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from example_crm_emulator import ExampleCrm
from example_crm_helpers import connector_for

from contactsync.connector import WriteOp
from contactsync.mapping import to_vendor
from contactsync.models import Kind
from contactsync.testing import create_op, sample_contacts, update_op
from contactsync.testing.cassettes import emulator_cassette
from contactsync.testing.contract import AnyContact
from contactsync.testing.contract.samples import changed

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes" / "example_crm"
pytestmark = pytest.mark.cassette


def seeded(kind: Kind, contacts: list[AnyContact]) -> ExampleCrm:
    """An emulator already holding ``contacts`` (used only while recording)."""
    crm = ExampleCrm()
    connector = connector_for("http://unused.test")
    om = connector.context.mapping.for_kind(kind)
    with crm.store.batch():
        for contact in contacts:
            crm.store.upsert(om.object, om.key_field, to_vendor(om, contact))
    return crm


def test_full_pull_follows_the_cursor_to_the_end() -> None:
    contacts = sample_contacts(Kind.EMERGENCY, 5, "cassette")
    with emulator_cassette(
        CASSETTES / "full_pull.yaml", lambda: seeded(Kind.EMERGENCY, contacts)
    ) as url:
        connector = connector_for(url, page_size=2)
        pages = list(connector.pull(Kind.EMERGENCY))
    assert [len(p.records) for p in pages] == [2, 2, 1]
    assert [p.last for p in pages] == [False, False, True] and pages[-1].complete
    assert [r.values["cs_key"] for p in pages for r in p.records] == [c.key for c in contacts]
    assert pages[-1].cursor.watermark is not None and pages[-1].cursor.page_state is None
    assert pages[0].records[0].values["full_name"] == contacts[0].name


def test_push_upserts_and_keeps_each_record_error() -> None:
    contacts = sample_contacts(Kind.BUSINESS, 3, "cassette-push")
    with emulator_cassette(CASSETTES / "push_with_errors.yaml", ExampleCrm) as url:
        connector = connector_for(url)
        om = connector.context.mapping.for_kind(Kind.BUSINESS)
        good, bad, missing = (create_op(om, c) for c in contacts)
        bad = WriteOp(
            "create", bad.key, {**bad.values, "email": "not-an-address"}, None, bad.idempotency_key
        )
        missing = WriteOp("create", missing.key, {**missing.values, "job_title": None}, None, "m")
        results = list(connector.push(Kind.BUSINESS, [good, bad, missing]))
        again = list(
            connector.push(
                Kind.BUSINESS, [update_op(om, changed(contacts[0]), results[0].record_id)]
            )
        )
    assert [r.key for r in results] == [c.key for c in contacts]
    assert results[0].ok and results[0].record_id == "r000001"
    assert (
        results[1].error and results[1].error.code,
        results[1].error and results[1].error.fields,
    ) == ("INVALID_EMAIL", ("email",))
    assert results[2].error is not None and results[2].error.code == "REQUIRED_FIELD_MISSING"
    assert results[2].error.fields == ("job_title",)
    assert again[0].ok and again[0].record_id == "r000001"  # updated by external id


def test_incremental_pull_reads_the_delete_feed_and_the_changes() -> None:
    contacts = sample_contacts(Kind.EMERGENCY, 3, "cassette-inc")
    with emulator_cassette(
        CASSETTES / "incremental.yaml", lambda: seeded(Kind.EMERGENCY, contacts)
    ) as url:
        connector = connector_for(url, lookback_seconds=1)
        om = connector.context.mapping.for_kind(Kind.EMERGENCY)
        first = list(connector.pull(Kind.EMERGENCY))
        ids = {r.values["cs_key"]: r.record_id for r in first[-1].records}
        gone, kept = contacts[0], changed(contacts[1])
        archive = WriteOp("archive", gone.key or "", {}, ids[gone.key], "a")
        pushed = list(connector.push(Kind.EMERGENCY, [archive, update_op(om, kept, ids[kept.key])]))
        changes = list(connector.pull(Kind.EMERGENCY, first[-1].cursor))
    assert all(r.ok for r in pushed)
    records = [r for p in changes for r in p.records]
    assert [(r.record_id, r.deleted) for r in records if r.deleted] == [(ids[gone.key], True)]
    assert kept.key in {r.values["cs_key"] for r in records if not r.deleted}
    assert not changes[-1].complete  # a delete feed, not an enumeration
    assert changes[-1].cursor.watermark is not None
    assert first[-1].cursor.watermark is not None
    assert changes[-1].cursor.watermark > first[-1].cursor.watermark

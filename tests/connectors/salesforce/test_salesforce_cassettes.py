"""Cassettes recorded from the emulator and replayed with ``record_mode="none"``.

Replaying needs no emulator: every answer comes from ``cassettes/salesforce/``. To record
them again (after the connector changes what it sends): ``CONTACTSYNC_RECORD=1
.venv/bin/python -m pytest tests/connectors/salesforce/test_salesforce_cassettes.py``.
The kit's scrubbers keep tokens, secrets and real-looking personal data out; the guard
below (and ``tests/testing/test_cassette_guard.py``) checks they did.
"""

from __future__ import annotations

from salesforce_helpers import CASSETTES, connector, creates, keys, make_emulator, records, samples

from contactsync.connector import WriteOp
from contactsync.models import Kind
from contactsync.testing.cassettes import emulator_cassette, scan_cassette
from contactsync_salesforce.emulator import SalesforceEmulator

E, B = Kind.EMERGENCY, Kind.BUSINESS
CLIENT = {"client_id": "cs-cassette-client", "client_secret": "cs-cassette-secret"}


def _org() -> SalesforceEmulator:
    app = make_emulator()
    app.clients[CLIENT["client_id"]] = CLIENT["client_secret"]
    with app.store.batch():
        for contact in samples(E, 3, "seed"):
            app.store.upsert("Emergency_Contact__c", "Contactsync_Key__c", {
                "Contactsync_Key__c": contact.key, "Name": contact.name, "Role__c": contact.role,
                "Account__r.Customer_Number__c": contact.customer,
            })
    return app


def _partial_org() -> SalesforceEmulator:
    app = make_emulator()
    app.grant_session("cassette-session")
    app.reject("cs-push-business-0001", "FIELD_CUSTOM_VALIDATION_EXCEPTION", "部门必须填写",
               "Department")
    app.lock("cs-push-business-0002")
    return app


def test_a_sync_cycle_replays_from_its_cassette() -> None:
    path = CASSETTES / "sync_cycle.yaml"
    with emulator_cassette(path, _org) as base:
        sf = connector(base, credentials=CLIENT, login_url="https://example.my.salesforce.com")
        full = list(sf.pull(E))
        assert [len(p.records) for p in full] == [2, 1] and full[-1].complete
        ids = {r.values["Contactsync_Key__c"]: r.record_id for r in records(full)}
        fresh = samples(E, 2, "new")
        made = list(sf.push(E, creates(E, fresh)))
        assert all(r.ok for r in made)
        update = WriteOp("update", "cs-seed-emergency-0000",
                         {"Contactsync_Key__c": "cs-seed-emergency-0000", "Role__c": "安全总监"},
                         ids["cs-seed-emergency-0000"])
        archive = WriteOp("archive", "cs-seed-emergency-0001", {},
                          ids["cs-seed-emergency-0001"])
        assert all(r.ok for r in sf.push(E, [update, archive]))
        changes = list(sf.pull(E, full[-1].cursor))
        assert {r.record_id for r in records(changes) if r.deleted} == {
            ids["cs-seed-emergency-0001"]
        }
        assert {c.key for c in fresh} <= set(keys(changes))
    assert path.is_file()


def test_a_partly_refused_push_replays_from_its_cassette() -> None:
    path = CASSETTES / "partial_push.yaml"
    with emulator_cassette(path, _partial_org) as base:
        sf = connector(base, credentials={"session_id": "cassette-session"})
        results = list(sf.push(B, creates(B, samples(B, 3, "push"))))
        assert [r.ok for r in results] == [True, False, True]
        error = results[1].error
        assert error is not None and error.code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
        assert error.fields == ("Department",)


def test_the_salesforce_cassettes_hold_no_secret_and_no_real_personal_data() -> None:
    cassettes = sorted(CASSETTES.glob("*.yaml"))
    assert cassettes, "no cassette recorded"
    for path in cassettes:
        assert scan_cassette(path) == [], path
        text = path.read_text(encoding="utf-8")
        assert "cs-cassette-secret" not in text and "EMU-TOKEN" not in text
        assert "127.0.0.1" not in text

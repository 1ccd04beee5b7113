"""Pulls against the emulator: paging by nextRecordsUrl, the compound cursor and lookback,
deletions from Get Deleted, the window fallback, resuming, escaping."""

from __future__ import annotations

from datetime import timedelta

import pytest
from salesforce_helpers import connector, creates, keys, records, samples, session_connector

from contactsync.connector import Cursor, WriteOp
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.testing.emulator import RunningEmulator
from contactsync_salesforce.emulator import SalesforceEmulator
from contactsync_salesforce.pull import PullState

E = Kind.EMERGENCY


def seeded(app: SalesforceEmulator, server: RunningEmulator, count: int = 5, **settings: object):
    sf = session_connector(app, server.url, **settings)
    contacts = samples(E, count)
    assert all(r.ok for r in sf.push(E, creates(E, contacts)))
    return sf, contacts


def test_full_pull_follows_next_records_url_to_the_end(app, server) -> None:
    sf, contacts = seeded(app, server, 5)
    pages = list(sf.pull(E))
    assert [len(p.records) for p in pages] == [2, 2, 1]
    assert sorted(keys(pages)) == sorted(c.key for c in contacts)
    assert [p.last for p in pages] == [False, False, True]
    assert [p.complete for p in pages] == [False, False, True]
    paths = [r.path for r in server.requests if "/query" in r.path]
    assert paths[1].startswith("/services/data/v66.0/query/0r8")  # the relative locator


def test_an_absolute_next_records_url_is_taken_by_its_path(server, app) -> None:
    app.absolute_next_urls = True
    sf, contacts = seeded(app, server, 3)
    pages = list(sf.pull(E))
    assert sorted(keys(pages)) == sorted(c.key for c in contacts)
    more = [r for r in server.requests if "/query/0r8" in r.path]
    assert more and more[0].path.endswith("-2")


def test_records_are_flat_vendor_values_with_the_customer_path(app, server) -> None:
    sf, contacts = seeded(app, server, 1)
    (record,) = records(list(sf.pull(E)))
    assert record.values["Account__r.Customer_Number__c"] == contacts[0].customer
    assert record.values["Contactsync_Key__c"] == contacts[0].key
    assert record.modified_at is not None and record.record_id.startswith("a0B")
    assert "attributes" not in record.values


def test_incremental_pull_reads_changes_since_the_cursor_and_the_deletions(app, server) -> None:
    sf, contacts = seeded(app, server, 4)
    app.store.clock.tick()
    app.store.clock.tick()  # the pull runs two seconds later: past the one-second lookback
    base = list(sf.pull(E))
    cursor = Cursor.from_json(base[-1].cursor.to_json())
    by_key = {r.values["Contactsync_Key__c"]: r.record_id for r in records(base)}
    first, second = contacts[0].key or "", contacts[1].key or ""
    update = WriteOp("update", first, {"Role__c": "新角色", "Contactsync_Key__c": first},
                     by_key[first])
    archive = WriteOp("archive", second, {}, by_key[second])
    assert all(r.ok for r in sf.push(E, [update, archive]))
    pages = list(sf.pull(E, cursor))
    live = {r.values["Contactsync_Key__c"]: r for r in records(pages) if not r.deleted}
    assert set(live) == {first}
    assert live[first].values["Role__c"] == "新角色"
    assert [r.record_id for r in records(pages) if r.deleted] == [by_key[second]]
    assert not pages[-1].complete and pages[-1].last
    final = pages[-1].cursor
    assert final.page_state is None
    assert (final.watermark, final.last_id or "") >= (cursor.watermark, cursor.last_id or "")
    deleted_calls = [r for r in server.requests if r.path.endswith("/deleted/")]
    assert len(deleted_calls) == 1


def test_without_lookback_the_compound_cursor_reads_strictly_after(app, server) -> None:
    sf, _ = seeded(app, server, 3, lookback_seconds=0)
    base = list(sf.pull(E))
    last = records(base)[-1]
    cursor = Cursor(last.modified_at, last.record_id)
    late = samples(E, 1, "late")[0]
    with app.store.batch(last.modified_at):  # a slow writer, stamped at the watermark
        app.store.upsert("Emergency_Contact__c", "Contactsync_Key__c",
                         {"Contactsync_Key__c": late.key, "Name": "样例戊", "Role__c": "x",
                          "Account__c": app.find_by("Account", "Customer_Number__c", "C001").id})
    pages = list(sf.pull(E, cursor))
    assert keys(pages) == [late.key]
    soql = [r.query for r in server.requests if r.path.endswith("/query/")][-1]
    assert "SystemModstamp+%3E+" in soql and "Id+%3E+%27" + last.record_id in soql


def test_a_record_deleted_then_restored_is_not_reported_deleted(app, server) -> None:
    sf, _ = seeded(app, server, 2)
    base = list(sf.pull(E))
    restored, gone = records(base)
    app.store.clock.tick()
    app.store.clock.tick()
    archive = [WriteOp("archive", str(r.values["Contactsync_Key__c"]), {}, r.record_id)
               for r in (restored, gone)]
    assert all(r.ok for r in sf.push(E, archive))
    app.undelete("Emergency_Contact__c", restored.record_id)
    assert restored.record_id in {entry[1] for entry in app.delete_log}  # still in the log
    pages = list(sf.pull(E, base[-1].cursor))
    assert {r.record_id for r in records(pages) if r.deleted} == {gone.record_id}
    assert restored.record_id in {r.record_id for r in records(pages) if not r.deleted}


def test_a_window_the_delete_log_no_longer_covers_means_a_full_enumeration(app, server) -> None:
    sf, contacts = seeded(app, server, 3)
    cursor = list(sf.pull(E))[-1].cursor
    app.store.clock.now += timedelta(days=16)  # nobody ran a sync for sixteen days
    pages = list(sf.pull(E, cursor))
    assert pages[-1].complete and pages[-1].last
    assert sorted(set(keys(pages))) == sorted(c.key for c in contacts)
    refused = [r for r in server.requests if r.path.endswith("/deleted/")]
    assert refused and refused[0].status == 400


def test_a_purged_delete_log_means_a_full_enumeration(app, server) -> None:
    sf, contacts = seeded(app, server, 2)
    cursor = list(sf.pull(E))[-1].cursor
    app.purged_before = app.store.clock.now + timedelta(minutes=5)
    pages = list(sf.pull(E, cursor))
    assert pages[-1].complete
    assert sorted(set(keys(pages))) == sorted(c.key for c in contacts)


def test_a_pull_started_again_from_a_page_state_goes_on_after_that_page(app, server) -> None:
    sf, contacts = seeded(app, server, 5)
    first = next(iter(sf.pull(E)))
    assert first.cursor.page_state
    rest = list(sf.pull(E, Cursor.from_json(first.cursor.to_json())))
    seen = [r.values["Contactsync_Key__c"] for r in first.records] + keys(rest)
    assert sorted(seen) == sorted(c.key for c in contacts)  # each once
    assert rest[-1].complete


def test_a_page_state_of_another_object_is_refused(app, server) -> None:
    sf, _ = seeded(app, server, 1)
    state = PullState("Contact", "full").encode()
    with pytest.raises(ConfigError, match="belongs to 'Contact'"):
        list(sf.pull(E, Cursor(page_state=state)))


def test_a_cursor_id_that_is_not_a_record_id_never_reaches_soql(app, server) -> None:
    sf, _ = seeded(app, server, 1, lookback_seconds=0)
    cursor = Cursor(app.store.clock.now, "x' OR Name != '")
    with pytest.raises(ConfigError, match="not a Salesforce record id"):
        list(sf.pull(E, cursor))


def test_a_mapped_field_the_org_lacks_is_a_configuration_error(app, server) -> None:
    app.org.replace(app.org.objects["Emergency_Contact__c"].without("Role__c"))
    sf = session_connector(app, server.url)
    with pytest.raises(ConfigError, match="No such column 'Role__c'"):
        list(sf.pull(E))


def test_business_contacts_pull_from_contact_with_the_account_path(app, server) -> None:
    sf = session_connector(app, server.url)
    people = samples(Kind.BUSINESS, 3)
    assert all(r.ok for r in sf.push(Kind.BUSINESS, creates(Kind.BUSINESS, people)))
    pages = list(sf.pull(Kind.BUSINESS))
    got = {r.values["Contactsync_Key__c"]: r.values for r in records(pages)}
    assert got[people[0].key]["Account.Customer_Number__c"] == people[0].customer
    assert got[people[0].key]["LastName"]


def test_no_network_call_is_made_when_the_connector_is_built(app, server) -> None:
    connector(server.url, credentials={"session_id": "x"})
    assert server.requests == []

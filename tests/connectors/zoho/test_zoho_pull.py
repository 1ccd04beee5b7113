"""Pulling: paging past 2,000 records, 50 fields a call, If-Modified-Since and COQL,
the delete feed, offsets, resuming, and the customer behind the Account lookup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from zoho_helpers import connector_for, records, seed

from contactsync.connector import Cursor
from contactsync.errors import ConfigError
from contactsync.mapping import FieldMap, ObjectMapping, SystemMapping
from contactsync.models import Kind
from contactsync_zoho.emulator import FieldSpec, RunningOrg, default_modules, module, serve_org

EMERGENCY = "Emergency_Contacts"


def account(org: RunningOrg, number: str) -> str:
    found = org.crm.find("Accounts", "Account_Number", number)
    assert found is not None
    return found.id


def get_queries(org: RunningOrg, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in org.crm_server.requests
            if r.method == "GET" and r.path == f"/crm/v8/{path}"]


def test_a_full_pull_pages_1_to_10_then_follows_page_token(org: RunningOrg, connect: Any) -> None:
    c001 = account(org, "C001")
    with org.crm.store.batch():  # one bulk load: every record shares one stamp
        for i in range(2050):
            org.crm.add(EMERGENCY, Name=f"Sam Sample {i}", Contactsync_Key=f"k{i:05d}",
                        Account=c001)
    connector = connect()
    pages = list(connector.pull(Kind.EMERGENCY))
    got = records(pages)
    assert len(got) == 2050 and len({r.record_id for r in got}) == 2050
    assert pages[-1].last and pages[-1].complete and not any(p.complete for p in pages[:-1])
    queries = get_queries(org, EMERGENCY)
    assert [q.get("page", ["-"])[0] for q in queries[:10]] == [str(n) for n in range(1, 11)]
    assert "page_token" in queries[10] and "page" not in queries[10]
    assert all(q["per_page"] == ["200"] and q["sort_by"] == ["id"] for q in queries)
    assert pages[-1].cursor.page_state is None and pages[0].cursor.page_state is not None


def test_more_than_50_fields_are_read_in_calls_of_at_most_50(zoho_mapping: SystemMapping) -> None:
    extra = [FieldSpec(f"Extra_{i:02d}") for i in range(60)]
    specs = [m for m in default_modules() if m.api_name != EMERGENCY]
    base = next(m for m in default_modules() if m.api_name == EMERGENCY)
    specs.append(module(EMERGENCY, "Name", (*base.fields[5:], *extra), custom=True))
    om = zoho_mapping.for_kind(Kind.EMERGENCY)
    fields = dict(om.fields)
    fields.update({f"x{i}": FieldMap(f"x{i}", (f"Extra_{i:02d}",)) for i in range(60)})
    wide = SystemMapping("zoho", "wide", {Kind.EMERGENCY: ObjectMapping(
        Kind.EMERGENCY, EMERGENCY, om.key_field, fields, om.id_field)})
    with serve_org(modules=specs) as org:
        c002 = org.crm.add_account("C002", "Customer C002")
        for i in range(3):
            org.crm.add(EMERGENCY, Name=f"Jo {i}", Contactsync_Key=f"w{i}", Account=c002,
                        **{f"Extra_{j:02d}": f"v{i}-{j}" for j in range(60)})
        connector = connector_for(org, wide)
        got = records(list(connector.pull(Kind.EMERGENCY)))
        connector.close()
        asked = [q["fields"][0].split(",") for q in get_queries(org, EMERGENCY)]
    assert len(asked) >= 2 and all(len(names) <= 50 for names in asked)
    assert len(got) == 3
    assert got[1].values["Extra_59"] == "v1-59" and got[1].values["Extra_00"] == "v1-0"
    assert got[1].values["Account"] == "C002"


def test_an_incremental_pull_with_nothing_new_is_an_empty_304(
    org: RunningOrg, connect: Any
) -> None:
    connector = connect()
    seed(connector, Kind.EMERGENCY, 3)
    full = list(connector.pull(Kind.EMERGENCY))
    mark = full[-1].cursor
    assert mark.watermark is not None
    later = connect(lookback_seconds=0)
    pages = list(later.pull(Kind.EMERGENCY, mark))
    assert records(pages) == [] and pages[-1].last and not pages[-1].complete
    seen = [r for r in org.crm_server.requests if r.path == f"/crm/v8/{EMERGENCY}"]
    header = dict(seen[-1].headers).get("If-Modified-Since")
    assert header == mark.watermark.isoformat() and seen[-1].status == 304
    assert pages[-1].cursor.watermark == mark.watermark  # the cursor never goes back


@pytest.mark.parametrize("incremental", ["if_modified_since", "coql"])
def test_an_incremental_pull_returns_changes_and_deletions(
    org: RunningOrg, connect: Any, incremental: str
) -> None:
    connector = connect(page_size=2, incremental=incremental)
    ids = seed(connector, Kind.EMERGENCY, 5)
    mark = list(connector.pull(Kind.EMERGENCY))[-1].cursor
    org.crm.edit(EMERGENCY, ids[1], Role="O'Brien, (acting) \\ chief")
    org.crm.edit(EMERGENCY, ids[3], Role="新角色")
    org.crm.remove(EMERGENCY, ids[4])
    later = connect(page_size=2, incremental=incremental, lookback_seconds=0)
    pages = list(later.pull(Kind.EMERGENCY, Cursor.from_json(mark.to_json())))
    got = records(pages)
    live = {r.record_id: r for r in got if not r.deleted}
    assert {ids[1], ids[3]} <= set(live)
    # COQL reads ">= watermark": records at the watermark itself come again (harmless).
    again = [r for rid, r in live.items() if rid not in (ids[1], ids[3])]
    assert all(r.modified_at == mark.watermark for r in again)
    assert bool(again) == (incremental == "coql")
    assert live[ids[1]].values["Role"] == "O'Brien, (acting) \\ chief"
    assert [r.record_id for r in got if r.deleted] == [ids[4]]
    assert pages[-1].cursor.watermark is not None and pages[-1].cursor.watermark > (
        mark.watermark or datetime.min.replace(tzinfo=UTC)
    )
    coql = [r for r in org.crm_server.requests if r.path == "/crm/v8/coql"]
    assert bool(coql) == (incremental == "coql")


def test_coql_pages_by_keyset_across_records_sharing_a_stamp(
    org: RunningOrg, connect: Any
) -> None:
    connector = connect(page_size=2, incremental="coql")
    seed(connector, Kind.EMERGENCY, 7)  # one upsert: all seven share one Modified_Time
    start = Cursor(watermark=datetime(2026, 1, 5, tzinfo=UTC), last_id="")
    pages = list(connector.pull(Kind.EMERGENCY, start))
    got = [r.record_id for r in records(pages) if not r.deleted]
    assert len(got) == 7 and len(set(got)) == 7
    queries = [r.body.decode() for r in org.crm_server.requests if r.path == "/crm/v8/coql"]
    assert len(queries) == 4 and "id >" in queries[1]


def test_stamps_in_any_offset_are_kept_in_utc(connect: Any) -> None:
    with serve_org(offset=timedelta(hours=5, minutes=30)) as india:
        c003 = india.crm.add_account("C003", "Customer C003")
        india.crm.add(EMERGENCY, Name="Pat Fixture", Contactsync_Key="k1", Account=c003)
        connector = connector_for(india, data_centre="IN")
        pages = list(connector.pull(Kind.EMERGENCY))
        connector.close()
    record = records(pages)[0]
    assert record.values["Modified_Time"].endswith("+05:30")
    assert record.modified_at is not None and record.modified_at.tzinfo is UTC
    assert record.modified_at == pages[-1].cursor.watermark


def test_an_interrupted_pull_resumes_after_its_last_page(org: RunningOrg, connect: Any) -> None:
    connector = connect(page_size=2)
    seed(connector, Kind.BUSINESS, 5)
    first = next(iter(connector.pull(Kind.BUSINESS)))
    assert first.cursor.page_state and not first.last
    rest = list(connect(page_size=2).pull(Kind.BUSINESS, Cursor.from_json(first.cursor.to_json())))
    ids = [r.record_id for r in first.records + records(rest)]
    assert len(ids) == 5 and len(set(ids)) == 5 and rest[-1].complete


def test_a_page_state_of_another_module_is_refused(connect: Any) -> None:
    connector = connect(page_size=2)
    seed(connector, Kind.BUSINESS, 3)
    first = next(iter(connector.pull(Kind.BUSINESS)))
    with pytest.raises(ConfigError, match="belongs to module 'Contacts'"):
        list(connector.pull(Kind.EMERGENCY, first.cursor))


def test_the_customer_is_the_accounts_key_and_a_keyless_account_is_reported(
    org: RunningOrg, connect: Any
) -> None:
    keyless = org.crm.add_account(None, "Walk-in customer")
    org.crm.add(EMERGENCY, Name="Alex Example", Contactsync_Key="a", Account=account(org, "C002"))
    org.crm.add(EMERGENCY, Name="Sam Sample", Contactsync_Key="b", Account=keyless)
    org.crm.add(EMERGENCY, Name="Jo Placeholder", Contactsync_Key="c", Account=None)
    pages = list(connect().pull(Kind.EMERGENCY))
    by_key = {r.values["Contactsync_Key"]: r for r in records(pages)}
    assert by_key["a"].values["Account"] == "C002"
    assert by_key["c"].values["Account"] is None  # no customer: validation reports it
    errors = [e for p in pages for e in p.errors]
    assert [e.field for e in errors] == ["Account"] and "Account_Number" in errors[0].reason
    assert "b" not in by_key

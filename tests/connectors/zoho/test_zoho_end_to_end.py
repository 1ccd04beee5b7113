"""Three systems at once, end to end: the SQLite hub, the CSV connector and the Zoho
emulator. ``reconcile`` + ``apply_plan`` bring them together; the second plan is empty.
Then an edit in Zoho travels to the others, and a concurrent edit in Zoho during an apply
is not overwritten (412) but merged by the next run. The CLI runs the same job."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from contactsync.apply import apply_plan
from contactsync.cli.app import cli
from contactsync.plugins import PluginHost
from contactsync.reconcile.engine import reconcile
from contactsync.runtime import Workspace
from contactsync_zoho.emulator import CREDENTIALS, RunningOrg, serve_org

AS_OF = date(2026, 11, 15)
EMERGENCY_HEADER = ["contactsync_key", "customer", "name", "phone", "email", "role", "priority",
                    "decision_authority", "response_minutes", "responsibility",
                    "last_reviewed_at", "reviewed_by", "updated_at"]
BUSINESS_HEADER = ["contactsync_key", "customer", "name", "phone", "email", "title",
                   "department", "updated_at"]
EMERGENCY = "Emergency_Contacts"


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in header})


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def three_systems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, RunningOrg]]:
    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"a retry would have slept {seconds}s in an end-to-end test")

    monkeypatch.setattr("contactsync_zoho.retry.time.sleep", no_sleep)
    with serve_org(data_centre="EU") as org:
        for i in range(3):
            org.crm.add_account(f"C{i:05d}", f"Customer {i}")
        monkeypatch.setenv("ZOHO_CLIENT_ID", CREDENTIALS["client_id"])
        monkeypatch.setenv("ZOHO_CLIENT_SECRET", CREDENTIALS["client_secret"])
        monkeypatch.setenv("ZOHO_REFRESH_TOKEN", CREDENTIALS["refresh_token"])
        config = tmp_path / "contactsync.toml"
        config.write_text(
            '[sync]\nsystem_priority = ["hub", "source", "zoho"]\n\n'
            '[systems.hub]\nconnector = "sqlite"\npath = "hub.db"\n\n'
            '[systems.source]\nconnector = "csv"\n'
            'objects = { emergency = "source/emergency.csv", business = "source/business.csv" }\n\n'
            f"[systems.zoho]\n{org.config_table()}",
            encoding="utf-8",
        )
        emergency, business = [], []
        for i in range(3):
            emergency.append({
                "customer": f"C{i:05d}", "name": f"紧急{i}", "phone": f"+861380013810{i}",
                "email": f"e{i}@example.com", "role": "总经理", "priority": "1",
                "decision_authority": "true", "response_minutes": "30",
                "responsibility": "事故响应", "last_reviewed_at": "2026-11-01T00:00:00Z",
                "reviewed_by": "审核人", "updated_at": "2026-11-01T00:00:00Z",
            })
            business.append({
                "customer": f"C{i:05d}", "name": f"业务{i}", "phone": f"+861380013820{i}",
                "email": f"b{i}@example.com", "title": "经理", "department": "采购部",
                "updated_at": "2026-11-01T00:00:00Z",
            })
        write_rows(tmp_path / "source" / "emergency.csv", EMERGENCY_HEADER, emergency)
        write_rows(tmp_path / "source" / "business.csv", BUSINESS_HEADER, business)
        yield config, org


def run(config: Path, **apply_kwargs: object) -> tuple[int, list[str]]:
    """One reconcile + apply; (operations applied, failed codes)."""
    with Workspace.open(config, host=PluginHost()) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        if plan.empty:
            return 0, []
        summary = apply_plan(ws, plan, **apply_kwargs)  # type: ignore[arg-type]  # on_batch
        return len(plan.operations), [f.code for f in summary.failed]


def plan_is_empty(config: Path) -> bool:
    with Workspace.open(config, host=PluginHost()) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        return plan.empty


def test_three_systems_reconcile_and_the_second_plan_is_empty(
    three_systems: tuple[Path, RunningOrg],
) -> None:
    config, org = three_systems
    applied, failed = run(config)
    assert failed == [] and applied > 0
    assert plan_is_empty(config)
    live = org.crm.live(EMERGENCY)
    assert sorted(r.values["Contactsync_Key"] is not None for r in live) == [True] * 3
    accounts = {r.id: r.values["Account_Number"] for r in org.crm.live("Accounts")}
    assert sorted(accounts[r.values["Account"]["id"]] for r in live) == [
        "C00000", "C00001", "C00002"
    ]
    assert len(org.crm.live("Contacts")) == 3
    keys = {r.values["Contactsync_Key"] for r in live}
    csv_keys = {row["contactsync_key"] for row in read_rows(config.parent / "source" /
                                                              "emergency.csv")}
    assert keys == csv_keys  # one key per person in every system


def test_an_edit_in_zoho_reaches_the_others_and_a_concurrent_edit_is_merged(
    three_systems: tuple[Path, RunningOrg],
) -> None:
    config, org = three_systems
    assert run(config)[1] == []
    target = next(r for r in org.crm.live(EMERGENCY) if r.values["Name"] == "紧急1")
    org.crm.edit(EMERGENCY, target.id, Role="安全总监")
    assert run(config)[1] == []
    rows = {r["name"]: r for r in read_rows(config.parent / "source" / "emergency.csv")}
    assert rows["紧急1"]["role"] == "安全总监"
    assert plan_is_empty(config)

    # The CSV changes a field; while the apply writes the hub, a person edits another
    # field of the same record in Zoho. Zoho's update must not overwrite that edit.
    path = config.parent / "source" / "emergency.csv"
    changed = read_rows(path)
    for row in changed:
        if row["name"] == "紧急1":
            row["email"] = "new1@example.com"
    write_rows(path, list(changed[0]), changed)

    def edit_in_zoho(system: str, batch: int) -> None:
        if system == "hub":
            org.crm.edit(EMERGENCY, target.id, Responsibility="现场指挥")

    _, failed = run(config, on_batch=edit_in_zoho)
    assert failed == ["ALREADY_MODIFIED"]
    stored = org.crm.store.get(EMERGENCY, target.id)
    assert stored is not None and stored.values["Responsibility"] == "现场指挥"
    assert stored.values["Email"] != "new1@example.com"
    # The next run reads the concurrent edit and plans again: both changes end up everywhere.
    assert run(config)[1] == []
    stored = org.crm.store.get(EMERGENCY, target.id)
    assert stored is not None and stored.values["Email"] == "new1@example.com"
    assert stored.values["Responsibility"] == "现场指挥"
    rows = {r["name"]: r for r in read_rows(path)}
    assert rows["紧急1"]["responsibility"] == "现场指挥"
    assert plan_is_empty(config)


def test_the_cli_reconcile_apply_runs_the_same_job(
    three_systems: tuple[Path, RunningOrg], tmp_path: Path
) -> None:
    config, org = three_systems
    runner = CliRunner()
    plan_file = tmp_path / "plan.json"
    first = runner.invoke(cli, ["reconcile", "--apply", "--config", str(config),
                                "--out", str(plan_file), "--quiet"])
    assert first.exit_code in (0, 1), first.output  # 1: findings for a person (reviews)
    assert len(org.crm.live(EMERGENCY)) == 3 and len(org.crm.live("Contacts")) == 3
    assert plan_is_empty(config)
    assert CREDENTIALS["client_secret"] not in first.output

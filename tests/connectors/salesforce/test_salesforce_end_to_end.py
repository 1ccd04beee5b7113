"""``reconcile`` + ``apply_plan`` between the SQLite hub and the Salesforce emulator, end to
end through the workspace: the first plan syncs both ways, the second is empty; a change
made in Salesforce later comes back to the hub, and the plan after that is empty again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contactsync.apply import apply_plan
from contactsync.config import SystemConfig
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync.reconcile.engine import reconcile
from contactsync.runtime import Workspace
from contactsync.testing.emulator import RunningEmulator, serve
from contactsync_salesforce import SalesforceConnector
from contactsync_salesforce.emulator import (
    EmulatorSessions,
    LoopbackRouting,
    SalesforceEmulator,
    routed_session,
)
from reconcile_helpers import AS_OF, Scenario, business, emergency

CONFIG = """
[sync]
system_priority = ["hub", "crm"]

[systems.hub]
connector = "sqlite"
path = "hub.db"

[systems.crm]
connector = "salesforce"
login_url = "https://example.my.salesforce.com"
page_size = 50
lookback_seconds = 1
[systems.crm.credentials]
client_id = { env = "SF_E2E_CLIENT_ID" }
client_secret = { env = "SF_E2E_CLIENT_SECRET" }
"""

HUB_PEOPLE = [
    emergency("C001", "测试甲", "13800138001", key="e-c001-1", priority=1, authority=True,
              reviewed_at="2026-11-01T00:00:00Z", reviewed_by="复核人甲",
              updated_at="2026-11-01T00:00:00Z", email="jia@example.com"),
    emergency("C001", "测试乙", "13800138002", key="e-c001-2", priority=2,
              reviewed_at="2026-11-01T00:00:00Z", reviewed_by="复核人甲",
              updated_at="2026-11-01T00:00:00Z"),
    emergency("C002", "测试丙", "+8613800138003", key="e-c002-1", priority=1,
              reviewed_at="2026-10-15T08:30:00Z", reviewed_by="复核人乙",
              updated_at="2026-11-01T00:00:00Z"),
    business("C001", "李样例", "13800138011", key="b-c001-1", email="li@example.com",
             updated_at="2026-11-01T00:00:00Z"),
]


@pytest.fixture
def org() -> Iterator[tuple[SalesforceEmulator, RunningEmulator]]:
    app = SalesforceEmulator(min_batch_size=1)
    app.clients["e2e-client"] = "e2e-secret"
    for number in ("C001", "C002"):
        app.add_account(number)
    account = app.find_by("Account", "Customer_Number__c", "C002")
    assert account is not None
    app.insert("Contact", {  # made by a person in Salesforce: no contactsync key yet
        "LastName": "张", "FirstName": "示例", "Phone": "+8613800138099",
        "Title": "采购经理", "Department": "采购部", "AccountId": account.id,
    })
    with serve(app) as server:
        yield app, server


@pytest.fixture
def workspace_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SF_E2E_CLIENT_ID", "e2e-client")
    monkeypatch.setenv("SF_E2E_CLIENT_SECRET", "e2e-secret")
    config = tmp_path / "contactsync.toml"
    config.write_text(CONFIG, encoding="utf-8")
    with Workspace.open(config, host=PluginHost(), session_factory=lambda system: None) as ws:
        Scenario.push_hub(ws, "hub", HUB_PEOPLE)
    return config


def _open(config: Path, server: RunningEmulator) -> Workspace:
    def sessions(system: SystemConfig) -> object:
        return routed_session(server.url) if system.connector == "salesforce" else None

    return Workspace.open(config, host=PluginHost(), session_factory=sessions)  # type: ignore[arg-type]


def _keys(app: SalesforceEmulator, obj: str) -> list[str]:
    return sorted(str(r.values.get("Contactsync_Key__c")) for r in app.live(obj))


def test_reconcile_and_apply_sync_both_ways_and_the_second_plan_is_empty(
    org: tuple[SalesforceEmulator, RunningEmulator], workspace_files: Path
) -> None:
    app, server = org
    with _open(workspace_files, server) as ws:
        assert isinstance(ws.systems["crm"].connector, SalesforceConnector)
        first = reconcile(ws, as_of=AS_OF)
        creates = [op for op in first.plan.operations if op.action == "create"]
        targets = {(op.system, op.kind) for op in creates}
        assert targets >= {("crm", "emergency"), ("hub", "business")}
        summary = apply_plan(ws, first.plan)
        assert summary.failed == []
        assert summary.created == 5 and summary.updated == 1  # the keyless Contact got its key
    assert _keys(app, "Emergency_Contact__c") == ["e-c001-1", "e-c001-2", "e-c002-1"]
    contacts = app.live("Contact")
    assert len(contacts) == 2 and all(c.values.get("Contactsync_Key__c") for c in contacts)
    jia = app.find_by("Emergency_Contact__c", "Contactsync_Key__c", "e-c001-1")
    assert jia is not None
    assert jia.values["Phone__c"] == "+8613800138001"
    assert jia.values["Decision_Authority__c"] == "Yes"
    customer = app.store.get("Account", jia.values["Account__c"])
    assert customer is not None and customer.values["Customer_Number__c"] == "C001"

    with _open(workspace_files, server) as ws:
        second = reconcile(ws, as_of=AS_OF)
    assert second.plan.operations == []
    assert second.plan.quarantine == []


def test_a_change_made_in_salesforce_reaches_the_hub_then_all_is_quiet(
    org: tuple[SalesforceEmulator, RunningEmulator], workspace_files: Path
) -> None:
    app, server = org
    with _open(workspace_files, server) as ws:
        apply_plan(ws, reconcile(ws, as_of=AS_OF).plan)
    record = app.find_by("Emergency_Contact__c", "Contactsync_Key__c", "e-c002-1")
    assert record is not None
    app.store.clock.tick()
    app.store.clock.tick()
    record.values["Role__c"] = "安全总监"  # an edit in the Salesforce UI
    record.modified_at = app.store.clock.tick()
    with _open(workspace_files, server) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        updates = [(op.system, op.key, sorted(op.changes)) for op in plan.operations]
        assert updates == [("hub", "e-c002-1", ["role"])]
        assert apply_plan(ws, plan).failed == []
    with _open(workspace_files, server) as ws:
        assert reconcile(ws, as_of=AS_OF).plan.operations == []
        rows = ws.systems["hub"].connector.pull(Kind.EMERGENCY)
        roles = {r.values["contactsync_key"]: r.values["role"] for p in rows for r in p.records}
    assert roles["e-c002-1"] == "安全总监"
    incremental = [r for r in server.requests if r.path.endswith("/deleted/")]
    assert incremental, "later runs pull Salesforce incrementally from the stored cursor"


def test_a_plugin_can_give_the_cli_its_http_sessions(
    org: tuple[SalesforceEmulator, RunningEmulator], workspace_files: Path
) -> None:
    _, server = org
    host = PluginHost(extra_plugins=[("emulator-sessions", EmulatorSessions(server.url))])
    assert host.load_errors == []
    with Workspace.open(workspace_files, host=host) as ws:  # no session_factory, as the CLI
        session = ws.systems["crm"].connector.context.session
        assert session is not None
        assert any(isinstance(a, LoopbackRouting) for a in session.adapters.values())


def test_the_cli_reconcile_apply_syncs_and_the_second_plan_is_empty(
    org: tuple[SalesforceEmulator, RunningEmulator],
    workspace_files: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from click.testing import CliRunner

    from contactsync.cli import cli

    app, server = org
    host = PluginHost(extra_plugins=[("emulator-sessions", EmulatorSessions(server.url))])
    monkeypatch.setattr("contactsync.runtime.get_host", lambda: host)
    plans = workspace_files.parent
    first = CliRunner().invoke(
        cli,
        ["reconcile", "--apply", "--quiet", "--config", str(workspace_files),
         "--out", str(plans / "first.json")],
    )  # fmt: skip
    assert first.exit_code in (0, 1), first.output  # 1: findings that need a person
    assert "failed 0" in first.output and "e2e-secret" not in first.output
    assert _keys(app, "Emergency_Contact__c") == ["e-c001-1", "e-c001-2", "e-c002-1"]
    second = CliRunner().invoke(
        cli, ["plan", "--config", str(workspace_files), "--out", str(plans / "second.json")]
    )
    assert second.exit_code in (0, 1), second.output
    assert "no changes" in second.output

"""Issue 7's "done when", with the Salesforce connector in: ``contactsync reconcile --apply``
across the SQLite hub, the Salesforce emulator and the Zoho emulator at once, then a second
plan that is empty; an edit made in Zoho afterwards reaches the hub and Salesforce."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from contactsync.cli import cli
from contactsync.plugins import PluginHost
from contactsync.runtime import Workspace
from contactsync.testing.emulator import serve
from contactsync_salesforce.emulator import EmulatorSessions, SalesforceEmulator
from contactsync_zoho.emulator import CREDENTIALS, RunningOrg, serve_org
from reconcile_helpers import Scenario, business, emergency

CUSTOMERS = ("C001", "C002")
HUB_PEOPLE = [
    emergency("C001", "测试甲", "13800138001", key="e-1", priority=1, authority=True,
              reviewed_at="2026-11-01T00:00:00Z", reviewed_by="复核人",
              updated_at="2026-11-01T00:00:00Z", email="jia@example.com"),
    emergency("C002", "测试乙", "+8613800138002", key="e-2", priority=1,
              reviewed_at="2026-10-15T08:30:00Z", reviewed_by="复核人",
              updated_at="2026-11-01T00:00:00Z"),
    business("C001", "李样例", "13800138011", key="b-1", email="li@example.com",
             updated_at="2026-11-01T00:00:00Z"),
]


@pytest.fixture
def three_vendors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, SalesforceEmulator, RunningOrg]]:
    monkeypatch.setattr("contactsync_zoho.retry.time.sleep", lambda seconds: None)
    sf = SalesforceEmulator(min_batch_size=1)
    sf.clients["e2e-client"] = "e2e-secret"
    for number in CUSTOMERS:
        sf.add_account(number)
    with serve(sf) as sf_server, serve_org() as zoho:
        for number in CUSTOMERS:
            zoho.crm.add_account(number, f"Customer {number}")
        for name, value in {"SF_CLIENT_ID": "e2e-client", "SF_CLIENT_SECRET": "e2e-secret",
                            "ZOHO_CLIENT_ID": CREDENTIALS["client_id"],
                            "ZOHO_CLIENT_SECRET": CREDENTIALS["client_secret"],
                            "ZOHO_REFRESH_TOKEN": CREDENTIALS["refresh_token"]}.items():
            monkeypatch.setenv(name, value)
        config = tmp_path / "contactsync.toml"
        config.write_text(
            '[sync]\nsystem_priority = ["hub", "crm", "zoho"]\n\n'
            '[systems.hub]\nconnector = "sqlite"\npath = "hub.db"\n\n'
            '[systems.crm]\nconnector = "salesforce"\n'
            'login_url = "https://example.my.salesforce.com"\nlookback_seconds = 1\n'
            'credentials = { client_id = { env = "SF_CLIENT_ID" }, '
            'client_secret = { env = "SF_CLIENT_SECRET" } }\n\n'
            f"[systems.zoho]\n{zoho.config_table()}",
            encoding="utf-8",
        )
        with Workspace.open(config, host=PluginHost(), session_factory=lambda s: None) as ws:
            Scenario.push_hub(ws, "hub", HUB_PEOPLE)
        host = PluginHost(extra_plugins=[("sf-sessions", EmulatorSessions(sf_server.url))])
        monkeypatch.setattr("contactsync.runtime.get_host", lambda: host)
        yield config, sf, zoho


def _sf_keys(app: SalesforceEmulator, obj: str) -> list[str]:
    return sorted(str(r.values.get("Contactsync_Key__c")) for r in app.live(obj))


def _zoho_keys(org: RunningOrg, module: str) -> list[str]:
    return sorted(str(r.values.get("Contactsync_Key")) for r in org.crm.live(module))


def test_reconcile_apply_across_hub_salesforce_and_zoho_then_an_empty_plan(
    three_vendors: tuple[Path, SalesforceEmulator, RunningOrg],
) -> None:
    config, sf, zoho = three_vendors
    runner = CliRunner()
    folder = config.parent

    first = runner.invoke(cli, ["reconcile", "--apply", "--quiet", "--config", str(config),
                                "--out", str(folder / "first.json")])
    assert first.exit_code in (0, 1), first.output  # 1: findings that need a person
    assert "failed 0" in first.output
    assert _sf_keys(sf, "Emergency_Contact__c") == ["e-1", "e-2"]
    assert _zoho_keys(zoho, "Emergency_Contacts") == ["e-1", "e-2"]
    assert _zoho_keys(zoho, "Contacts") == ["b-1"]
    for secret in ("e2e-secret", CREDENTIALS["client_secret"], CREDENTIALS["refresh_token"]):
        assert secret not in first.output

    second = runner.invoke(cli, ["plan", "--config", str(config),
                                 "--out", str(folder / "second.json")])
    assert second.exit_code in (0, 1), second.output
    assert "no changes" in second.output

    (record,) = [r for r in zoho.crm.live("Emergency_Contacts")
                 if r.values.get("Contactsync_Key") == "e-2"]
    zoho.crm.edit("Emergency_Contacts", record.id, Role="值班经理")
    third = runner.invoke(cli, ["reconcile", "--apply", "--quiet", "--config", str(config),
                                "--out", str(folder / "third.json")])
    assert third.exit_code in (0, 1), third.output
    (sf_record,) = [r for r in sf.live("Emergency_Contact__c")
                    if r.values.get("Contactsync_Key__c") == "e-2"]
    assert "值班经理" in str(sf_record.values)
    last = runner.invoke(cli, ["plan", "--config", str(config),
                               "--out", str(folder / "last.json")])
    assert "no changes" in last.output, last.output

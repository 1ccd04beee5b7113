"""End to end: ``reconcile`` + ``apply_plan`` (and ``contactsync reconcile --apply``)
between the SQLite hub and the Jiandaoyun emulator; the second plan is empty."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from jiandaoyun_helpers import FakeTime, create, emergency_values, make_connector, seeded_emulator

import contactsync_sqlite
from contactsync.apply import apply_plan
from contactsync.cli import cli
from contactsync.connector import ConnectorSpec, WriteOp
from contactsync.mapping import to_vendor
from contactsync.models import BusinessContact, EmergencyContact, Kind, Phone, PhoneKind
from contactsync.plan import Plan
from contactsync.plugins import PluginHost, hookimpl
from contactsync.reconcile.engine import reconcile
from contactsync.runtime import Workspace
from contactsync.testing.emulator import RunningEmulator, serve
from contactsync_jiandaoyun import CAPABILITIES, JiandaoyunConnector
from contactsync_jiandaoyun.emulator import (
    APP_ID,
    BUSINESS_ENTRY,
    CUSTOMER_ENTRY,
    EMERGENCY_ENTRY,
    TEST_API_KEY,
    JiandaoyunEmulator,
)

AS_OF = date(2026, 2, 1)
KEY_ENV = "JDY_E2E_API_KEY"
CONFIG = """
[sync]
system_priority = ["hub", "crm"]

[systems.hub]
connector = "sqlite"
path = "hub.db"

[systems.crm]
connector = "jiandaoyun"
base_url = "{url}/api"
app_id = "{app}"
objects = {{ emergency = "{emergency}", business = "{business}" }}
credentials = {{ api_key = {{ env = "{env}" }} }}
customer_form = {{ entry_id = "{customers}", key_field = "customer_no" }}
lookback_seconds = 5
"""


class TimedJiandaoyun:
    """Registers the real connector with a fake clock and sleep: no test waits."""

    def __init__(self, time: FakeTime) -> None:
        self.factory = functools.partial(
            JiandaoyunConnector, clock=time.clock, sleep=time.sleep, jitter=random.Random(1)
        )

    @hookimpl
    def contactsync_register_connectors(self, register: Callable[[ConnectorSpec], None]) -> None:
        register(ConnectorSpec("jiandaoyun", self.factory, CAPABILITIES, "jiandaoyun.toml"))


def phone(number: str) -> Phone:
    return Phone(raw=number, e164=number, kind=PhoneKind.MOBILE)


def emergency(key: str, customer: str, name: str, priority: int, role: str) -> EmergencyContact:
    return EmergencyContact(
        key=key,
        customer=customer,
        name=name,
        phones=(phone(f"+86138001381{priority}3"),),
        email=f"{key}@example.com",
        role=role,
        priority=priority,
        decision_authority=True,
        response_time_limit=timedelta(minutes=30),
        preferred_channels=("phone", "wechat"),
        last_reviewed_at=datetime(2026, 1, 10, 2, 0, tzinfo=UTC),
        reviewed_by="复核人甲",
        updated_at=datetime(2026, 1, 10, 2, 0, tzinfo=UTC),
    )


def business(key: str, customer: str, name: str) -> BusinessContact:
    return BusinessContact(
        key=key,
        customer=customer,
        name=name,
        phones=(phone("+8613800138201"),),
        title="采购经理",
        department="采购部",
        contact_type="procurement",
        tags=("重点客户",),
        updated_at=datetime(2026, 1, 10, 2, 0, tzinfo=UTC),
    )


@pytest.fixture
def world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, PluginHost, JiandaoyunEmulator, RunningEmulator, FakeTime]]:
    monkeypatch.setenv(KEY_ENV, TEST_API_KEY)
    time = FakeTime()
    host = PluginHost(
        extra_plugins=[("sqlite", contactsync_sqlite), ("jiandaoyun", TimedJiandaoyun(time))],
        entry_points=False,
    )
    app = seeded_emulator(("C001", "C002"))
    with serve(app) as server:
        config = tmp_path / "contactsync.toml"
        config.write_text(
            CONFIG.format(
                url=server.url,
                app=APP_ID,
                emergency=EMERGENCY_ENTRY,
                business=BUSINESS_ENTRY,
                customers=CUSTOMER_ENTRY,
                env=KEY_ENV,
            ),
            encoding="utf-8",
        )
        with Workspace.open(config, host=host) as ws:  # the hub's own contacts
            hub = ws.systems["hub"]
            for kind, contacts in (
                (Kind.EMERGENCY, [emergency("e-1", "C001", "测试甲", 1, "总经理"),
                                  emergency("e-2", "C001", "张示例", 2, "安全总监")]),
                (Kind.BUSINESS, [business("b-1", "C001", "李样例"),
                                 business("b-2", "C002", "王测试")]),
            ):  # fmt: skip
                om = hub.mapping.for_kind(kind)
                ops = [WriteOp("create", c.key or "", to_vendor(om, c), None, f"seed:{c.key}")
                       for c in contacts]  # fmt: skip
                assert all(r.ok for r in hub.connector.push(kind, ops))
        # One emergency contact is only in Jiandaoyun, typed there by a person.
        typed = make_connector(f"{server.url}/api", time)
        values = emergency_values(
            3,
            customer="C002",
            name="赵演示",
            role="法务负责人",
            responsibility="合同违约时的第一联系人",
            priority=1,
        )
        assert all(r.ok for r in typed.push(Kind.EMERGENCY, [create("jdy-1", values)]))
        yield config, host, app, server, time


def plan_of(config: Path, host: PluginHost) -> Plan:
    with Workspace.open(config, host=host, session_factory=lambda s: requests.Session()) as ws:
        return reconcile(ws, as_of=AS_OF).plan


def test_reconcile_and_apply_then_the_second_plan_is_empty(
    world: tuple[Path, PluginHost, JiandaoyunEmulator, RunningEmulator, FakeTime],
) -> None:
    config, host, app, _, time = world
    with Workspace.open(config, host=host) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        wanted = sorted((op.system, op.kind, op.action, op.key) for op in plan.operations)
        assert wanted == [
            ("crm", "business", "create", "b-1"),
            ("crm", "business", "create", "b-2"),
            ("crm", "emergency", "create", "e-1"),
            ("crm", "emergency", "create", "e-2"),
            ("hub", "emergency", "create", "jdy-1"),
        ]
        summary = apply_plan(ws, plan)
        assert summary.ok and summary.created == 5 and summary.failed == []

    assert plan_of(config, host).operations == []

    stored = {r.values["contactsync_key"]: r.values for r in app.live(EMERGENCY_ENTRY)}
    c001 = next(r.id for r in app.live(CUSTOMER_ENTRY) if r.values["customer_no"] == "C001")
    assert stored["e-1"]["customer"] == c001  # the link to the customer record
    assert stored["e-1"]["name"] == "测试甲" and stored["e-1"]["phone"] == "13800138113"
    assert stored["e-2"]["preferred_channels"] == ["电话", "微信"]
    assert stored["e-2"]["last_reviewed_at"] == "2026-01-10T02:00:00.000Z"
    assert {r.values["contactsync_key"] for r in app.live(BUSINESS_ENTRY)} == {"b-1", "b-2"}
    with Workspace.open(config, host=host) as ws:
        hub_rows = {
            r.values["contactsync_key"]: r.values
            for p in ws.systems["hub"].connector.pull(Kind.EMERGENCY)
            for r in p.records
        }
    assert hub_rows["jdy-1"]["responsibility"] == "合同违约时的第一联系人"
    assert hub_rows["jdy-1"]["customer"] == "C002"
    assert time.slept == []


def test_a_change_made_in_jiandaoyun_reaches_the_hub_and_then_all_is_quiet(
    world: tuple[Path, PluginHost, JiandaoyunEmulator, RunningEmulator, FakeTime],
) -> None:
    config, host, app, _, _ = world
    with Workspace.open(config, host=host) as ws:
        assert apply_plan(ws, reconcile(ws, as_of=AS_OF).plan).ok
    record = next(r for r in app.live(EMERGENCY_ENTRY) if r.values["contactsync_key"] == "e-2")
    with app.store.batch() as now:  # a person edits the role in Jiandaoyun
        record.values["role"] = "首席安全官"
        record.modified_at = now
    plan = plan_of(config, host)
    assert [(op.system, op.action, op.key, sorted(op.changes)) for op in plan.operations] == [
        ("hub", "update", "e-2", ["role"])
    ]
    with Workspace.open(config, host=host) as ws:
        assert apply_plan(ws, plan).updated == 1
    assert plan_of(config, host).operations == []


def test_the_cli_reconcile_apply_then_plan_finds_nothing_to_do(
    world: tuple[Path, PluginHost, JiandaoyunEmulator, RunningEmulator, FakeTime],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    config, host, app, _, _ = world
    monkeypatch.setattr("contactsync.runtime.get_host", lambda: host)
    runner = CliRunner()
    first = runner.invoke(cli, ["reconcile", "--apply", "--config", str(config),
                                "--out", str(tmp_path / "p1.json")])  # fmt: skip
    assert first.exit_code in (0, 1), first.output
    assert "created" in first.output
    assert len(app.live(EMERGENCY_ENTRY)) == 3
    second = runner.invoke(
        cli, ["plan", "--config", str(config), "--out", str(tmp_path / "p2.json")]
    )
    assert second.exit_code in (0, 1), second.output
    assert Plan.load(tmp_path / "p2.json").operations == []


def test_check_online_compares_the_mapping_with_the_forms_widget_list(
    world: tuple[Path, PluginHost, JiandaoyunEmulator, RunningEmulator, FakeTime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config, host, app, _, _ = world
    monkeypatch.setattr("contactsync.runtime.get_host", lambda: host)
    runner = CliRunner()
    fine = runner.invoke(cli, ["check", "--online", "--config", str(config)])
    assert fine.exit_code == 0, fine.output
    form = app.forms[EMERGENCY_ENTRY]
    form.widgets = [w for w in form.widgets if w.alias != "responsibility"]
    broken = runner.invoke(cli, ["check", "--online", "--config", str(config)])
    assert broken.exit_code == 2
    assert "emergency object '65a0000000000000000e0001' has no field 'responsibility'" in (
        broken.output
    )


def test_a_record_deleted_in_jiandaoyun_is_archived_in_the_hub_by_a_full_run(
    world: tuple[Path, PluginHost, JiandaoyunEmulator, RunningEmulator, FakeTime],
) -> None:
    config, host, app, _, _ = world
    with Workspace.open(config, host=host) as ws:
        assert apply_plan(ws, reconcile(ws, as_of=AS_OF).plan).ok
    gone = next(r for r in app.live(BUSINESS_ENTRY) if r.values["contactsync_key"] == "b-2")
    with app.store.batch():
        app.store.delete(BUSINESS_ENTRY, gone.id)
    assert plan_of(config, host).operations == []  # incremental: a deletion is not seen
    with Workspace.open(config, host=host) as ws:
        plan = reconcile(ws, full=True, as_of=AS_OF).plan
        assert [(op.system, op.action, op.key) for op in plan.operations] == [
            ("hub", "archive", "b-2")
        ]
        assert apply_plan(ws, plan).archived == 1
    with Workspace.open(config, host=host) as ws:
        assert reconcile(ws, full=True, as_of=AS_OF).plan.operations == []

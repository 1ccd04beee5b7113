"""One test per hook (named ``test_hook_<name>``), each implementing it in a plugin and
exercising it the way the core calls it. ``test_hook_meta.py`` fails when a hook of
``contactsync.hookspecs`` has no such test or no section in ``docs/plugin_hooks.md``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hook_workspace import AS_OF, business, edit_rows, emergency, read_rows, workspace
from memory_connector import MemoryConnector

from contactsync.apply import ApplyVetoed, apply_plan
from contactsync.config import Config, SystemConfig
from contactsync.connector import ConnectorSpec
from contactsync.errors import ConfigError
from contactsync.findings import Code
from contactsync.mapping import load_mapping
from contactsync.models import BusinessContact, EmergencyContact, Kind, Phone
from contactsync.plan import Plan
from contactsync.plugins import PluginHost, hookimpl
from contactsync.policies.base import CustomerDraft, PolicyContext
from contactsync.reconcile.canonical import Canonicalizer
from contactsync.reconcile.engine import reconcile
from contactsync.reconcile.merge import Candidate
from contactsync.report import ApplySummary
from contactsync.review import ReviewDue


def creates(plan: Plan) -> int:
    return sum(op.action == "create" for op in plan.operations)


# -- register ------------------------------------------------------------------------------


def test_hook_register_connectors(tmp_path: Path) -> None:
    mapping_file = tmp_path / "memory.toml"
    source = (Path(load_mapping("sqlite").source)).read_text(encoding="utf-8")
    mapping_file.write_text(source.replace('connector = "sqlite"', 'connector = "memory"'), "utf-8")

    class Memory:
        @hookimpl
        def contactsync_register_connectors(
            self, register: Callable[[ConnectorSpec], None]
        ) -> None:
            register(
                ConnectorSpec(
                    "memory", MemoryConnector, MemoryConnector.capabilities, str(mapping_file)
                )
            )

    host = PluginHost(extra_plugins=[("memory-plugin", Memory())], entry_points=False)
    assert host.connector("memory").factory is MemoryConnector
    assert host.connector_plugin("memory") == "memory-plugin"
    config = tmp_path / "contactsync.toml"
    config.write_text('[systems.m]\nconnector = "memory"\n', encoding="utf-8")
    with workspace_from(config, host) as ws:
        assert isinstance(ws.systems["m"].connector, MemoryConnector)

    twice = PluginHost(extra_plugins=[("one", Memory()), ("two", Memory())], entry_points=False)
    assert "memory" in twice.connectors()
    assert any("'one'" in e.error and "'two'" in e.error for e in twice.load_errors)


def workspace_from(config: Path, host: PluginHost) -> Any:
    from contactsync.runtime import Workspace

    return Workspace.open(config, host=host)


class EmailRequired:
    """A policy: a business contact without an e-mail is a finding."""

    name = "email_required"
    codes = (Code.MISSING_FIELD,)

    def evaluate(self, draft: CustomerDraft, context: PolicyContext) -> None:
        for group in draft.groups:
            if group.kind == Kind.BUSINESS and not group.merged_values.get("email"):
                draft.add(Code.MISSING_FIELD, f"{group.key}: business contact without e-mail")


def test_hook_register_policies(tmp_path: Path) -> None:
    class Plugin:
        @hookimpl
        def contactsync_register_policies(self, register: Callable[[Any], None]) -> None:
            register(EmailRequired())

    host = PluginHost(extra_plugins=[("policy", Plugin())], entry_points=False)
    names = [p.name for p in host.policies()]
    assert names[-1] == "email_required" and "review_due" in names  # after the built-ins
    with workspace(
        tmp_path, a_business=[business("测试甲", "13800138001")], plugins=(("policy", Plugin()),)
    ) as ws:
        findings = reconcile(ws, as_of=AS_OF).plan.findings
    assert [f.message for f in findings if "without e-mail" in f.message]


# -- configure -----------------------------------------------------------------------------


def test_hook_configure(tmp_path: Path) -> None:
    seen: list[Config] = []

    class Gate:
        @hookimpl
        def contactsync_configure(self, config: Config) -> None:
            seen.append(config)
            if "b" in config.systems and config.systems["b"].writable:
                raise ConfigError("system 'b' must be read-only here")

    with pytest.raises(ConfigError, match="must be read-only"):
        workspace(tmp_path, plugins=(("gate", Gate()),))
    assert seen and set(seen[0].systems) == {"a", "b"}  # it saw the whole configuration


def test_hook_http_session(tmp_path: Path) -> None:
    import requests

    given: list[str] = []

    class Sessions:
        @hookimpl
        def contactsync_http_session(self, system: SystemConfig) -> requests.Session | None:
            given.append(system.name)
            if system.name != "a":
                return None
            session = requests.Session()
            session.headers["X-Contactsync-Test"] = "from a plugin"
            return session

    with workspace(tmp_path, plugins=(("sessions", Sessions()),)) as ws:
        chosen = ws.systems["a"].connector.context.session
        fallback = ws.systems["b"].connector.context.session
    assert sorted(given) == ["a", "b"]
    assert chosen is not None and chosen.headers["X-Contactsync-Test"] == "from a plugin"
    assert fallback is not None and "X-Contactsync-Test" not in fallback.headers


# -- normalize -----------------------------------------------------------------------------


def canonical(host: PluginHost, system: str, values: dict[str, Any]) -> BusinessContact:
    om = load_mapping("csv").for_kind(Kind.BUSINESS)
    contact, _ = Canonicalizer(host, system, None, "CN").contact(
        om, values, object_name="business.csv", record_id="row:2", locator="row 2"
    )
    assert isinstance(contact, BusinessContact)
    return contact


ROW = {"customer": "C001", "name": "测试甲", "title": "经理", "department": "采购部"}


def test_hook_normalize_phone() -> None:
    class Internal:
        @hookimpl
        def contactsync_normalize_phone(self, raw: str | int | float, region: str) -> Phone | None:
            if isinstance(raw, str) and raw.startswith("内线"):
                return Phone(raw=raw, problem="an internal extension, not a phone number")
            return None  # the built-in answers the rest

    host = PluginHost(extra_plugins=[("internal", Internal())], entry_points=False)
    contact = canonical(host, "a", {**ROW, "phone": "内线 8001", "mobile": "13800138001"})
    assert contact.phones[0].problem == "an internal extension, not a phone number"
    assert contact.phones[1].e164 == "+8613800138001"


def test_hook_normalize_contact() -> None:
    class Country:
        @hookimpl
        def contactsync_normalize_contact(
            self, kind: str, values: dict[str, Any], system: str
        ) -> None:
            if system == "branch-cn":
                values.setdefault("country", "CN")

    host = PluginHost(extra_plugins=[("country", Country())], entry_points=False)
    assert canonical(host, "branch-cn", {**ROW, "phone": "13800138001"}).country == "CN"
    assert canonical(host, "other", {**ROW, "phone": "13800138001"}).country is None


# -- match ---------------------------------------------------------------------------------


def two_people(
    tmp_path: Path, a: dict[str, str], b: dict[str, str], plugins: Sequence[tuple[str, object]]
) -> Plan:
    with workspace(tmp_path, a_business=[a], b_business=[b], plugins=tuple(plugins)) as ws:
        return reconcile(ws, as_of=AS_OF).plan


def test_hook_name_key(tmp_path: Path) -> None:
    class Titles:
        @hookimpl(tryfirst=True)
        def contactsync_name_key(self, name: str) -> str | None:
            return name.removeprefix("Dr. ").strip() if name.startswith("Dr. ") else None

    a = business("Dr. 王测试", "13800138001")
    b = business("王测试", "13800138002")
    assert creates(two_people(tmp_path / "without", a, b, ())) == 2  # two people
    assert creates(two_people(tmp_path / "with", a, b, [("titles", Titles())])) == 0  # one


def test_hook_email_key(tmp_path: Path) -> None:
    class PlusTags:
        @hookimpl(tryfirst=True)
        def contactsync_email_key(self, email: str) -> str | None:
            local, _, domain = email.lower().partition("@")
            return f"{local.split('+')[0]}@{domain}"

    a = business("测试甲", "13800138001", email="wang+crm@example.com")
    b = business("测试乙", "13800138002", email="wang@example.com")
    assert creates(two_people(tmp_path / "without", a, b, ())) == 2
    assert creates(two_people(tmp_path / "with", a, b, [("tags", PlusTags())])) == 0


def test_hook_match_keys(tmp_path: Path) -> None:
    asked: list[str] = []

    class WeChat:
        @hookimpl
        def contactsync_match_keys(self, contact: EmergencyContact | BusinessContact) -> list[str]:
            asked.append(contact.name)
            return [f"wechat:{contact.wechat_id}"] if contact.wechat_id else []

    a = business("测试甲", "13800138001", wechat="wx_test_1")
    b = business("测试乙", "13800138002", wechat="wx_test_1")
    assert creates(two_people(tmp_path / "without", a, b, ())) == 2
    assert creates(two_people(tmp_path / "with", a, b, [("wechat", WeChat())])) == 0
    assert sorted(set(asked)) == ["测试乙", "测试甲"]


# -- reconcile -----------------------------------------------------------------------------


def conflicting_titles(root: Path, plugins: Sequence[tuple[str, object]]) -> Plan:
    """One contact synced from a to b, then its title changed differently in each."""
    with workspace(
        root, a_business=[business("测试甲", "13800138001", email="a@example.com")]
    ) as ws:
        assert apply_plan(ws, reconcile(ws, as_of=AS_OF).plan).created == 1
    edit_rows(root / "a" / "business.csv", title="采购总监")
    edit_rows(root / "b" / "business.csv", title="采购副总")
    with workspace(root, plugins=tuple(plugins)) as ws:
        return reconcile(ws, as_of=AS_OF).plan


def title_updates(plan: Plan) -> dict[str, Any]:
    return {op.system: op.values.get("title") for op in plan.operations if op.action == "update"}


def test_hook_resolve_conflict(tmp_path: Path) -> None:
    seen: list[tuple[str, list[str]]] = []

    class PreferB:
        @hookimpl
        def contactsync_resolve_conflict(
            self, field: str, candidates: list[Candidate], base: Any
        ) -> Candidate | None:
            seen.append((field, sorted(c.system for c in candidates)))
            return next((c for c in candidates if c.system == "b"), None)

    # Without a plugin, a (first in system_priority) wins the tie; with it, b does.
    assert title_updates(conflicting_titles(tmp_path / "without", ())) == {"b": "采购总监"}
    plan = conflicting_titles(tmp_path / "with", [("prefer-b", PreferB())])
    assert ("title", ["a", "b"]) in seen
    assert title_updates(plan) == {"a": "采购副总"}
    assert any(f.code == Code.CONFLICT for f in plan.findings)  # still reported


# -- plan and apply ------------------------------------------------------------------------


def test_hook_before_apply(tmp_path: Path) -> None:
    class Freeze:
        @hookimpl
        def contactsync_before_apply(self, plan: Plan) -> str | None:
            return "change freeze until Monday" if plan.operations else None

    rows = [business("测试甲", "13800138001")]
    with workspace(tmp_path, a_business=rows, plugins=(("freeze", Freeze()),)) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        with pytest.raises(ApplyVetoed, match="change freeze"):
            apply_plan(ws, plan)
    assert not (tmp_path / "b" / "business.csv").exists()  # vetoed before the first write
    assert read_rows(tmp_path / "a" / "business.csv")[0]["contactsync_key"] == ""


def test_hook_after_apply(tmp_path: Path) -> None:
    summaries: list[ApplySummary] = []

    class Notify:
        @hookimpl
        def contactsync_after_apply(self, summary: ApplySummary) -> None:
            summaries.append(summary)

    rows = [business("测试甲", "13800138001")]
    with workspace(tmp_path, a_business=rows, plugins=(("notify", Notify()),)) as ws:
        apply_plan(ws, reconcile(ws, as_of=AS_OF).plan)
    assert len(summaries) == 1 and summaries[0].ok and summaries[0].created == 1


# -- report --------------------------------------------------------------------------------


def test_hook_reviews_due(tmp_path: Path) -> None:
    received: list[list[ReviewDue]] = []

    class Reminders:
        @hookimpl
        def contactsync_reviews_due(self, due: list[ReviewDue]) -> None:
            received.append(due)

    rows = [
        emergency(
            "测试甲", "13800138001", last_reviewed_at="2025-01-01T00:00:00Z", reviewed_by="测试乙"
        ),
        emergency(
            "测试丙",
            "13800138003",
            priority="2",
            last_reviewed_at="2026-05-20T00:00:00Z",
            reviewed_by="测试乙",
        ),
    ]
    with workspace(tmp_path, a_emergency=rows, plugins=(("reminders", Reminders()),)) as ws:
        reconcile(ws, as_of=AS_OF)
    assert len(received) == 1
    assert [d.name for d in received[0]] == ["测试甲"]  # the recent review is not due


def test_a_misspelt_hook_fails_loudly() -> None:
    class Typo:
        @hookimpl
        def contactsync_match_key(self, contact: Any) -> list[str]:
            return []

    host = PluginHost(extra_plugins=[("typo", Typo())], entry_points=False)
    assert [e.name for e in host.load_errors] == ["typo"]
    assert "contactsync_match_key" in host.load_errors[0].error

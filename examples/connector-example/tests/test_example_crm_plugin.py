"""The example is a third-party plugin: found through its entry point only when allowed,
and usable end to end by the core (reconcile, apply, a second plan empty)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
import requests
from contactsync_example_crm import CAPABILITIES, ExampleCrmConnector
from example_crm_emulator import TOKEN

from contactsync.config import SystemConfig
from contactsync.mapping import load_mapping
from contactsync.plugins import PluginHost, reset_host
from contactsync.runtime import Workspace
from contactsync.testing.emulator import RunningEmulator


def test_the_entry_point_names_the_package() -> None:
    found = {ep.name: ep for ep in metadata.entry_points(group="contactsync")}
    assert found["example_crm"].value == "contactsync_example_crm"
    assert found["example_crm"].dist is not None
    assert found["example_crm"].dist.name == "contactsync-example-crm"


def test_it_loads_when_allowed() -> None:
    host = PluginHost()
    assert host.load_errors == []
    spec = host.connector("example_crm")
    assert spec.capabilities == CAPABILITIES and spec.factory is ExampleCrmConnector
    info = {p.name: p for p in host.plugins()}["example_crm"]
    assert (info.distribution, info.builtin, info.hooks) == (
        "contactsync-example-crm",
        False,
        ("contactsync_register_connectors",),
    )
    assert load_mapping(spec.default_mapping, connector="example_crm").kinds == CAPABILITIES.kinds


def test_it_does_not_load_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTACTSYNC_LOAD_PLUGINS", "")
    reset_host()
    assert "example_crm" not in PluginHost().connectors()
    monkeypatch.setenv("CONTACTSYNC_LOAD_PLUGINS", "something_else")
    assert "example_crm" not in PluginHost().connectors()


CONFIG = """
[sync]
system_priority = ["hub", "crm"]

[systems.hub]
connector = "sqlite"
path = "hub.db"

[systems.crm]
connector = "example_crm"
base_url = "{url}"
page_size = 2
backoff_seconds = 0
credentials = {{ api_token = {{ env = "EXAMPLE_CRM_TOKEN" }} }}
"""


def test_reconcile_and_apply_into_the_crm_then_the_second_plan_is_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crm: RunningEmulator
) -> None:
    from contactsync.apply import apply_plan
    from contactsync.models import Kind
    from contactsync.reconcile.engine import reconcile
    from contactsync.testing import create_op, sample_contacts

    monkeypatch.setenv("EXAMPLE_CRM_TOKEN", TOKEN)
    config = tmp_path / "contactsync.toml"
    config.write_text(CONFIG.format(url=crm.url), encoding="utf-8")
    sessions: Callable[[SystemConfig], requests.Session] = lambda system: requests.Session()  # noqa: E731
    with Workspace.open(config, session_factory=sessions) as ws:
        hub = ws.systems["hub"].connector
        for kind in Kind:
            om = ws.systems["hub"].mapping.for_kind(kind)
            contacts = sample_contacts(kind, 2, "e2e")
            assert all(r.ok for r in hub.push(kind, [create_op(om, c) for c in contacts]))
        plan = reconcile(ws).plan
        creates = [(op.system, op.kind) for op in plan.operations if op.action == "create"]
        assert sorted(creates) == [("crm", "business")] * 2 + [("crm", "emergency")] * 2
        summary = apply_plan(ws, plan)
        assert summary.ok and summary.created == 4
        stored = crm.app.store
        assert len(stored.live("emergency_contacts")) == 2 and len(stored.live("contacts")) == 2
    with Workspace.open(config, session_factory=sessions) as ws:
        assert reconcile(ws).plan.operations == []

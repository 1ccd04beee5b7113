"""An incremental reconcile loads each object's base snapshots once (the read overlays
them, the merge reuses them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from contactsync.reconcile.engine import reconcile
from contactsync.state import StateStore
from reconcile_helpers import AS_OF, Scenario, business, emergency


def test_each_objects_bases_are_loaded_once(
    scenario: Callable[..., Scenario], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1"),
               business("C1", "李二", "13800138002", key="b1")])
    built.csv("branch")
    built.sync()

    loads: Counter[tuple[str, str | None]] = Counter()
    original = StateStore.load_bases

    def counting(self: StateStore, system: str, object: str | None = None) -> Any:
        loads[(system, object)] += 1
        return original(self, system, object)

    monkeypatch.setattr(StateStore, "load_bases", counting)
    with built.workspace() as ws:
        result = reconcile(ws, as_of=AS_OF)

    assert result.plan.empty
    hub_loads = {key: n for key, n in loads.items() if key[0] == "hub"}
    assert hub_loads and set(hub_loads.values()) == {1}, loads

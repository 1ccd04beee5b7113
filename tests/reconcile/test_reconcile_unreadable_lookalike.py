"""A record that cannot be read, and carries no key, still stops its person being created
again beside it (fixing it later would leave the person twice)."""

from __future__ import annotations

from collections.abc import Callable

from contactsync.models import Kind
from reconcile_helpers import Scenario, business, emergency, ops


def test_an_unreadable_unkeyed_row_blocks_creating_its_person_there(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([
        emergency("C1", "张一", "13800138001", key="h1"),
        emergency("C1", "李二", "13800138002", key="h2", email="li@example.com"),
        emergency("C1", "王三", "13800138003", key="h3"),
    ])
    built.csv("branch", [
        emergency("C1", "张一", "+86 138 0013 8001", role=None),  # same phone, no role
        emergency("C1", "李二", "13900000000", email="LI@Example.COM", role=None),  # e-mail
    ])

    result = built.plan()

    created = {op.key for op in ops(result, action="create") if op.system == "branch"}
    assert created == {"h3"}  # 王三 has no look-alike in branch
    refused = [f for f in result.plan.findings if f.code.value == "MISSING_FIELD"]
    assert len(refused) == 2  # both rows are still reported, by row
    built.sync()
    assert built.plan().plan.empty


def test_a_business_row_does_not_block_an_emergency_contact(
    scenario: Callable[..., Scenario],
) -> None:
    built: Scenario = scenario()
    built.hub([emergency("C1", "张一", "13800138001", key="h1")])
    built.csv("branch", [business("C1", "张一", "13800138001", title=None, department=None)])

    result = built.plan()

    assert {op.key for op in ops(result, action="create") if op.system == "branch"
            and op.kind == Kind.EMERGENCY.value} == {"h1"}

"""One apply at a time per state store: a second is refused by name, a crashed one's lock
is taken over on the machine it ran on."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from contactsync.apply import APPLY_LOCK, ApplyBusy, apply_plan
from contactsync.cli.app import exit_code_for
from contactsync.errors import StalePlan
from contactsync.reconcile.engine import reconcile
from contactsync.runtime import Workspace

AS_OF = date(2026, 12, 1)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_second_apply_is_refused_while_another_holds_the_lock(
    make_workspace: Callable[..., Workspace],
) -> None:
    with make_workspace(2) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        assert ws.store.try_lock(APPLY_LOCK, "worker-7:4242:abcd", timedelta(minutes=5))
        with pytest.raises(ApplyBusy, match=r"another apply is running .*worker-7:4242") as busy:
            apply_plan(ws, plan)
        assert exit_code_for(busy.value) == 3
        assert ws.store.runs(plan.plan_id) == []  # nothing started, nothing written
        ws.store.unlock(APPLY_LOCK, "worker-7:4242:abcd")
        summary = apply_plan(ws, plan)
        assert summary.ok
        assert ws.store.lock_owner(APPLY_LOCK) is None  # released when done


def test_the_lock_of_a_crashed_apply_on_this_machine_is_taken_over(
    make_workspace: Callable[..., Workspace],
) -> None:
    crashed = f"{socket.gethostname()}:{_dead_pid()}:dead"
    with make_workspace(2) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        assert ws.store.try_lock(APPLY_LOCK, crashed, timedelta(minutes=5))
        assert apply_plan(ws, plan).ok
        assert ws.store.lock_owner(APPLY_LOCK) is None


def test_the_lock_is_released_when_an_apply_fails(
    make_workspace: Callable[..., Workspace],
) -> None:
    with make_workspace(2) as ws:
        plan = reconcile(ws, as_of=AS_OF).plan
        apply_plan(ws, plan)
        with pytest.raises(StalePlan, match="already applied"):
            apply_plan(ws, plan)
        assert ws.store.lock_owner(APPLY_LOCK) is None

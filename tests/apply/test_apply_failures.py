"""Per-record vendor errors: reported with the vendor's words, never aborting the batch,
and retried by the next plan because the failed record keeps its old base."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

from contactsync.apply import apply_plan
from contactsync.connector import ConnectorSpec, VendorError, WriteOp, WriteResult
from contactsync.models import Kind
from contactsync.plugins import PluginHost, hookimpl
from contactsync.reconcile.engine import reconcile
from contactsync.runtime import Workspace
from contactsync_sqlite import CAPABILITIES
from contactsync_sqlite.connector import SqliteConnector

AS_OF = date(2026, 12, 1)
REFUSE: set[str] = set()


class PickyHub(SqliteConnector):
    """The hub, refusing records whose name is in ``REFUSE``."""

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        accepted = [op for op in operations if op.values.get("name") not in REFUSE]
        done = {r.key: r for r in super().push(kind, accepted)}
        for op in operations:
            yield done.get(op.key) or WriteResult(
                op.key,
                False,
                op.action,
                op.record_id,
                VendorError(
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION", "name is on the block list", ("name",)
                ),
            )


class Plugin:
    @hookimpl
    def contactsync_register_connectors(self, register: Callable[[ConnectorSpec], None]) -> None:
        register(ConnectorSpec("picky", PickyHub, CAPABILITIES, "sqlite.toml"))


def test_a_refused_record_is_reported_and_retried_next_time(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    host = PluginHost(extra_plugins=[("picky", Plugin())])
    config = tmp_path / "contactsync.toml"
    with make_workspace(3, host=host):
        pass
    config.write_text(config.read_text().replace('connector = "sqlite"', 'connector = "picky"'))
    REFUSE.add("业务1")
    try:
        with Workspace.open(config, host=host) as ws:
            summary = apply_plan(ws, reconcile(ws, as_of=AS_OF).plan)
        assert [(f.code, f.fields) for f in summary.failed] == [
            ("FIELD_CUSTOM_VALIDATION_EXCEPTION", ("name",))
        ]
        assert summary.created == 5  # the rest of the batch went through
        with Workspace.open(config, host=host) as ws:
            retry = reconcile(ws, as_of=AS_OF).plan
        assert [(op.system, op.action, op.values.get("name")) for op in retry.operations] == [
            ("hub", "create", "业务1")
        ]
        REFUSE.clear()
        with Workspace.open(config, host=host) as ws:
            assert apply_plan(ws, retry).ok
        with Workspace.open(config, host=host) as ws:
            assert reconcile(ws, as_of=AS_OF).plan.empty
    finally:
        REFUSE.clear()


def test_a_vanished_file_is_never_read_as_everyone_deleted(
    make_workspace: Callable[..., Workspace], tmp_path: Path
) -> None:
    import pytest

    from contactsync.errors import ConfigError

    with make_workspace(3) as ws:
        assert apply_plan(ws, reconcile(ws, as_of=AS_OF).plan).ok
    (tmp_path / "source" / "emergency.csv").rename(tmp_path / "moved.csv")
    with make_workspace() as ws, pytest.raises(ConfigError, match="held 3 at the last sync"):
        reconcile(ws, as_of=AS_OF)
    (tmp_path / "moved.csv").rename(tmp_path / "source" / "emergency.csv")
    with make_workspace() as ws:
        assert reconcile(ws, as_of=AS_OF).plan.empty

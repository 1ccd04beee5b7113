"""A record a pull returns twice counts once: its newest copy wins (a valid copy after an
unreadable one, a deletion after a live copy, and the other way round)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from contactsync import plugins
from contactsync.connector import ConnectorSpec, Cursor, PullPage
from contactsync.models import Kind
from contactsync.plugins import PluginHost, hookimpl
from contactsync.reconcile.read import read_all
from contactsync.runtime import Workspace
from contactsync_csv import CAPABILITIES, CsvConnector
from reconcile_helpers import csv_row, emergency, write_csv


class Rereading(CsvConnector):
    """The CSV connector, then a last page with second copies of some rows: 张一 again
    (now unreadable), 李二 again (now readable), 赵三 renamed, 孙四 deleted, 钱五 twice."""

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        pages = list(super().pull(kind, since))
        records = {r.record_id: r for page in pages for r in page.records}
        if kind is not Kind.EMERGENCY or not records:
            yield from pages
            return
        first = [replace(page, last=False) for page in pages]
        yield from first
        again = [
            replace(records["row:2"], values={**records["row:2"].values, "role": ""}),
            replace(records["row:3"], values={**records["row:3"].values, "role": "总经理"}),
            replace(records["row:4"], values={**records["row:4"].values, "name": "赵三改"}),
            replace(records["row:5"], values={}, deleted=True),
            records["row:6"],
            replace(records["row:6"], values={**records["row:6"].values, "name": "钱五改"}),
        ]
        yield PullPage(records=again, cursor=Cursor(), last=True, complete=True)


class RereadingPlugin:
    @hookimpl
    def contactsync_register_connectors(self, register: Callable[[ConnectorSpec], None]) -> None:
        register(ConnectorSpec("rereading", Rereading, CAPABILITIES, "csv.toml", "test"))


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    host = PluginHost(extra_plugins=[("rereading", RereadingPlugin())])
    monkeypatch.setattr(plugins, "_default_host", host)
    people = [
        emergency("C1", "张一", "13800138001"),
        emergency("C1", "李二", "13800138002", role=None),  # unreadable, then readable
        emergency("C1", "赵三", "13800138003"),
        emergency("C1", "孙四", "13800138004"),
        emergency("C1", "钱五", "13800138005"),
    ]
    write_csv(tmp_path / "e.csv", [csv_row(p) for p in people])
    write_csv(tmp_path / "b.csv", [])
    config = tmp_path / "contactsync.toml"
    config.write_text(
        '[systems.src]\nconnector = "rereading"\nmode = "read"\n'
        'objects = { emergency = "e.csv", business = "b.csv" }\n',
        encoding="utf-8",
    )
    with Workspace.open(config, host=host) as ws:
        yield ws


def test_the_newest_copy_of_each_record_wins(workspace: Workspace) -> None:
    snapshot = read_all(workspace, full=True)

    assert sorted((r.record_id, r.contact.name) for r in snapshot.records) == [
        ("row:3", "李二"), ("row:4", "赵三改"), ("row:6", "钱五改"),
    ]
    assert [u.record_id for u in snapshot.unreadable] == ["row:2"]
    assert snapshot.rejected == 1
    read = snapshot.objects[("src", "e.csv")]
    assert read.deleted_ids == ["row:5"]
    assert read.present_ids == {"row:2", "row:3", "row:4", "row:6"}
    assert read.pulled == 11

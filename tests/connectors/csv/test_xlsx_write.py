"""Writing xlsx workbooks: cells, other sheets, comments and styles are kept."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
from connector_helpers import archive, create, csv_connector, records, update
from openpyxl.styles import Font

from contactsync.connector import WriteOp
from contactsync.models import Kind


def load(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def push(connector: Any, *ops: WriteOp) -> list[Any]:
    return list(connector.push(Kind.BUSINESS, list(ops)))


def test_retail_workbook_update_create_archive(copy_fixture: Any, tmp_path: Path) -> None:
    path = copy_fixture("cn_retail_store_contacts.xlsx")
    connector = csv_connector(tmp_path, path.name, "contactsync_key", ["联系人", "电话"])
    first = records(connector.pull(Kind.BUSINESS))
    assert first[1].record_id == "row:3"

    results = push(
        connector,
        update("cs-3", {"联系人": "张某己（改）"}, record_id="row:3"),
        create("cs-new", {"联系人": "新联系人", "电话": 13805009999}),
        archive("cs-2", record_id="row:2"),
    )
    assert [r.ok for r in results] == [True, True, True]

    book = load(path)
    sheet = book["Sheet1"]
    assert [c.value for c in sheet[1]] == ["店名", "地址", "联系人", "电话", "contactsync_key"]
    assert [c.value for c in sheet[2]][:5] == [
        "示例2号综合商店",
        "示例省示例市示例区示例路2号",
        "张某己（改）",
        "13805000002",
        "cs-3",
    ]
    assert sheet["D17"].value == 13805000147  # numbers stay numbers, moved up one row
    assert sheet.max_row == 218
    assert [c.value for c in sheet[218]][2:5] == ["新联系人", 13805009999, "cs-new"]
    assert book["Sheet2"].max_row == 225 and book["Sheet2"]["A1"].value == "赵某一"

    archived = load(tmp_path / "cn_retail_store_contacts.archived.xlsx")
    assert archived.sheetnames == ["Sheet1"]
    assert [[c.value for c in row] for row in archived.active.iter_rows()] == [
        ["店名", "地址", "联系人", "电话", "contactsync_key"],  # the header as it is now
        ["示例1号生活超市", "示例省示例市示例区示例路1号", "张 己", "13805000001", None],
    ]

    again = records(connector.pull(Kind.BUSINESS))
    assert [r.record_id for r in again][:2] == ["cs-3", "row:3"]
    assert again[-1].record_id == "cs-new" and again[-1].values["电话"] == 13805009999


def test_hr_roster_with_a_wrong_dimension_keeps_rows_and_comments(
    copy_fixture: Any, tmp_path: Path
) -> None:
    path = copy_fixture("cn_hr_roster_export_84col.xlsx")
    connector = csv_connector(tmp_path, path.name, "工号", ["姓名", "紧急联系人电话"])
    (result,) = push(connector, update("000096", {"紧急联系人电话": "13801009999"}))
    assert result.ok
    sheet = load(path).active
    assert (sheet.max_row, sheet.max_column) == (116, 84)
    assert sheet["A1"].comment is not None and "必填" in sheet["A1"].comment.text
    got = records(connector.pull(Kind.BUSINESS))
    assert len(got) == 115
    assert got[0].values["紧急联系人电话"] == "13801009999"
    assert isinstance(got[0].values["入职日期"], datetime)


def test_wecom_template_create_goes_below_the_example(copy_fixture: Any, tmp_path: Path) -> None:
    path = copy_fixture("cn_wecom_member_import_template.xlsx")
    connector = csv_connector(tmp_path, path.name, "帐号", ["姓名", "手机"])
    (result,) = push(connector, create("lisi", {"姓名": "李四", "手机": "+8613800138001"}))
    assert result.ok
    sheet = load(path)["成员列表"]
    assert len(sheet.merged_cells.ranges) == 8
    assert sheet["A11"].value == "李四" and sheet["B11"].value == "lisi"
    assert sheet["G11"].value == "'+8613800138001" and sheet["G11"].data_type == "s"
    got = records(connector.pull(Kind.BUSINESS))
    assert [r.record_id for r in got] == ["sanzhang", "lisi"]
    assert got[1].values["手机"] == "+8613800138001"


def test_formula_values_are_stored_as_text_not_formulas(tmp_path: Path) -> None:
    connector = csv_connector(tmp_path, "c.xlsx", "key", ["name", "phone"])
    push(connector, create("k1", {"name": '=HYPERLINK("http://x")', "phone": "-1"}))
    sheet = load(tmp_path / "c.xlsx").active
    assert [c.value for c in sheet[1]] == ["key", "name", "phone"]
    assert sheet["B2"].data_type == "s" and sheet["B2"].value.startswith("'=")
    (got,) = records(connector.pull(Kind.BUSINESS))
    assert got.values == {"key": "k1", "name": '=HYPERLINK("http://x")', "phone": "-1"}


def test_value_types_in_a_new_workbook(tmp_path: Path) -> None:
    connector = csv_connector(tmp_path, "c.xlsx", "key", ["n", "f", "d", "z", "t"], sheet="联系人")
    aware = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)
    naive = datetime(2024, 5, 1, 8, 30)
    results = push(
        connector,
        create("k1", {"n": 13800138000, "f": 1.5, "d": naive, "z": aware, "t": True}),
        create("k2", {"n": "bad\x01char"}),
    )
    assert [r.ok for r in results] == [True, False]
    assert results[1].error is not None and results[1].error.fields == ("n",)
    assert load(tmp_path / "c.xlsx").sheetnames == ["联系人"]
    (got,) = records(connector.pull(Kind.BUSINESS))
    assert got.values == {
        "key": "k1",
        "n": 13800138000,
        "f": 1.5,
        "d": naive,
        "z": "2024-05-01T08:30:00+00:00",
        "t": True,
    }


def test_archiving_many_rows_moves_cells_and_styles_once(tmp_path: Path) -> None:
    connector = csv_connector(tmp_path, "c.xlsx", "key", ["name"])
    push(connector, *(create(f"k{n}", {"name": f"n{n}"}) for n in range(1, 11)))
    book = load(tmp_path / "c.xlsx")
    book.active["B10"].font = Font(bold=True)  # k9's name
    book.save(tmp_path / "c.xlsx")

    results = push(connector, archive("k1"), archive("k2"), archive("k6"), archive("k10"))
    assert all(r.ok for r in results)
    sheet = load(tmp_path / "c.xlsx").active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [
        "k3",
        "k4",
        "k5",
        "k7",
        "k8",
        "k9",
    ]
    assert sheet.max_row == 7
    assert sheet["B7"].value == "n9" and sheet["B7"].font.bold
    archived = load(tmp_path / "c.archived.xlsx").active
    assert [row[0].value for row in archived.iter_rows(min_row=2)] == ["k1", "k2", "k6", "k10"]

"""The csv connector reads real exports: each test names the trap its file carries."""

from __future__ import annotations

import json
import warnings
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from connector_helpers import csv_connector, errors, records

from contactsync.errors import ConfigError
from contactsync.models import Kind

GBK_NAMES = ["张某丙", "王某丙", "李某丙", "张丙", "赵某丙"]


def test_gbk_crlf_csv_is_detected(spreadsheets: Path) -> None:
    connector = csv_connector(
        spreadsheets, "cn_contacts_gbk_crlf.csv", "身份证号", ["姓名", "手机号"]
    )
    pages = list(connector.pull(Kind.BUSINESS))

    got = records(pages)
    assert [r.values["姓名"] for r in got] == GBK_NAMES
    assert got[0].values == {
        "姓名": "张某丙",
        "手机号": "13804000001",
        "身份证号": "999994199001010011",
        "邮箱": "wang1@example.com",
    }
    assert [r.record_id for r in got][:2] == ["999994199001010011", "999994199001010022"]
    assert [r.locator for r in got] == ["row 2", "row 3", "row 4", "row 5", "row 6"]
    assert errors(pages) == []
    assert pages[-1].last and pages[-1].complete
    text_format = connector._formats[spreadsheets / "cn_contacts_gbk_crlf.csv"]
    assert (text_format.codec, text_format.bom, text_format.newline) == ("gb18030", False, "\r\n")


@pytest.mark.parametrize("encoding", ["gbk", "GB18030", "cp936"])
def test_gbk_crlf_csv_with_configured_encoding(spreadsheets: Path, encoding: str) -> None:
    connector = csv_connector(
        spreadsheets, "cn_contacts_gbk_crlf.csv", "身份证号", ["姓名"], encoding=encoding
    )
    got = records(connector.pull(Kind.BUSINESS))
    assert [r.values["姓名"] for r in got] == GBK_NAMES
    assert not any("\r" in str(value) for r in got for value in r.values.values())


def test_fullwidth_utf8_csv_values_come_as_written(spreadsheets: Path) -> None:
    connector = csv_connector(
        spreadsheets, "cn_fullwidth_digits_utf8_crlf.csv", "身份证号", ["姓名", "手机号"]
    )
    got = records(connector.pull(Kind.BUSINESS))
    assert len(got) == 5
    assert got[0].values["手机号"] == "１３８０３０００００１"  # full-width, not normalised here
    assert got[1].values["手机号"] == "13803000001"
    assert got[4].values["手机号"] == "\u300013803000004"  # the ideographic space is kept
    assert got[0].record_id == "９９９９９３１９９００１０１００１１"


def test_salesforce_export_with_bom_and_quoted_json(spreadsheets: Path) -> None:
    name = "salesforce_contact_export_full.csv"
    connector = csv_connector(spreadsheets, name, "Id", ["LastName", "Phone", "MailingAddress"])
    pages = list(connector.pull(Kind.BUSINESS))
    got = records(pages)

    assert len(got) == 102
    assert errors(pages) == []
    first = got[0]
    assert next(iter(first.values)) == "Id"  # the BOM did not leak into the first header name
    assert len(first.values) == 72
    assert first.record_id == "003Ec00000CyOT7IAN"
    address = json.loads(first.values["MailingAddress"])
    assert address["city"] == "Anthonyton" and address["geocodeAccuracy"] is None
    assert first.values["External_id__c"].startswith("crm_contact_")
    text_format = connector._formats[spreadsheets / name]
    assert (text_format.codec, text_format.bom, text_format.newline) == ("utf-8", True, "\n")


def test_salesforce_export_with_configured_utf8_still_strips_the_bom(spreadsheets: Path) -> None:
    name = "salesforce_contact_export_full.csv"
    for encoding in ("utf-8", "utf-8-sig"):
        connector = csv_connector(spreadsheets, name, "Id", ["LastName"], encoding=encoding)
        first = records(connector.pull(Kind.BUSINESS))[0]
        assert "Id" in first.values and "\ufeffId" not in first.values


def test_gbk_header_only_template_is_an_empty_complete_pull(spreadsheets: Path) -> None:
    connector = csv_connector(
        spreadsheets, "cn_contact_import_template_gbk_header_only.csv", "电话", ["姓名", "电话"]
    )
    pages = list(connector.pull(Kind.BUSINESS))
    assert len(pages) == 1
    assert pages[0].records == [] and pages[0].errors == []
    assert pages[0].last and pages[0].complete
    schema = connector.describe()[Kind.BUSINESS]
    assert list(schema.fields) == ["姓名", "电话", "邮箱", "地址", "公司", "职位", "备注"]
    assert schema.fields["电话"].external_id


def test_hr_roster_with_a_wrong_dimension_reads_every_row(spreadsheets: Path) -> None:
    path = spreadsheets / "cn_hr_roster_export_84col.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trusting = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        assert len(list(trusting.iter_rows())) == 1  # the trap: <dimension ref="A1"/>

    connector = csv_connector(
        spreadsheets, path.name, "工号", ["姓名", "手机号码", "紧急联系人电话"]
    )
    pages = list(connector.pull(Kind.BUSINESS))
    got = records(pages)

    assert len(got) == 115
    assert errors(pages) == []
    assert all(len(r.values) == 84 for r in got)
    assert got[0].values["姓名"] == "张某四"
    assert got[0].record_id == "000096"
    assert isinstance(got[0].values["入职日期"], datetime)  # date cells stay dates
    assert isinstance(got[0].values["年龄"], float)  # numbers stay numbers
    assert got[-1].locator == "row 116"
    positional = [r for r in got if r.positional]
    assert len(positional) == 41  # rows with no 工号
    assert all(r.record_id == f"row:{r.locator.split()[1]}" for r in positional)


def test_wecom_template_header_sits_under_merged_instructions(spreadsheets: Path) -> None:
    name = "cn_wecom_member_import_template.xlsx"
    for settings in ({}, {"header_row": 9}, {"sheet": "成员列表"}):
        connector = csv_connector(spreadsheets, name, "帐号", ["姓名", "手机", "座机"], **settings)
        pages = list(connector.pull(Kind.BUSINESS))
        got = records(pages)
        assert len(got) == 1, settings
        example = got[0]
        assert example.locator == "row 10"
        assert example.record_id == "sanzhang"
        assert example.values["姓名"] == "张三（示例）"
        assert example.values["手机"] == "13800000000"
        assert example.values["座机"] == "020-55550000"
        assert example.values["企业简称"] is None  # a short row: missing cells are empty
        assert errors(pages) == []
    schema = connector.describe()[Kind.BUSINESS]
    assert list(schema.fields)[:3] == ["姓名", "帐号", "别名"]


def test_retail_xlsx_numeric_phone_cells_stay_numbers(spreadsheets: Path) -> None:
    connector = csv_connector(
        spreadsheets, "cn_retail_store_contacts.xlsx", "contactsync_key", ["联系人", "电话"]
    )
    got = records(connector.pull(Kind.BUSINESS))
    assert len(got) == 217  # row 219 is empty and skipped
    phones = [r.values["电话"] for r in got]
    numbers = [p for p in phones if isinstance(p, int)]
    assert len(numbers) == 70
    assert not any(isinstance(p, float) for p in phones)
    assert sum(isinstance(p, str) for p in phones) == 147
    assert got[0].values["联系人"] == "张 己"  # inner space kept: nothing is stripped
    assert all(r.positional for r in got)  # the file has no key column


def test_retail_second_sheet_by_name(spreadsheets: Path) -> None:
    connector = csv_connector(
        spreadsheets, "cn_retail_store_contacts.xlsx", "x", ["名字"], sheet="Sheet2"
    )
    got = records(connector.pull(Kind.BUSINESS))
    assert len(got) == 224  # no header: row 1 is taken as the header
    missing = csv_connector(
        spreadsheets, "cn_retail_store_contacts.xlsx", "x", ["名字"], sheet="Sheet9"
    )
    with pytest.raises(ConfigError, match=r"Sheet9.*'Sheet1', 'Sheet2'"):
        list(missing.pull(Kind.BUSINESS))


def test_student_register_inline_strings(spreadsheets: Path) -> None:
    connector = csv_connector(
        spreadsheets, "cn_student_register_parents_wide.xlsx", "学号", ["父亲姓名", "父亲电话"]
    )
    got = records(connector.pull(Kind.BUSINESS))
    assert [r.record_id for r in got][:2] == ["2024010101", "2024010102"]
    assert got[0].values["母亲电话"] == "13806000002"


def test_odoo_sample_reads_with_plain_utf8(spreadsheets: Path) -> None:
    connector = csv_connector(spreadsheets, "odoo_res_partner_import.csv", "ID", ["Name"])
    got = records(connector.pull(Kind.BUSINESS))
    assert [r.record_id for r in got] == [f"res_partner_{n}" for n in range(1, 7)]
    assert got[0].values["Customer"] == "TRUE"

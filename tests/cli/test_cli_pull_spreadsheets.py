"""``contactsync pull`` of ``examples/spreadsheets``: exports the way real ones look."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import openpyxl
import pytest
from click.testing import Result

from contactsync.models import CONTACT_ADAPTER, BusinessContact, EmergencyContact

Invoke = Callable[[Sequence[str]], Result]  # the invoke fixture (tests/cli/conftest.py)

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "spreadsheets"
CONFIG = FOLDER / "contactsync.toml"


def pull(invoke: Invoke, system: str, kind: str, out: Path, config: Path | str = CONFIG) -> Result:
    return invoke(
        ["pull", "--config", str(config), "--system", system, "--kind", kind, "--out", str(out)]
    )


def by_row(out: Path) -> dict[int, dict[str, Any]]:
    """The written records by spreadsheet row number (their record id is ``row:N``)."""
    rows: dict[int, dict[str, Any]] = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        record_id = record["provenance"]["record_id"]
        assert record_id.startswith("row:")
        rows[int(record_id.removeprefix("row:"))] = record
    return rows


def phones(record: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(phone["raw"], phone["e164"]) for phone in record["phones"]]


# ---------------------------------------------------------------------------------------
# the files are what they claim to be
# ---------------------------------------------------------------------------------------


def test_the_csv_is_gbk_with_windows_line_ends() -> None:
    data = (FOLDER / "crm_export_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text = data.decode("gbk")
    assert text.startswith("客户编号,")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert "１３８００１３８１０２" in text  # full-width digits
    assert "0086 138" in text
    assert "13800138104.0" in text


def test_the_xlsx_holds_the_mangled_cells_as_real_exports_do() -> None:
    workbook = openpyxl.load_workbook(FOLDER / "emergency_contacts.xlsx", read_only=True)
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    phone_column = {row[1]: row[2] for row in rows[2:]}
    assert phone_column["张某甲"] == 13800138201 and isinstance(phone_column["张某甲"], int)
    assert isinstance(phone_column["刘某乙"], float)
    assert phone_column["刘某乙"] == 13800138202.0
    assert phone_column["陈某丙"] == "1.38E+10"
    assert phone_column["杨某丁"] == "１３８００１３８２０４"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_xlsx_example", FOLDER / "make_xlsx.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_xlsx_is_what_the_generator_writes() -> None:
    generator = _generator()
    assert generator.rewrite(generator.build()) == (FOLDER / "emergency_contacts.xlsx").read_bytes()


# ---------------------------------------------------------------------------------------
# the GBK CSV export of business contacts
# ---------------------------------------------------------------------------------------


@pytest.fixture
def business(invoke: Invoke, tmp_path: Path) -> tuple[Result, dict[int, dict[str, Any]]]:
    out = tmp_path / "business.jsonl"
    result = pull(invoke, "crm_export", "business", out)
    return result, by_row(out)


def test_every_business_row_but_the_malformed_one_is_written(
    business: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    result, rows = business
    assert result.exit_code == 1  # a row needs a person
    assert sorted(rows) == [2, 3, 4, 5, 7]
    for record in rows.values():
        assert record.pop("_mixed_storage") is False
        contact = CONTACT_ADAPTER.validate_python(record)
        assert isinstance(contact, BusinessContact)
        assert contact.model_dump(mode="json") == record


def test_business_phones_become_e164_and_keep_their_raw_text(
    business: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    _, rows = business
    assert phones(rows[2]) == [("0086 138 0013 8101", "+8613800138101")]
    assert phones(rows[3]) == [("１３８００１３８１０２", "+8613800138102")]
    assert phones(rows[4]) == [
        ("+86-138-0013-8103", "+8613800138103"),
        ("010-62345678转8001", "+861062345678"),
    ]
    assert rows[4]["phones"][1]["extension"] == "8001"
    assert rows[4]["phones"][1]["kind"] == "fixed"
    assert phones(rows[5]) == [("13800138104.0", "+8613800138104")]  # a float as text
    assert phones(rows[7]) == [
        ("0086-138-0013-8106", "+8613800138106"),
        ("0512-6555 0107", "+8651265550107"),
    ]


def test_business_fields_are_read_as_canonical_values(
    business: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    _, rows = business
    first = rows[2]
    assert (first["customer"], first["name"], first["title"], first["department"]) == (
        "C101",
        "王某一",
        "采购经理",
        "采购部",
    )
    assert first["email"] == "wang.yi@example.com"
    assert first["updated_at"] == "2026-11-01T01:30:00Z"  # 2026/11/01 09:30 in Shanghai
    assert [rows[n]["contact_type"] for n in (2, 3, 4, 5, 7)] == [
        "procurement",
        "technical",
        "finance",
        "support",
        "other",
    ]
    assert rows[7]["tags"] == ["新客户", "华东"]
    assert rows[3]["project"] == "二期改造"


def test_the_malformed_business_row_is_reported_by_row_number(
    business: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    result, rows = business
    assert 6 not in rows
    findings = [line for line in result.stderr.splitlines() if not line.startswith("wrote ")]
    assert len(findings) == 1
    assert findings[0].startswith("INVALID_RECORD: crm_export/crm_export_gbk.csv/row:6: row 6 ")
    assert "beyond the 12 columns of the header" in findings[0]
    summary = result.stderr.splitlines()[-1]
    assert summary.startswith("wrote 5 business contact(s) from crm_export to ")
    assert summary.endswith("; 1 row(s) rejected")


# ---------------------------------------------------------------------------------------
# the xlsx workbook of emergency contacts
# ---------------------------------------------------------------------------------------


@pytest.fixture
def emergency(invoke: Invoke, tmp_path: Path) -> tuple[Result, dict[int, dict[str, Any]]]:
    out = tmp_path / "emergency.jsonl"
    result = pull(invoke, "workbook", "emergency", out)
    return result, by_row(out)


def test_every_emergency_row_but_the_malformed_one_is_written(
    emergency: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    result, rows = emergency
    assert result.exit_code == 1
    assert sorted(rows) == [3, 4, 5, 6, 7]  # row 1 is a title, row 2 the header
    for record in rows.values():
        record.pop("_mixed_storage")
        assert isinstance(CONTACT_ADAPTER.validate_python(record), EmergencyContact)


def test_a_number_cell_and_a_float_cell_are_read_as_their_integers(
    emergency: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    _, rows = emergency
    assert phones(rows[3]) == [
        ("13800138201", "+8613800138201"),
        ("0086 138 0013 8211", "+8613800138211"),
    ]
    assert phones(rows[4]) == [("13800138202.0", "+8613800138202")]
    assert rows[4]["phones"][0]["kind"] == "mobile"


def test_scientific_notation_is_refused_as_precision_lost_and_kept_raw(
    emergency: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    _, rows = emergency
    (phone,) = rows[5]["phones"]
    assert phone["raw"] == "1.38E+10"
    assert phone["e164"] is None
    assert "precision lost" in phone["problem"]
    assert rows[5]["name"] == "陈某丙"  # the record is kept, its phone flagged


def test_full_width_and_plus_86_numbers(
    emergency: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    _, rows = emergency
    assert phones(rows[6]) == [("１３８００１３８２０４", "+8613800138204")]
    assert phones(rows[7]) == [("+86 138 0013 8205", "+8613800138205")]


def test_emergency_fields_are_read_as_canonical_values(
    emergency: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    _, rows = emergency
    first = rows[3]
    assert (first["role"], first["relationship"], first["priority"]) == ("总经理", "法定代表人", 1)
    assert first["decision_authority"] is True
    assert first["response_time_limit"] == "PT30M"
    assert first["last_reviewed_at"] == "2026-10-15T02:00:00Z"  # a date cell, Shanghai time
    assert first["reviewed_by"] == "王审核"
    assert first["wechat_id"] == "zhangjia_wx"
    assert first["contactable_hours"] == [
        {
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "08:00:00",
            "end": "20:00:00",
            "tz": "Asia/Shanghai",
        }
    ]
    assert rows[5]["decision_authority"] is False
    assert rows[5]["response_time_limit"] == "PT2H"
    assert rows[6]["response_time_limit"] == "PT30M"  # written 30分钟


def test_the_malformed_emergency_row_is_reported_by_row_number(
    emergency: tuple[Result, dict[int, dict[str, Any]]],
) -> None:
    result, rows = emergency
    assert 8 not in rows
    findings = [line for line in result.stderr.splitlines() if not line.startswith("wrote ")]
    assert findings == [
        "MISSING_FIELD: workbook/emergency_contacts.xlsx/row 8 field 'role': "
        "required field is missing"
    ]


# ---------------------------------------------------------------------------------------
# from any folder
# ---------------------------------------------------------------------------------------


def test_pull_works_from_any_folder_with_a_relative_config(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "a" / "b"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    relative = os.path.relpath(CONFIG, elsewhere)
    result = pull(invoke, "workbook", "emergency", Path("out.jsonl"), config=relative)
    assert result.exit_code == 1
    assert sorted(by_row(elsewhere / "out.jsonl")) == [3, 4, 5, 6, 7]


@pytest.mark.slow
def test_the_installed_command_pulls_the_examples(tmp_path: Path) -> None:
    out = tmp_path / "business.jsonl"
    completed = subprocess.run(
        [
            sys.executable, "-m", "contactsync", "pull", "--config", str(CONFIG),
            "--system", "crm_export", "--kind", "business", "--out", str(out),
        ],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert completed.returncode == 1, completed.stderr
    assert sorted(by_row(out)) == [2, 3, 4, 5, 7]
    assert "row 6" in completed.stderr
    assert "Traceback" not in completed.stderr

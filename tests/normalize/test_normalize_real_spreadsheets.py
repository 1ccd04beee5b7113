"""The normalizers on real exported spreadsheets (``shared/fixtures/real/spreadsheets``).

Each file's ``.source.txt`` says where it came from and what it holds.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from contactsync.models import PhoneKind
from contactsync.normalize import (
    email_key,
    email_problem,
    name_key,
    normalize_email,
    normalize_phone,
)


def _csv_rows(path: Path, encoding: str) -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


# ---------------------------------------------------------------------------------------
# cn_fullwidth_digits_utf8_crlf.csv: full-width digits, a leading U+3000
# ---------------------------------------------------------------------------------------


@pytest.fixture
def fullwidth_rows(spreadsheets_dir: Path) -> list[dict[str, str]]:
    return _csv_rows(spreadsheets_dir / "cn_fullwidth_digits_utf8_crlf.csv", "utf-8")


def test_fullwidth_and_halfwidth_rows_give_one_e164(fullwidth_rows: list[dict[str, str]]) -> None:
    first, second = fullwidth_rows[0]["手机号"], fullwidth_rows[1]["手机号"]
    assert first != second  # one is written in full-width digits, the other is not
    assert not first.isascii() and second.isascii()
    one, other = normalize_phone(first), normalize_phone(second)
    assert one.e164 is not None
    assert one.e164 == other.e164
    assert one.raw == first and other.raw == second


def test_every_fullwidth_row_normalises(fullwidth_rows: list[dict[str, str]]) -> None:
    assert len(fullwidth_rows) == 5
    for row in fullwidth_rows:
        phone = normalize_phone(row["手机号"])
        assert phone.e164 is not None, (row, phone.problem)
        assert phone.kind is PhoneKind.MOBILE
        assert phone.raw == row["手机号"]


def test_a_leading_ideographic_space_is_ignored(fullwidth_rows: list[dict[str, str]]) -> None:
    spaced = [row["手机号"] for row in fullwidth_rows if row["手机号"].startswith("\u3000")]
    assert len(spaced) == 1
    phone = normalize_phone(spaced[0])
    assert phone.e164 == "+86" + spaced[0].lstrip("\u3000")
    assert phone.raw == spaced[0]


# ---------------------------------------------------------------------------------------
# cn_retail_store_contacts.xlsx: text and numeric phone cells, spaced names
# ---------------------------------------------------------------------------------------


@pytest.fixture
def retail_rows(spreadsheets_dir: Path) -> list[dict[str, Any]]:
    workbook = openpyxl.load_workbook(
        spreadsheets_dir / "cn_retail_store_contacts.xlsx", read_only=True, data_only=True
    )
    try:
        rows = list(workbook["Sheet1"].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = [str(cell) for cell in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:] if any(row)]


def test_retail_phone_cells_as_they_come(retail_rows: list[dict[str, Any]]) -> None:
    seen = {"text mobile": 0, "numeric mobile": 0, "numeric local": 0, "text landline": 0}
    for row in retail_rows:
        value = row["电话"]
        phone = normalize_phone(value)  # int or str, exactly as openpyxl gives it
        assert phone.raw == str(value)
        if isinstance(value, int) and len(str(value)) == 11:
            seen["numeric mobile"] += 1
            assert phone.e164 == f"+86{value}"
            assert phone.kind is PhoneKind.MOBILE
        elif isinstance(value, int) and len(str(value)) == 7:
            seen["numeric local"] += 1
            assert phone.e164 is None
            assert phone.problem is not None and "no area code" in phone.problem
        elif isinstance(value, str) and value.startswith("1"):
            seen["text mobile"] += 1
            assert phone.e164 == f"+86{value}"
            assert phone.kind is PhoneKind.MOBILE
        elif isinstance(value, str) and value.startswith("0"):
            seen["text landline"] += 1
            assert phone.e164 == f"+86{value[1:]}"
            assert phone.kind is PhoneKind.FIXED
        else:
            pytest.fail(f"a phone cell this test does not expect: {value!r}")
    # The sheet really does mix the cell types (see the .source.txt).
    assert all(count > 0 for count in seen.values()), seen


def test_retail_contact_names_match_without_their_stray_spaces(
    retail_rows: list[dict[str, Any]],
) -> None:
    names = [row["联系人"] for row in retail_rows if row["联系人"]]
    spaced = [name for name in names if " " in name]
    assert "张 己" in spaced and "魏某己 " in spaced
    for name in names:
        assert name_key(name) == name_key("".join(name.split()))
        assert " " not in name_key(name)  # every name in the sheet is Chinese
    assert name_key("张 己") == name_key("张己")
    assert name_key("魏某己 ") == "魏某己"


# ---------------------------------------------------------------------------------------
# cn_contacts_gbk_crlf.csv: GBK-encoded
# ---------------------------------------------------------------------------------------


@pytest.fixture
def gbk_rows(spreadsheets_dir: Path) -> list[dict[str, str]]:
    path = spreadsheets_dir / "cn_contacts_gbk_crlf.csv"
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")  # it really is GBK
    return _csv_rows(path, "gbk")


def test_gbk_rows_normalise(gbk_rows: list[dict[str, str]]) -> None:
    assert len(gbk_rows) == 5
    for row in gbk_rows:
        phone = normalize_phone(row["手机号"])
        assert phone.e164 == "+86" + row["手机号"], phone.problem
        assert phone.kind is PhoneKind.MOBILE
        assert email_problem(row["邮箱"]) is None
        assert normalize_email(row["邮箱"]) == row["邮箱"]
    assert len({name_key(row["姓名"]) for row in gbk_rows}) == 5
    assert len({email_key(row["邮箱"]) for row in gbk_rows}) == 5

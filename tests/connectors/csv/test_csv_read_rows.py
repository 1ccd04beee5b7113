"""Reading rows: bad rows are reported by row number and never stop the rest."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from connector_helpers import csv_connector, errors, records

from contactsync.connector import POSITIONAL_ID_PREFIX
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync_csv.encoding import detect_format


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_a_row_with_more_cells_than_the_header_is_reported(tmp_path: Path) -> None:
    write(
        tmp_path / "c.csv",
        'key,name,phone\nk1,"Ann\nLee",1\nk2,Bob,2,EXTRA\nk3,Cy,3\nk4,Di,4,\n',
    )
    pages = list(csv_connector(tmp_path, "c.csv", "key", ["name", "phone"]).pull(Kind.BUSINESS))
    got = records(pages)
    assert [r.record_id for r in got] == ["k1", "k3", "k4"]  # a trailing empty cell is fine
    assert got[0].values["name"] == "Ann\nLee"
    assert [r.locator for r in got] == ["row 2", "row 4", "row 5"]  # a newline in a cell is one row
    (error,) = errors(pages)
    assert error.record_id == "k2"
    assert error.object == "c.csv"
    assert "row 3" in error.reason and "column D" in error.reason


def test_a_row_that_does_not_decode_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    good = "姓名,电话\n张三,138\n".encode()
    bad = b"\xff\xfe\xfa\xe5,139\n"  # neither UTF-8 nor GB18030
    (tmp_path / "c.csv").write_bytes(good + bad + "李四,137\n".encode())
    pages = list(csv_connector(tmp_path, "c.csv", "电话", ["姓名", "电话"]).pull(Kind.BUSINESS))
    assert [r.values["姓名"] for r in records(pages)] == ["张三", "李四"]
    (error,) = errors(pages)
    assert "row 3" in error.reason and "utf-8" in error.reason
    assert error.field == "姓名"
    assert error.record_id == "139"


def test_a_configured_encoding_reports_rows_it_cannot_decode(tmp_path: Path) -> None:
    text = "姓名,电话\n张三,138\n"
    bad = b"\x80\xa1,137\n"  # 0x80 leads no GBK character
    (tmp_path / "c.csv").write_bytes(text.encode("gbk") + bad + "李四,136\n".encode("gbk"))
    pages = list(
        csv_connector(tmp_path, "c.csv", "电话", ["姓名"], encoding="gbk").pull(Kind.BUSINESS)
    )
    assert [r.values["姓名"] for r in records(pages)] == ["张三", "李四"]
    (error,) = errors(pages)
    assert "row 3" in error.reason and "gbk" in error.reason


def test_an_oversized_field_is_a_row_error(tmp_path: Path) -> None:
    huge = "x" * (200 * 1024)
    write(tmp_path / "c.csv", f'key,name\nk1,a\nk2,"{huge}"\nk3,c\n')
    pages = list(csv_connector(tmp_path, "c.csv", "key", ["name"]).pull(Kind.BUSINESS))
    assert [r.record_id for r in records(pages)] == ["k1", "k3"]
    (error,) = errors(pages)
    assert error.record_id == f"{POSITIONAL_ID_PREFIX}3" and "row 3" in error.reason


def test_duplicate_header_names_are_reported_once_and_the_first_kept(tmp_path: Path) -> None:
    write(tmp_path / "c.csv", "key,phone,name,phone\nk1,111,Ann,222\nk2,333,Bob,444\n")
    pages = list(csv_connector(tmp_path, "c.csv", "key", ["name", "phone"]).pull(Kind.BUSINESS))
    assert [r.values["phone"] for r in records(pages)] == ["111", "333"]
    (error,) = errors(pages)
    assert error.field == "phone" and "B, D" in error.reason and "header row 1" in error.reason


def test_a_key_used_twice_reports_the_second_row(tmp_path: Path) -> None:
    write(tmp_path / "c.csv", "key,name\nk1,Ann\nk1,Bob\n,Cy\n")
    pages = list(csv_connector(tmp_path, "c.csv", "key", ["name"]).pull(Kind.BUSINESS))
    assert [r.record_id for r in records(pages)] == ["k1", "row:4"]
    (error,) = errors(pages)
    assert error.record_id == "row:3" and "row 2" in error.reason


def test_blank_rows_are_skipped_and_row_numbers_stay_true(tmp_path: Path) -> None:
    write(tmp_path / "c.csv", "key,name\r\n\r\nk1,Ann\r\n , \r\nk2,Bob\r\n")
    got = records(csv_connector(tmp_path, "c.csv", "key", ["name"]).pull(Kind.BUSINESS))
    assert [(r.record_id, r.locator) for r in got] == [("k1", "row 3"), ("k2", "row 5")]


def test_keyless_rows_get_positional_ids(tmp_path: Path) -> None:
    write(tmp_path / "c.csv", "name,phone\nAnn,1\nBob,2\n")
    got = records(csv_connector(tmp_path, "c.csv", "key", ["name", "phone"]).pull(Kind.BUSINESS))
    assert [r.record_id for r in got] == ["row:2", "row:3"]
    assert all(r.positional for r in got)


def test_the_header_is_found_below_instruction_rows(tmp_path: Path) -> None:
    write(tmp_path / "c.csv", "请按以下格式填写\n说明：手机必填\n\n姓名,手机,备注\n张三,138,\n")
    got = records(csv_connector(tmp_path, "c.csv", "手机", ["姓名"]).pull(Kind.BUSINESS))
    assert [(r.record_id, r.locator) for r in got] == [("138", "row 5")]


def test_a_header_row_beyond_the_file_is_a_config_error(tmp_path: Path) -> None:
    write(tmp_path / "c.csv", "key,name\nk1,Ann\n")
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"], header_row=9)
    with pytest.raises(ConfigError, match="header_row 9"):
        list(connector.pull(Kind.BUSINESS))


def test_a_formula_neutralising_quote_is_removed_on_read(tmp_path: Path) -> None:
    write(
        tmp_path / "c.csv",
        "key,a,b,c,d\nk1,'=1+2,'+8613800138000,'plain,''=x\n",
    )
    (got,) = records(csv_connector(tmp_path, "c.csv", "key", ["a"]).pull(Kind.BUSINESS))
    assert got.values == {
        "key": "k1",
        "a": "=1+2",
        "b": "+8613800138000",
        "c": "'plain",
        "d": "'=x",
    }


def test_pages_follow_page_size_and_only_the_last_is_complete(tmp_path: Path) -> None:
    write(tmp_path / "c.csv", "key,name\n" + "".join(f"k{n},n{n}\n" for n in range(5)))
    pages = list(csv_connector(tmp_path, "c.csv", "key", ["name"], page_size=2).pull(Kind.BUSINESS))
    assert [len(p.records) for p in pages] == [2, 2, 1]
    assert [(p.last, p.complete) for p in pages] == [(False, False), (False, False), (True, True)]


def test_a_missing_file_is_an_empty_complete_pull(tmp_path: Path) -> None:
    pages = list(csv_connector(tmp_path, "new/c.xlsx", "key", ["name"]).pull(Kind.BUSINESS))
    assert len(pages) == 1 and pages[0].records == [] and pages[0].complete


@pytest.mark.parametrize("content", [b"not a zip", b"PK\x03\x04broken"])
def test_an_unreadable_xlsx_is_a_config_error_naming_the_file(
    tmp_path: Path, content: bytes
) -> None:
    (tmp_path / "broken.xlsx").write_bytes(content)
    connector = csv_connector(tmp_path, "broken.xlsx", "key", ["name"])
    with pytest.raises(ConfigError, match=r"broken\.xlsx"):
        list(connector.pull(Kind.BUSINESS))
    with pytest.raises(ConfigError, match=r"broken\.xlsx"):
        list(connector.push(Kind.BUSINESS, []))


def test_an_unsupported_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.xls\b.*save it as \.xlsx"):
        csv_connector(tmp_path, "old.xls", "key", ["name"])


def test_both_kinds_in_one_file_are_refused(tmp_path: Path) -> None:
    from connector_helpers import context

    from contactsync_csv import CsvConnector

    objects = {
        Kind.EMERGENCY: ("contacts.csv", "key", ["name"]),
        Kind.BUSINESS: ("./contacts.csv", "key", ["name"]),
    }
    with pytest.raises(ConfigError, match="each kind needs its own file"):
        CsvConnector(context("csv", tmp_path, objects))
    objects[Kind.BUSINESS] = ("contacts.archived.csv", "key", ["name"])
    with pytest.raises(ConfigError, match="each kind needs its own file"):
        CsvConnector(context("csv", tmp_path, objects))


@pytest.mark.parametrize(
    "settings",
    [
        {"encoding": "no-such-codec"},
        {"delimiter": ";;"},
        {"header_row": 0},
        {"header_row": "second"},
        {"page_size": 0},
        {"sheet": ""},
    ],
)
def test_bad_settings_are_config_errors(tmp_path: Path, settings: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="setting '"):
        csv_connector(tmp_path, "c.csv", "key", ["name"], **settings)


def test_semicolon_delimiter_and_utf16_text_export(tmp_path: Path) -> None:
    text = "key;name\r\nk1;Zoë\r\n"
    (tmp_path / "c.txt").write_bytes("\ufeff".encode("utf-16-le") + text.encode("utf-16-le"))
    connector = csv_connector(tmp_path, "c.txt", "key", ["name"], delimiter=";")
    (got,) = records(connector.pull(Kind.BUSINESS))
    assert got.values == {"key": "k1", "name": "Zoë"}
    assert detect_format(tmp_path / "c.txt", "auto").codec == "utf-16-le"


def test_xlsx_formula_cells_read_as_their_cached_values(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["key", "name", "phone"])
    sheet.append(["k1", "Ann", "'=HYPERLINK(1)"])
    book.save(tmp_path / "c.xlsx")
    (got,) = records(csv_connector(tmp_path, "c.xlsx", "key", ["name"]).pull(Kind.BUSINESS))
    assert got.values["phone"] == "=HYPERLINK(1)"  # the neutralising quote is removed


def test_a_plainly_wrong_encoding_setting_is_a_config_error(tmp_path: Path) -> None:
    from contactsync.errors import ConfigError

    rows = "".join(f"张{i},1380013800{i}\n" for i in range(8))
    (tmp_path / "c.csv").write_bytes(("姓名,电话\n" + rows).encode("gbk"))
    connector = csv_connector(tmp_path, "c.csv", "电话", ["姓名"], encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.csv: is not valid utf-8 text; check"):
        list(connector.pull(Kind.BUSINESS))


def test_an_unclosed_quote_is_reported_not_swallowed(tmp_path: Path) -> None:
    write(tmp_path / "c.csv", 'key,name\nk1,a\nk2,"b\nk3,c\nk4,d\n')
    pages = list(csv_connector(tmp_path, "c.csv", "key", ["name"]).pull(Kind.BUSINESS))
    assert [r.record_id for r in records(pages)] == ["k1"]
    (error,) = errors(pages)
    assert "row 3" in error.reason and "never closed" in error.reason

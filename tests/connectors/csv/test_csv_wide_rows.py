"""Rows that do not fit the header: wider (a value beyond its last cell) and narrower.

A row with a value beyond the header is refused by the reader (a name with an unquoted
comma shifts every later cell). Writing must keep it so: never put a name above its stray
value (a new column there would make the next read accept the shifted row), never change
it, and still write the rest of the file.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
from connector_helpers import archive, create, csv_connector, errors, records, update
from openpyxl.styles import Font

from contactsync.connector import WriteOp
from contactsync.models import Kind

WIDE_ROW = b'k2,"Smith", John,2\r\n'  # an unquoted comma: one value more than the header
WIDE = b"key,name,phone\r\nk1,Ann,1\r\n" + WIDE_ROW + b"k3,Bob,3\r\n"


def push(connector: Any, *ops: WriteOp) -> list[Any]:
    return list(connector.push(Kind.BUSINESS, list(ops)))


def pulled(connector: Any) -> tuple[dict[str, dict[str, Any]], list[str]]:
    pages = list(connector.pull(Kind.BUSINESS))
    found = {r.record_id: dict(r.values) for r in records(pages)}
    return found, [e.reason for e in errors(pages)]


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_a_wide_row_gets_no_nameless_column_and_stays_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(WIDE)
    connector = csv_connector(tmp_path, "c.csv", "key", ["name", "phone", "mobile"])
    _, before = pulled(connector)
    assert len(before) == 1 and "row 3" in before[0] and "column D" in before[0]

    results = push(
        connector,
        update("k1", {"name": "Ann B", "mobile": "13900000001"}),  # needs a new column
        update("k3", {"name": "Bob B", "mobile": None}),  # an empty value needs none
        create("k4", {"name": "Di", "phone": "4", "mobile": ""}),
    )
    assert [r.ok for r in results] == [False, True, True]
    error = results[0].error
    assert error is not None and error.code == "CANNOT_ADD_COLUMN"
    assert error.fields == ("mobile",)
    assert "row 3" in error.message and "column D" in error.message

    data = path.read_bytes()
    assert data.startswith(b"key,name,phone\r\n")  # no nameless column, no 'mobile' above D
    assert WIDE_ROW in data  # the wide row byte for byte, its quotes kept
    assert rows_of(path) == [
        ["key", "name", "phone"],
        ["k1", "Ann", "1"],
        ["k2", "Smith", " John", "2"],
        ["k3", "Bob B", "3"],
        ["k4", "Di", "4"],
    ]
    found, again = pulled(connector)
    assert list(found) == ["k1", "k3", "k4"]  # still refused, reported on every read
    assert again == before


def test_a_wide_row_is_never_written_through_its_key_or_position(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(WIDE)
    inode = path.stat().st_ino
    connector = csv_connector(tmp_path, "c.csv", "key", ["name", "phone"])
    results = push(
        connector,
        update("k2", {"name": "Smith"}),
        create("k2", {"name": "Smith"}),  # would add a second row with the same key
        archive("k2"),
        update("cs-x", {"name": "X"}, record_id="row:3"),
    )
    assert [r.ok for r in results] == [False, False, False, False]
    for result in results:
        assert result.error is not None and result.error.code == "UNREADABLE_ROW"
        assert "row 3" in result.error.message and "column D" in result.error.message
    assert path.read_bytes() == WIDE and path.stat().st_ino == inode  # nothing written
    assert not (tmp_path / "c.archived.csv").exists()


def test_once_the_row_is_fixed_the_column_is_added_after_the_header(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(WIDE)
    connector = csv_connector(tmp_path, "c.csv", "key", ["name", "phone", "mobile"])
    path.write_bytes(WIDE.replace(WIDE_ROW, b'k2,"Smith, John",2\r\n'))
    (result,) = push(connector, update("k1", {"mobile": "13900000001"}))
    assert result.ok
    assert rows_of(path) == [
        ["key", "name", "phone", "mobile"],
        ["k1", "Ann", "1", "13900000001"],
        ["k2", "Smith, John", "2"],
        ["k3", "Bob", "3"],
    ]
    assert pulled(connector)[1] == []


def test_blank_cells_past_the_header_neither_block_nor_widen_it(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("key,name\nk1,Ann,,\nk2,Bob\n", encoding="utf-8")
    connector = csv_connector(tmp_path, "c.csv", "key", ["name", "mobile"])
    results = push(
        connector,
        update("k2", {"mobile": "13900000002"}),
        update("k1", {"mobile": "13900000001"}),
    )
    assert [r.ok for r in results] == [True, True]
    assert rows_of(path) == [
        ["key", "name", "mobile"],
        ["k1", "Ann", "13900000001", ""],
        ["k2", "Bob", "13900000002"],
    ]
    found, problems = pulled(connector)
    assert problems == [] and found["k1"]["mobile"] == "13900000001"

    (archived,) = push(connector, archive("k1"))
    assert archived.ok  # the trailing blank cell gives the archive no nameless column
    assert rows_of(tmp_path / "c.archived.csv") == [
        ["key", "name", "mobile"],
        ["k1", "Ann", "13900000001"],
    ]


def test_a_trailing_nameless_header_cell_is_taken_by_a_new_column(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("key,name,\nk1,Ann,\n", encoding="utf-8")  # a trailing delimiter
    connector = csv_connector(tmp_path, "c.csv", "key", ["name", "mobile"])
    (result,) = push(connector, update("k1", {"mobile": "13900000001"}))
    assert result.ok
    assert rows_of(path) == [["key", "name", "mobile"], ["k1", "Ann", "13900000001"]]


def test_rows_with_fewer_cells_than_the_header_are_read_and_written(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"key,name,phone,note\nk1,Ann\nk2,Bob,2\n")
    connector = csv_connector(tmp_path, "c.csv", "key", ["name", "phone", "note", "mobile"])
    found, problems = pulled(connector)
    assert problems == [] and found["k1"]["phone"] == "" and found["k2"]["note"] == ""
    results = push(
        connector,
        update("k1", {"note": "n"}),
        create("k3", {"name": "Cy", "mobile": "13900000003"}),
    )
    assert [r.ok for r in results] == [True, True]
    assert path.read_bytes() == (
        b"key,name,phone,note,mobile\n"
        b"k1,Ann,,n\n"  # filled up to the cell written, no further
        b"k2,Bob,2\n"  # untouched: as it was
        b"k3,Cy,,,13900000003\n"
    )
    found, problems = pulled(connector)
    assert problems == [] and found["k2"]["mobile"] == "" and found["k1"]["note"] == "n"


def test_rows_no_operation_changes_are_copied_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    original = b'"key","name"\r\n"k1","Ann"\n"k2",Bob\r\nk3,"Cy"'  # odd but valid
    path.write_bytes(original)
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"])
    (result,) = push(connector, update("k2", {"name": "Bob B"}))
    assert result.ok
    assert path.read_bytes() == b'"key","name"\r\n"k1","Ann"\nk2,Bob B\r\nk3,"Cy"\r\n'


# --------------------------------------------------------------------------- xlsx


def make_workbook(path: Path, rows: list[list[Any]]) -> None:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def sheet_rows(path: Path) -> list[list[Any]]:
    book = openpyxl.load_workbook(path)
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def test_xlsx_a_value_beyond_the_header_blocks_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    make_workbook(
        path,
        [["key", "name", "phone"], ["k1", "Ann", "1"], ["k2", "Smith", " John", "2"]],
    )
    connector = csv_connector(tmp_path, "c.xlsx", "key", ["name", "phone", "mobile"])
    _, before = pulled(connector)
    assert len(before) == 1 and "row 3" in before[0] and "column D" in before[0]
    results = push(
        connector,
        update("k1", {"name": "Ann B", "mobile": "13900000001"}),
        update("k1", {"name": "Ann C", "mobile": None}),
        update("k2", {"name": "Smith, John"}),
    )
    assert [r.ok for r in results] == [False, True, False]
    assert results[0].error is not None and results[0].error.code == "CANNOT_ADD_COLUMN"
    assert results[2].error is not None and results[2].error.code == "UNREADABLE_ROW"
    assert sheet_rows(path) == [
        ["key", "name", "phone", None],  # None: openpyxl pads to the widest row
        ["k1", "Ann C", "1", None],
        ["k2", "Smith", " John", "2"],
    ]
    found, again = pulled(connector)
    assert list(found) == ["k1"] and again == before


def test_xlsx_a_formatted_empty_header_cell_widens_the_header(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["key", "name"])
    sheet["C1"].font = Font(bold=True)  # an empty header cell that is in the file
    sheet.append(["k1", "Ann", "a note"])
    book.save(path)
    connector = csv_connector(tmp_path, "c.xlsx", "key", ["name", "mobile"])
    found, problems = pulled(connector)
    assert problems == [] and list(found) == ["k1"]  # the reader takes C as a column
    (result,) = push(connector, update("k1", {"name": "Ann B", "mobile": "13900000001"}))
    assert result.ok  # so the writer does too, and C (in use) is not taken for 'mobile'
    assert sheet_rows(path) == [
        ["key", "name", None, "mobile"],
        ["k1", "Ann B", "a note", "13900000001"],
    ]

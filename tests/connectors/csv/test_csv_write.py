"""Writing CSV files: upserts, archives, and everything a round trip must keep."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from connector_helpers import archive, create, csv_connector, errors, records, update

from contactsync.connector import WriteOp
from contactsync.models import Kind

FIELDS = ["name", "phone", "note"]


def rows_of(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def push(connector: Any, *ops: WriteOp) -> list[Any]:
    return list(connector.push(Kind.BUSINESS, list(ops)))


def pulled(connector: Any) -> dict[str, dict[str, Any]]:
    return {r.record_id: dict(r.values) for r in records(connector.pull(Kind.BUSINESS))}


def test_a_new_file_gets_the_mapping_header_utf8_bom_and_crlf(tmp_path: Path) -> None:
    connector = csv_connector(tmp_path, "out/contacts.csv", "key", FIELDS)
    (result,) = push(connector, create("k1", {"name": "张三", "phone": "13800138000"}))
    assert result.ok and result.record_id == "k1" and result.action == "create"
    data = (tmp_path / "out" / "contacts.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfkey,name,phone,note\r\n")
    assert data.endswith("k1,张三,13800138000,\r\n".encode())


def test_a_new_file_in_a_configured_encoding(tmp_path: Path) -> None:
    connector = csv_connector(tmp_path, "c.csv", "key", FIELDS, encoding="gbk")
    push(connector, create("k1", {"name": "张三"}))
    assert (tmp_path / "c.csv").read_bytes() == "key,name,phone,note\r\nk1,张三,,\r\n".encode("gbk")


def test_quotes_newlines_commas_and_chinese_survive_a_round_trip(tmp_path: Path) -> None:
    tricky = {
        "k1": {"name": 'He said "hi", then left', "phone": "+86 138", "note": "line1\nline2"},
        "k2": {"name": "王\r\n五", "phone": "", "note": "carriage\ronly"},
        "k3": {"name": " padded ", "phone": '"', "note": ","},
        "k4": {"name": "", "phone": "", "note": ""},
    }
    for newline in ("\r\n", "\n"):
        path = tmp_path / f"c{len(newline)}.csv"
        path.write_bytes(f"key,name,phone,note{newline}".encode())
        connector = csv_connector(tmp_path, path.name, "key", FIELDS)
        results = push(connector, *(create(key, values) for key, values in tricky.items()))
        assert all(r.ok for r in results)
        again = csv_connector(tmp_path, path.name, "key", FIELDS)
        assert pulled(again) == {key: {"key": key, **values} for key, values in tricky.items()}


def test_gbk_crlf_file_keeps_encoding_line_ending_and_unknown_columns(
    copy_fixture: Any, tmp_path: Path
) -> None:
    path = copy_fixture("cn_contacts_gbk_crlf.csv")
    before = rows_of(path, "gbk")
    connector = csv_connector(tmp_path, path.name, "身份证号", ["姓名", "手机号"])
    results = push(
        connector,
        update("999994199001010022", {"姓名": "王某丙（已改）"}),
        create("999994199001010066", {"姓名": "钱某丙", "手机号": "13804000006"}),
    )
    assert [r.ok for r in results] == [True, True]

    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 7 and data.replace(b"\r\n", b"").count(b"\n") == 0
    after = rows_of(path, "gbk")  # strict GBK decoding: it would raise on anything else
    assert after[0] == before[0]  # header unchanged, 邮箱 (not in the mapping) kept
    assert after[2] == ["王某丙（已改）", *before[2][1:]]  # only the mapped cell changed
    assert after[1] == before[1] and after[3:6] == before[3:6]
    assert after[6] == ["钱某丙", "13804000006", "999994199001010066", ""]


def test_salesforce_export_keeps_bom_lf_and_every_other_value(
    copy_fixture: Any, tmp_path: Path
) -> None:
    path = copy_fixture("salesforce_contact_export_full.csv")
    before = rows_of(path)
    connector = csv_connector(tmp_path, path.name, "Id", ["LastName", "Phone"])
    (result,) = push(connector, update("003Ec00000CyOT7IAN", {"Phone": "+15985550001"}))
    assert result.ok
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfId,IsDeleted,") and b"\r\n" not in data
    after = rows_of(path)
    phone = before[0].index("Phone")
    assert after[1][phone] == "'+15985550001"  # neutralised in the file
    after[1][phone] = before[1][phone]
    assert after == before  # the quoted JSON column and every other cell are unchanged
    assert (
        pulled(csv_connector(tmp_path, path.name, "Id", ["Phone"]))["003Ec00000CyOT7IAN"]["Phone"]
        == "+15985550001"
    )


@pytest.mark.parametrize("value", ["=1+2", "+8613800138000", "-5", "@SUM(A1)", "\tx", "\rx", "'=x"])
def test_formula_cells_are_neutralised_on_write_and_restored_on_read(
    tmp_path: Path, value: str
) -> None:
    connector = csv_connector(tmp_path, "c.csv", "key", FIELDS)
    push(connector, create("k1", {"name": value, "phone": value}))
    (row,) = rows_of(tmp_path / "c.csv")[1:]
    assert row[1] == "'" + value
    assert pulled(connector)["k1"]["name"] == value


def test_safe_values_are_written_without_a_quote(tmp_path: Path) -> None:
    connector = csv_connector(tmp_path, "c.csv", "key", FIELDS)
    push(connector, create("k1", {"name": "a=b", "phone": 13800138000, "note": "'quoted"}))
    assert rows_of(tmp_path / "c.csv")[1] == ["k1", "a=b", "13800138000", "'quoted"]


def test_a_retried_create_updates_instead_of_duplicating(tmp_path: Path) -> None:
    connector = csv_connector(tmp_path, "c.csv", "key", FIELDS)
    op = create("k1", {"name": "Ann", "phone": "1"})
    assert [r.ok for r in push(connector, op)] == [True]
    assert [r.ok for r in push(connector, op, op)] == [True, True]
    assert [r.ok for r in push(connector, create("k1", {"name": "Ann B"}))] == [True]
    assert rows_of(tmp_path / "c.csv") == [["key", *FIELDS], ["k1", "Ann B", "1", ""]]


def test_an_unknown_record_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("key,name,phone,note\nk1,Ann,1,\n", encoding="utf-8")
    connector = csv_connector(tmp_path, "c.csv", "key", FIELDS)
    results = push(
        connector,
        update("nobody", {"name": "X"}),
        create("k2", {"name": "Bob"}),
        archive("ghost"),
        update("k1", {"phone": "2"}),
        update("k9", {"name": "Y"}, record_id="row:99"),
    )
    assert [r.ok for r in results] == [False, True, False, True, False]
    assert [r.key for r in results] == ["nobody", "k2", "ghost", "k1", "k9"]
    for failed in (results[0], results[2], results[4]):
        assert failed.error is not None and failed.error.code == "NOT_FOUND"
    assert "row 99" in (results[4].error.message if results[4].error else "")
    assert pulled(connector) == {
        "k1": {"key": "k1", "name": "Ann", "phone": "2", "note": ""},
        "k2": {"key": "k2", "name": "Bob", "phone": "", "note": ""},
    }


def test_a_value_the_file_cannot_hold_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_bytes("key,name\r\nk1,张三\r\n".encode("gbk"))
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"], encoding="gbk")
    results = push(
        connector,
        update("k1", {"name": "张三😀"}),  # no emoji in GBK
        update("k1", {"name": {"not": "text"}}),
        create("k2", {"name": "李四"}),
    )
    assert [r.ok for r in results] == [False, False, True]
    assert results[0].error is not None and results[0].error.code == "INVALID_VALUE"
    assert results[0].error.fields == ("name",) and "gbk" in results[0].error.message
    assert pulled(connector)["k1"]["name"] == "张三"


def test_update_by_position_writes_the_key_and_adds_its_column(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("name,phone,extra\nAnn,1,x\nBob,2,y\n", encoding="utf-8")
    connector = csv_connector(tmp_path, "c.csv", "key", ["name", "phone"])
    before = pulled(connector)
    assert list(before) == ["row:2", "row:3"]
    (result,) = push(connector, update("cs-bob", {"phone": "22"}, record_id="row:3"))
    assert result.ok and result.record_id == "cs-bob"
    assert rows_of(tmp_path / "c.csv") == [
        ["name", "phone", "extra", "key"],
        ["Ann", "1", "x"],
        ["Bob", "22", "y", "cs-bob"],
    ]
    assert list(pulled(connector)) == ["row:2", "cs-bob"]


def test_a_stale_position_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("key,name\nk1,Ann\n", encoding="utf-8")
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"])
    (result,) = push(connector, update("k2", {"name": "Bob"}, record_id="row:2"))
    assert not result.ok and result.error is not None
    assert "now holds key 'k1'" in result.error.message


def test_archive_moves_the_whole_row_to_the_archived_file(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_bytes(
        "key,name,phone,unmapped\r\nk1,张三,1,keep me\r\nk2,李四,2,\r\nk3,王五,3,z\r\n".encode(
            "gbk"
        )
    )
    connector = csv_connector(tmp_path, "c.csv", "key", ["name", "phone"])
    results = push(connector, archive("k2"), archive("k1"))
    assert [(r.ok, r.record_id) for r in results] == [(True, "k2"), (True, "k1")]
    assert rows_of(tmp_path / "c.csv", "gbk") == [
        ["key", "name", "phone", "unmapped"],
        ["k3", "王五", "3", "z"],
    ]
    archived = tmp_path / "c.archived.csv"
    assert archived.read_bytes().decode("gbk").split("\r\n") == [
        "key,name,phone,unmapped",
        "k2,李四,2,",
        "k1,张三,1,keep me",
        "",
    ]
    # Retrying the archive is a success and leaves one copy.
    (retry,) = push(connector, archive("k1"))
    assert retry.ok
    assert len(rows_of(archived, "gbk")) == 3
    (gone,) = push(connector, update("k1", {"name": "back?"}))
    assert gone.error is not None and gone.error.code == "NOT_FOUND"


def test_archive_of_a_positional_row(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("name\nAnn\nBob\n", encoding="utf-8")
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"])
    (result,) = push(connector, archive("cs-ann", record_id="row:2"))
    assert result.ok and result.record_id == "row:2"
    assert rows_of(tmp_path / "c.csv") == [["name"], ["Bob"]]
    assert rows_of(tmp_path / "c.archived.csv") == [["name"], ["Ann"]]


def test_archived_file_gains_columns_the_source_gained(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("key,name\nk1,Ann\nk2,Bob\n", encoding="utf-8")
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"])
    push(connector, archive("k1"))
    (tmp_path / "c.csv").write_text("key,phone,name\nk2,2,Bob\n", encoding="utf-8")
    push(connector, archive("k2"))
    assert rows_of(tmp_path / "c.archived.csv") == [
        ["key", "name", "phone"],
        ["k1", "Ann"],
        ["k2", "Bob", "2"],
    ]


def test_nothing_changed_means_nothing_written(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("key,name\nk1,Ann\n", encoding="utf-8")
    inode = path.stat().st_ino
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"])
    results = push(connector, update("k1", {"name": "Ann"}), create("k1", {"name": "Ann"}))
    assert all(r.ok for r in results)
    assert path.stat().st_ino == inode  # not replaced
    push(connector, update("k1", {"name": "Anna"}))
    assert path.stat().st_ino != inode


def test_a_write_leaves_no_temporary_file_and_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("key,name\nk1,Ann\n", encoding="utf-8")
    path.chmod(0o640)
    push(csv_connector(tmp_path, "c.csv", "key", ["name"]), update("k1", {"name": "B"}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.csv"]
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_plain_ascii_gbk_file_stays_gbk_across_pushes(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("key,name\r\nk1,张三\r\nk2,Bob\r\n".encode("gbk"))
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"])
    records(connector.pull(Kind.BUSINESS))
    push(connector, archive("k1"))  # what is left is plain ASCII
    push(connector, create("k3", {"name": "王五"}))
    assert path.read_bytes() == "key,name\r\nk2,Bob\r\nk3,王五\r\n".encode("gbk")


def test_a_file_with_an_unparseable_row_is_not_rewritten(tmp_path: Path) -> None:
    from contactsync.errors import ConfigError

    path = tmp_path / "c.csv"
    path.write_text('key,name\nk1,"' + "x" * (200 * 1024) + '"\n', encoding="utf-8")
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"])
    assert len(errors(connector.pull(Kind.BUSINESS))) == 1
    with pytest.raises(ConfigError, match="row 2"):
        push(connector, create("k2", {"name": "Bob"}))


def test_100k_rows_read_and_a_full_batch_written(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    buffer = io.StringIO()
    buffer.write("key,name,phone,extra\n")
    for n in range(100_000):
        buffer.write(f"k{n},name {n},1380000{n:05d},x\n")
    path.write_text(buffer.getvalue(), encoding="utf-8")
    connector = csv_connector(tmp_path, "big.csv", "key", ["name", "phone"])

    pages = list(connector.pull(Kind.BUSINESS))
    assert sum(len(p.records) for p in pages) == 100_000
    assert len(pages) == 100

    ops = [update(f"k{n}", {"name": f"renamed {n}"}) for n in range(0, 100_000, 200)]
    ops += [create(f"new{n}", {"name": "new"}) for n in range(250)]
    ops += [archive(f"k{n}") for n in range(1, 1000, 4)]
    results = push(connector, *ops)
    assert len(results) == 1000 and all(r.ok for r in results)
    rows = {row[0]: row for row in rows_of(path)[1:]}
    assert len(rows) == 100_000 + 250 - 250
    assert rows["k200"] == ["k200", "renamed 200", "138000000200", "x"]
    assert rows["new7"] == ["new7", "new", "", ""]
    assert "k1" not in rows and "k2" in rows
    assert len(rows_of(tmp_path / "big.archived.csv")) == 251


@pytest.mark.parametrize("name", ["c.csv", "c.xlsx"])
def test_an_empty_file_is_a_new_file_and_no_op_pushes_create_nothing(
    tmp_path: Path, name: str
) -> None:
    connector = csv_connector(tmp_path, name, "key", ["name"])
    assert push(connector, archive("ghost"))[0].error is not None
    assert not (tmp_path / name).exists()  # nothing was written, so no file appeared

    (tmp_path / name).touch()
    pages = list(connector.pull(Kind.BUSINESS))
    assert pages[0].records == [] and pages[0].complete
    assert push(connector, create("k1", {"name": "Ann"}))[0].ok
    assert [r.record_id for r in records(connector.pull(Kind.BUSINESS))] == ["k1"]
    if name == "c.csv":
        assert (tmp_path / name).read_bytes() == b"\xef\xbb\xbfkey,name\r\nk1,Ann\r\n"


def test_a_file_with_undecodable_rows_is_never_rewritten(tmp_path: Path) -> None:
    from contactsync.errors import ConfigError

    good = "key,name\nk1,张三\n".encode("gbk")
    data = good + b"k2,\x80\xa1\n" + "k3,李四\n".encode("gbk")
    (tmp_path / "c.csv").write_bytes(data)
    connector = csv_connector(tmp_path, "c.csv", "key", ["name"], encoding="gbk")
    assert len(errors(connector.pull(Kind.BUSINESS))) == 1  # reported, the rest read
    with pytest.raises(ConfigError, match="row 3 is not valid gbk text"):
        list(connector.push(Kind.BUSINESS, [update("k1", {"name": "张三丰"})]))
    assert (tmp_path / "c.csv").read_bytes() == data

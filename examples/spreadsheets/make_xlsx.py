"""Write ``emergency_contacts.xlsx``, an emergency-contact sheet the way CRM exports look.

Run it from anywhere (``python examples/spreadsheets/make_xlsx.py``); it writes next to
itself. The output is byte-for-byte the same on every run, so the committed file can be
checked against it.

What the sheet holds, on purpose:

* a title row above the header (the reader finds the header by its column names);
* a phone stored as a number cell (``13800138201``), as Excel keeps a typed-in number;
* a phone stored as a floating-point number cell. Java-based exporters (Apache POI)
  write a double the way Java prints it, ``<v>1.3800138202E10</v>``, and a reader gets
  the float ``13800138202.0``: it must be read as its integer. openpyxl always writes an
  integral float as an integer, so the cell's XML is rewritten after saving;
* a phone as the text ``1.38E+10``: scientific notation already lost the last digits,
  and it must be refused as precision lost, never "repaired";
* full-width digits, ``0086`` and ``+86`` prefixes, ``是``/``否`` for yes/no, a
  response time written ``30分钟``, dates as date cells (local time in Asia/Shanghai);
* one malformed row: no role and no response-time limit, both required.

The names and numbers are made up (``13800138xxx``, ``@example.com``).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "emergency_contacts.xlsx"
SHEET = "紧急联系人"
TITLE = "紧急联系人记录（导出时间：2026-11-20 18:00）"
HEADER = [
    "客户编号", "姓名", "手机", "备用电话", "微信", "邮箱", "职务", "与客户关系",
    "优先级", "决策权", "响应时限(分钟)", "可联系时间", "上次复核", "复核人", "更新时间",
]  # fmt: skip
FLOAT_PHONE = 13800138202
ROWS: list[list[Any]] = [
    ["C101", "张某甲", 13800138201, "0086 138 0013 8211", "zhangjia_wx", "zhang.jia@example.com",
     "总经理", "法定代表人", 1, "是", 30, "周一至周五 08:00-20:00",
     datetime(2026, 10, 15, 10, 0), "王审核", datetime(2026, 10, 15, 10, 0)],
    ["C101", "刘某乙", FLOAT_PHONE, None, None, "liu.yi@example.com",
     "生产总监", "员工", 2, "是", 60, None,
     datetime(2026, 9, 1, 9, 0), "王审核", datetime(2026, 9, 1, 9, 0)],
    ["C101", "陈某丙", "1.38E+10", None, None, "chen.bing@example.com",
     "行政主管", "员工", 3, "否", 120, None,
     None, None, datetime(2026, 8, 3, 11, 20)],
    ["C102", "杨某丁", "１３８００１３８２０４", None, "yangding", None,
     "总经理", "实际控制人", 1, "是", "30分钟", None,
     datetime(2026, 11, 2, 15, 0), "李复核", datetime(2026, 11, 2, 15, 0)],
    ["C102", "黄某戊", "+86 138 0013 8205", None, None, "huang.wu@example.com",
     "法务总监", "员工", 2, "是", 45, None,
     None, None, datetime(2026, 7, 1, 9, 0)],
    ["C102", "吴某己", 13800138206, None, None, "wu.ji@example.com",
     None, "员工", 3, "否", None, None,
     None, None, datetime(2026, 7, 1, 9, 0)],
]  # fmt: skip

# Fixed stamps so that every run writes the same bytes.
STAMP = datetime(2026, 11, 20, 10, 0, 0)
ZIP_TIME = (2026, 11, 20, 10, 0, 0)


def build() -> bytes:
    """The workbook as openpyxl writes it, before the float cell is rewritten."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([TITLE])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    workbook.properties.creator = "contactsync examples"
    workbook.properties.created = STAMP
    workbook.properties.modified = STAMP
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite(package: bytes) -> bytes:
    """Write the float phone the way Java prints a double; make the zip reproducible."""
    source = zipfile.ZipFile(io.BytesIO(package))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = _float_cell(data)
            elif info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>2026-11-20T10:00:00Z\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return output.getvalue()


def _float_cell(sheet_xml: bytes) -> bytes:
    plain = f"<v>{FLOAT_PHONE}</v>".encode()
    java = f"<v>{FLOAT_PHONE / 1e10!r}E10</v>".encode()  # <v>1.3800138202E10</v>
    if sheet_xml.count(plain) != 1:
        raise SystemExit(f"expected the phone {FLOAT_PHONE} exactly once in the sheet")
    return sheet_xml.replace(plain, java)


def main() -> None:
    OUTPUT.write_bytes(rewrite(build()))
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()

"""Cell values: formula neutralisation, blank tests, and values made ready to write.

Formula injection: a spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@``
(and some also after a leading tab or carriage return). Every string we write that begins
with one of them is prefixed with ``'``; reading removes exactly that prefix, so
``+8613800138000`` round-trips unchanged. A string that already begins with quotes before a
trigger (``'=x``) gets one more quote, so it round-trips too.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
NEUTRALISER = "'"

# Characters the xlsx format cannot hold (XML 1.0 control characters); openpyxl refuses them.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX_CELL_CHARS = 32767
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


class CellError(ValueError):
    """A value that cannot be written to a cell of this file, and why."""


def _looks_like_formula(text: str) -> bool:
    return text.lstrip(NEUTRALISER)[:1] in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """``text`` as it must be written so that no spreadsheet runs it as a formula."""
    return NEUTRALISER + text if _looks_like_formula(text) else text


def unneutralise(value: Any) -> Any:
    """The value a neutralised cell stood for; every other value is returned as it is."""
    if isinstance(value, str) and value.startswith(NEUTRALISER) and _looks_like_formula(value):
        return value[1:]
    return value


def is_blank(value: Any) -> bool:
    """Whether a cell is empty (``None``, or a string of whitespace only)."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_blank_row(cells: list[Any]) -> bool:
    for cell in cells:  # a loop, not all(): most rows stop at their first cell
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            return False
    return True


def has_undecodable(text: Any) -> bool:
    """Whether ``text`` holds bytes the file's encoding could not decode.

    CSV files are read with ``errors="surrogateescape"``: an undecodable byte becomes a lone
    surrogate (U+DC80..U+DCFF), so one bad row is found and reported while the rest of the
    file loads, and writing the file back restores the original bytes.
    """
    return isinstance(text, str) and _ESCAPED_BYTE.search(text) is not None


def row_has_undecodable(cells: list[Any]) -> bool:
    """``has_undecodable`` for a whole row of text cells, in one pass."""
    return _ESCAPED_BYTE.search("\x1f".join(map(str, cells))) is not None


def key_text(value: Any) -> str:
    """The record id a key cell stands for (``""`` when the cell is empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed into Excel comes back as 1001.0
    return str(unneutralise(value)).strip()


def header_name(value: Any) -> str:
    """A header cell as a column name: text, surrounding whitespace removed."""
    if value is None:
        return ""
    return str(unneutralise(value)).strip()


def to_csv_text(value: Any, codec: str) -> str:
    """``value`` as the text of a CSV cell written in ``codec``.

    Raises:
        CellError: for a type a CSV cell cannot hold or text ``codec`` cannot encode.
    """
    text = _as_text(value)
    try:
        text.encode(codec)
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        raise CellError(f"{bad!r} cannot be written in {codec}") from None
    return text


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(f"{value!r} is not a number a spreadsheet can hold")
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise CellError(f"a {type(value).__name__} cannot be written to a cell")


def to_xlsx_value(value: Any) -> Any:
    """``value`` as openpyxl should store it in a cell.

    Raises:
        CellError: for a type or text the xlsx format cannot hold.
    """
    if value is None or isinstance(value, bool | int | Decimal):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(f"{value!r} is not a number a spreadsheet can hold")
        return value
    if isinstance(value, str):
        if _XLSX_ILLEGAL.search(value):
            raise CellError("control characters cannot be written to an xlsx cell")
        text = neutralise(value)  # openpyxl would otherwise store "=..." as a formula
        if len(text) > XLSX_MAX_CELL_CHARS:
            raise CellError(f"an xlsx cell holds at most {XLSX_MAX_CELL_CHARS} characters")
        return text
    if isinstance(value, datetime):
        # Excel has no time zones: an aware datetime is written as ISO text, zone kept.
        return value.isoformat() if value.tzinfo is not None else value
    if isinstance(value, time) and value.tzinfo is not None:
        return value.isoformat()
    if isinstance(value, date | time):
        return value
    raise CellError(f"a {type(value).__name__} cannot be written to a cell")

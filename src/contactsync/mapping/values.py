"""Text formats the converters read and write: numbers, durations, date-times, time windows
and personal names. Pure functions; each parser raises ``ValueError`` with a reason a person
can act on."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from contactsync.models import ALL_DAYS, TimeWindow

# ---------------------------------------------------------------------------------------
# empties and plain text
# ---------------------------------------------------------------------------------------


def is_empty(value: Any) -> bool:
    """``None``, ``""`` and whitespace-only text are empty cells."""
    return value is None or (isinstance(value, str) and not value.strip())


def folded(text: str) -> str:
    """The form two spellings of a code are compared in: NFKC, stripped, case-folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def known_zone(name: str) -> ZoneInfo:
    """The zone called ``name``; ``ValueError`` when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Asia" is a folder: OSError
        raise ValueError(f"unknown time zone {name!r}") from None


# ---------------------------------------------------------------------------------------
# numbers and durations
# ---------------------------------------------------------------------------------------

_MICROS = {"s": 10**6, "m": 60 * 10**6, "h": 3600 * 10**6, "d": 86400 * 10**6}
_UNIT_WORDS = {
    "s": ("s", "sec", "secs", "second", "seconds", "秒", "秒钟"),
    "m": ("m", "min", "mins", "minute", "minutes", "分", "分钟"),
    "h": ("h", "hr", "hrs", "hour", "hours", "时", "小时", "个小时"),
    "d": ("d", "day", "days", "天", "日"),
}
_UNIT_OF = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
_NUMBER_WITH_UNIT = re.compile(
    r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([^\d\s.]*)$"
)
_ISO_DURATION = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def to_decimal(value: Any) -> Decimal:
    """A number from an int, a float or numeric text (full-width digits allowed)."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a true/false value")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        try:
            number = Decimal(unicodedata.normalize("NFKC", value).strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"expected a number, got {type(value).__name__}")
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def to_whole(value: Any) -> int:
    """An integer from an int, an integral float or text such as ``"3"`` or ``"3.0"``."""
    number = to_decimal(value)
    if number != number.to_integral_value():
        raise ValueError(f"not a whole number: {value!r}")
    return int(number)


_UNIT_NAMES = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_LONGEST_MICROS = timedelta.max // timedelta(microseconds=1)


class DurationOutOfRange(ValueError):
    """A duration beyond what a ``timedelta`` holds (about 2.7 million years either way).

    Attributes:
        negative: whether it is that far below zero.
    """

    def __init__(self, negative: bool) -> None:
        super().__init__("a negative duration beyond range" if negative else "too long a duration")
        self.negative = negative


def shown(value: Any) -> str:
    """``value`` quoted for a message, or ``"the value"`` when it might be personal data.

    Short text with no ``@`` and fewer than seven digits cannot be a phone number or an
    e-mail address, so it is shown; anything else (a phone number typed into the wrong
    column) is not.
    """
    if isinstance(value, bool | int | float | Decimal):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        return "the value"
    if len(text) > 30 or "@" in text or sum(ch.isdigit() for ch in text) >= 7:
        return "the value"
    return repr(value)


def _micros(amount: Decimal, unit: str) -> int:
    """``amount`` of ``unit`` in whole microseconds (half to even).

    Raises:
        DurationOutOfRange: beyond what a ``timedelta`` holds.
    """
    # adjusted() first: multiplying 1e999999 would overflow the decimal context itself
    if amount.adjusted() > 24 or abs(amount * _MICROS[unit]) > _LONGEST_MICROS:
        raise DurationOutOfRange(amount < 0)
    return int((amount * _MICROS[unit]).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _duration(micros: int) -> timedelta:
    if abs(micros) > _LONGEST_MICROS:
        raise DurationOutOfRange(micros < 0)
    return timedelta(microseconds=micros)


def parse_duration(value: Any, default_unit: str) -> timedelta:
    """A duration from ISO 8601 (``PT15M``), a number in ``default_unit`` (``s``/``m``/``h``/
    ``d``) or a number with a unit (``30分钟``, ``2 hours``, ``1.5h``).

    Raises:
        DurationOutOfRange: for a duration beyond what a ``timedelta`` holds.
        ValueError: for anything else that is not a duration; the message shows the value
            only when it cannot be personal data (``shown``).
    """
    unit_name = _UNIT_NAMES[default_unit]
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a number of {unit_name}, got a true/false value")
    if isinstance(value, int | float | Decimal):
        try:
            amount = to_decimal(value)
        except ValueError:  # infinite or NaN
            raise ValueError(f"{value!r} is not a number of {unit_name}") from None
        return _duration(_micros(amount, default_unit))
    if not isinstance(value, str):
        raise ValueError(f"expected a number of {unit_name}, got {type(value).__name__}")
    text = unicodedata.normalize("NFKC", value).strip()
    iso = _ISO_DURATION.match(text.upper())
    if iso and text.upper() not in ("P", "PT") and not text.upper().endswith("T"):
        parts = {k: Decimal(v) for k, v in iso.groupdict().items() if v is not None}
        weeks = parts.pop("w", Decimal(0))
        total = _micros(weeks * 7, "d")
        for unit, amount in parts.items():
            total += _micros(amount, unit)
        return _duration(total)
    number = _NUMBER_WITH_UNIT.match(text)
    if number:
        word = number.group(2).casefold()
        named = _UNIT_OF.get(word) if word else default_unit
        if named is not None:
            return _duration(_micros(Decimal(number.group(1)), named))
    raise ValueError(
        f"{shown(value)} is not a number of {unit_name} "
        "(write e.g. 30, 30分钟, 2 hours or PT1H30M)"
    )


def format_iso_duration(value: timedelta) -> str:
    """``timedelta`` as ISO 8601: ``PT15M``, ``PT1H30M``, ``P1D``, ``PT0.5S``."""
    total = value // timedelta(microseconds=1)
    sign = "-" if total < 0 else ""
    days, rest = divmod(abs(total), _MICROS["d"])
    hours, rest = divmod(rest, _MICROS["h"])
    minutes, rest = divmod(rest, _MICROS["m"])
    seconds, micros = divmod(rest, _MICROS["s"])
    clock = ""
    if hours:
        clock += f"{hours}H"
    if minutes:
        clock += f"{minutes}M"
    if seconds or micros:
        clock += f"{seconds}.{micros:06d}".rstrip("0").rstrip(".") + "S"
    if not days and not clock:
        return "PT0S"
    return f"{sign}P" + (f"{days}D" if days else "") + (f"T{clock}" if clock else "")


def format_in_unit(value: timedelta, unit: str) -> int | float:
    """``timedelta`` as a number of ``unit``: an int when whole, else a float."""
    total = value // timedelta(microseconds=1)
    whole, rest = divmod(total, _MICROS[unit])
    return whole if not rest else total / _MICROS[unit]


# ---------------------------------------------------------------------------------------
# date-times
# ---------------------------------------------------------------------------------------

_TOLERATED_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


def parse_datetime(value: Any, *, fmt: str | None, zone: str | None) -> datetime:
    """An aware UTC date-time from a datetime, a date or text.

    Text is read with ``fmt`` (strptime) when given, else as ISO 8601 (``Z`` and offsets
    included). A value without an offset is taken to be in ``zone``; with no zone named it
    is refused, never guessed.
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        moment = _parse_datetime_text(value.strip(), fmt)
    else:
        raise ValueError(f"expected a date-time, got {type(value).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        if zone is None:
            raise ValueError(
                f"date-time {value!s} has no time zone and the mapping names none "
                "(set 'timezone' on the object or on the field)"
            )
        moment = moment.replace(tzinfo=known_zone(zone))
    return moment.astimezone(UTC)


def _parse_datetime_text(text: str, fmt: str | None) -> datetime:
    if fmt is not None:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            raise ValueError(f"date-time {text!r} does not match format {fmt!r}") from None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for candidate in _TOLERATED_FORMATS:
        try:
            return datetime.strptime(text, candidate)
        except ValueError:
            continue
    raise ValueError(f"not an ISO 8601 date-time: {text!r}")


def format_is_naive(fmt: str) -> bool:
    """Whether ``fmt`` writes no offset or zone (no ``%z`` / ``%Z``)."""
    return "%z" not in fmt and "%Z" not in fmt


def format_datetime(value: datetime, *, fmt: str | None, zone: str | None) -> str:
    """``value`` in ``zone`` (UTC when ``None``): ISO 8601 with ``Z`` for UTC, or ``fmt``."""
    local = value.astimezone(known_zone(zone) if zone else UTC)
    if fmt is not None:
        return local.strftime(fmt)
    text = local.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") and zone in (None, "UTC") else text


# ---------------------------------------------------------------------------------------
# time windows: "mon-fri 09:00-18:00 Asia/Shanghai; sat 10:00-12:00"
# ---------------------------------------------------------------------------------------

_DAY_WORDS: dict[str, tuple[str, ...]] = {
    "mon": ("mon", "monday", "周一", "星期一", "礼拜一"),
    "tue": ("tue", "tues", "tuesday", "周二", "星期二", "礼拜二"),
    "wed": ("wed", "wednesday", "周三", "星期三", "礼拜三"),
    "thu": ("thu", "thur", "thurs", "thursday", "周四", "星期四", "礼拜四"),
    "fri": ("fri", "friday", "周五", "星期五", "礼拜五"),
    "sat": ("sat", "saturday", "周六", "星期六", "礼拜六"),
    "sun": ("sun", "sunday", "周日", "周天", "星期日", "星期天", "礼拜日", "礼拜天"),
}
_DAY_OF = {word: day for day, words in _DAY_WORDS.items() for word in words}
_DAY_SETS = {
    "daily": ALL_DAYS, "everyday": ALL_DAYS, "*": ALL_DAYS, "每天": ALL_DAYS, "每日": ALL_DAYS,
    "weekdays": ALL_DAYS[:5], "工作日": ALL_DAYS[:5],
    "weekends": ALL_DAYS[5:], "周末": ALL_DAYS[5:],
}
_RANGE_DASH = r"\s*(?:-|~|–|—|至|到)\s*"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
_WINDOW = re.compile(rf"^(?:(?P<days>.*?)\s+)?(?P<start>{_CLOCK}){_RANGE_DASH}(?P<end>{_CLOCK})"
                     rf"(?:\s+(?P<tz>\S+))?$")
_WINDOW_SPLIT = re.compile(r"[;；\n]")
_DAY_ITEM_SPLIT = re.compile(r"[,，、]")
_DAY_RANGE = re.compile(rf"^(?P<a>[^\s\-~–—至到]+){_RANGE_DASH}(?P<b>[^\s\-~–—至到]+)$")


def parse_time_windows(text: str, default_tz: str) -> tuple[TimeWindow, ...]:
    """Windows separated by ``;``; each ``[days] HH:MM-HH:MM [zone]``; days omitted = every day."""
    windows = []
    for part in _WINDOW_SPLIT.split(unicodedata.normalize("NFKC", text)):
        part = part.strip()
        if part:
            windows.append(_parse_window(part, default_tz))
    return tuple(windows)


def _parse_window(text: str, default_tz: str) -> TimeWindow:
    match = _WINDOW.match(text)
    if match is None:
        raise ValueError(f"not a time window: {text!r} (write e.g. 'mon-fri 09:00-18:00')")
    days = _parse_days(match.group("days")) if match.group("days") else ALL_DAYS
    tz = match.group("tz") or default_tz
    known_zone(tz)
    return TimeWindow(
        days=days, start=_parse_clock(match.group("start")), end=_parse_clock(match.group("end")),
        tz=tz,
    )


def _parse_clock(text: str) -> time:
    head, _, fraction = text.partition(".")
    pieces = [int(p) for p in head.split(":")]
    hour, minute, second = pieces[0], pieces[1], pieces[2] if len(pieces) > 2 else 0
    if (hour, minute, second) == (24, 0, 0) and not fraction:
        return time(0, 0)  # "until midnight": an end before the start runs past midnight
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"not a time of day: {text!r}")
    return time(hour, minute, second, int(fraction.ljust(6, "0")) if fraction else 0)


def _parse_days(text: str) -> tuple[Any, ...]:
    days: list[str] = []
    for item in _DAY_ITEM_SPLIT.split(text.strip()):
        item = item.strip().casefold()
        if not item:
            continue
        if item in _DAY_SETS:
            days.extend(_DAY_SETS[item])
            continue
        span = _DAY_RANGE.match(item)
        if span is not None:
            first, last = _day(span.group("a")), _day(span.group("b"))
            i, j = ALL_DAYS.index(first), ALL_DAYS.index(last)
            count = (j - i) % 7 + 1
            days.extend(ALL_DAYS[(i + k) % 7] for k in range(count))
        else:
            days.append(_day(item))
    if not days:
        raise ValueError(f"no days in {text!r}")
    return tuple(days)


def _day(word: str) -> str:
    day = _DAY_OF.get(word.strip().casefold())
    if day is None:
        raise ValueError(f"not a day of the week: {word!r} (write mon, tue... or 周一...)")
    return day


def format_time_windows(windows: Sequence[TimeWindow]) -> str:
    """Windows as text ``parse_time_windows`` reads back unchanged."""
    return "; ".join(_format_window(w) for w in windows)


def _format_window(window: TimeWindow) -> str:
    if not window.days:
        raise ValueError("a time window with no days cannot be written as text")
    for moment in (window.start, window.end):
        if moment.tzinfo is not None:
            raise ValueError("a time window's start and end must be local times without offset")
    days = _format_days(window.days)
    clock = f"{_format_clock(window.start)}-{_format_clock(window.end)} {window.tz}"
    return f"{days} {clock}" if days else clock


def _format_days(days: tuple[str, ...]) -> str:
    if days == ALL_DAYS:
        return ""
    if len(days) >= 2:
        first = ALL_DAYS.index(days[0])
        run = tuple(ALL_DAYS[(first + k) % 7] for k in range(len(days)))
        if len(days) <= 7 and run == days:
            return f"{days[0]}-{days[-1]}"
    return ",".join(days)


def _format_clock(moment: time) -> str:
    if moment.microsecond:
        return moment.isoformat(timespec="microseconds")
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


# ---------------------------------------------------------------------------------------
# personal names
# ---------------------------------------------------------------------------------------

# Two-character Chinese surnames: without them 欧阳修 would split as 欧 + 阳修.
_COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
        "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里",
        "呼延", "单于", "太史", "申屠", "钟离", "闻人", "澹台", "公冶", "宗政", "濮阳",
        "淳于", "仲孙", "赫连", "万俟", "司空", "第五", "东郭", "左丘", "梁丘", "拓跋",
    }
)


def is_cjk(text: str) -> bool:
    """Whether every character of ``text`` is a CJK ideograph, kana or hangul."""
    return bool(text) and all(_cjk_char(ch) for ch in text)


def _cjk_char(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3FFFF or 0x3040 <= code <= 0x30FF or 0xAC00 <= code <= 0xD7AF
    )


def join_name(family: str | None, given: str | None) -> str | None:
    """The display name: family + given without a space when both are CJK, else given family."""
    parts = [p for p in (family, given) if p]
    if len(parts) < 2:
        return parts[0] if parts else None
    assert family is not None and given is not None
    if is_cjk(family) and is_cjk(given):
        return family + given
    return f"{given} {family}"


def split_name(name: str) -> tuple[str | None, str | None]:
    """``(family, given)`` from a display name; ``(name, None)`` when it cannot be split."""
    text = name.strip()
    if not text:
        return None, None
    if " " not in text and is_cjk(text):
        if len(text) >= 3 and text[:2] in _COMPOUND_SURNAMES:
            return text[:2], text[2:]
        if len(text) >= 2:
            return text[0], text[1:]
        return text, None
    words = text.split()
    if len(words) >= 2:
        if is_cjk(words[0]):
            return words[0], " ".join(words[1:])
        return words[-1], " ".join(words[:-1])
    for dot in ("·", "・", "•"):  # transliterated names: given·family
        if dot in text:
            given, _, family = text.rpartition(dot)
            return family, given
    return text, None

"""Phone numbers as people write them, to E.164 when (and only when) that is certain.

The rule that shapes everything here: a number is given an ``e164`` only when
``phonenumbers`` says it is valid *and* nothing had to be guessed to get there. When in
doubt the raw text is kept, ``e164`` stays ``None`` and ``problem`` says why, so a person
can fix the source; a wrong number that looks right would page the wrong person in a
crisis.

Decisions callers rely on:

* ``kind``: ``MOBILE`` and ``FIXED_LINE`` map to mobile and fixed; every other type,
  including ``FIXED_LINE_OR_MOBILE`` (all of North America), is unknown.
* ``extension`` holds the extension's digits only (``"123"``), never the marker; ``e164``
  never includes it. An extension read from a number that is not valid is still given.
* ``+``, ``00`` and ``0086``-style prefixes are international whatever the region; the
  region's own international prefix (``011`` in the US, ``0011`` in Australia) works too.
  When the two readings of a ``00`` prefix give two different valid numbers, neither is
  taken.
* A float, or a string such as ``13800138000.0``, is read as its integer only when it
  is exact: not in scientific notation, a whole number, below 2**53, and not ending in
  five or more zeros (what a number rounded by scientific notation looks like:
  ``1.38E+10`` is ``13800000000.0``). Otherwise the problem is "precision lost".
* A number written without its area code (a 7 or 8 digit Chinese landline, a 7 digit US
  number) is refused: which city it belongs to is a guess.
* If the number's own dialling rules would add a digit the input does not hold
  (Argentina's ``15`` mobile prefix becomes ``9``), it is refused: the result must be
  made of the input's digits, in order.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberType, ValidationResult

from contactsync.models import Phone, PhoneKind
from contactsync.normalize.keys import remove_invisible

DEFAULT_REGION = "CN"

PRECISION_LOST = "precision lost"

# Exactly representable integers stop at 2**53; a float beyond may not be the number.
_MAX_EXACT_FLOAT = 2**53

# A float that ends in this many zeros is most likely a number rounded for display in
# scientific notation (Excel shows 13800138000 as 1.38E+10 and a CSV export keeps that).
_ROUNDED_ZEROS = 5

# Subscriber numbers written without their area code, which phonenumbers may still
# accept as something else (``2096806`` reads as Guangzhou's 96806 service line). Chinese
# subscriber numbers have 7 or 8 digits and never start with 0 or 1.
_SUBSCRIBER_ONLY: dict[str, re.Pattern[str]] = {"CN": re.compile(r"[2-9]\d{6,7}")}

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_FLOAT_TEXT = re.compile(r"^(\d+)\.(0{1,2})$")
_EXCEL_TEXT_FORMULA = re.compile(r'^=\s*"(.*)"$')

# Extension markers, read after NFKC (so ＃ and ｅｘｔ are already plain).
_EXTENSION = re.compile(
    r"^(?P<main>.*?)\s*"
    r"(?:转分机|轉分機|分机号|分機號|分机|分機|转|轉|extension|ext\.?|x|#)"
    r"\s*[:.]?\s*(?P<ext>\d{1,10})$",
    re.IGNORECASE,
)
_TRAILING_DASH_EXTENSION = re.compile(r"^(?P<main>.*\d\)?)\s*-\s*(?P<ext>\d{1,6})$")

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−﹘ー", "-"))
_SEPARATORS = frozenset(" -.()[]{}【】〔〕")
_LIST_SEPARATORS = frozenset(",;/、|")


@dataclass(frozen=True)
class _Reading:
    """Either a valid number or the reason there is none."""

    number: PhoneNumber | None
    problem: str | None


def phone_region(*candidates: str | None, default: str = DEFAULT_REGION) -> str:
    """The region to read a contact's phones in: the first candidate given, upper-cased.

    Pass the most specific first: the contact's country, the customer's country, the
    system's region. ``None`` and blank candidates are skipped; ``default`` is last.
    """
    for candidate in candidates:
        if candidate and candidate.strip():
            return candidate.strip().upper()
    return default.strip().upper()


def normalize_phone(raw: str | int | float, region: str = DEFAULT_REGION) -> Phone:
    """Read one phone number; never raises, never guesses.

    Args:
        raw: the value as the source held it: text, or a spreadsheet's numeric cell.
        region: ISO 3166-1 alpha-2 code (any case) to read national numbers in.

    Returns:
        A ``Phone`` that always keeps ``raw`` as text; ``e164`` set only when certain,
        otherwise ``problem`` says why.
    """
    region = (region or "").strip().upper()
    if isinstance(raw, float):
        return _from_float(raw, region)
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw < 0:
            return _refused(str(raw), "negative number")
        return _from_digits(str(raw), str(raw), region)
    return _from_text(str(raw), region)


# ---------------------------------------------------------------------------------------
# the three ways in
# ---------------------------------------------------------------------------------------


def _from_float(value: float, region: str) -> Phone:
    raw = repr(value)
    if not math.isfinite(value):
        return _refused(raw, "not a number")
    if not value.is_integer() or abs(value) >= _MAX_EXACT_FLOAT:
        return _refused(raw, PRECISION_LOST)
    if value < 0:
        return _refused(raw, "negative number")
    return _from_float_digits(raw, str(int(value)), region)


def _from_float_digits(raw: str, digits: str, region: str) -> Phone:
    if len(digits) - len(digits.rstrip("0")) >= _ROUNDED_ZEROS:
        return _refused(raw, f"{PRECISION_LOST} (looks rounded by scientific notation)")
    return _from_digits(raw, digits, region)


def _from_text(raw: str, region: str) -> Phone:
    text = _clean(raw)
    if not text:
        return _refused(raw, "empty")
    compact = "".join(text.split())
    if _SCIENTIFIC.match(compact):
        return _refused(raw, f"{PRECISION_LOST} (scientific notation)")
    as_float = _FLOAT_TEXT.match(compact)
    if as_float:
        # "13800138000.0": a number that went through a float on its way here.
        return _from_float_digits(raw, as_float.group(1), region)

    main, extension = text, None
    marked = _EXTENSION.match(text)
    if marked:
        main, extension = marked.group("main"), marked.group("ext")
        if not main.strip():
            return _refused(raw, "no number before the extension", _ascii_digits(extension))
    plus, digits, problem = _digits_of(main)
    if problem:
        return _refused(raw, problem, _ascii_digits(extension))
    reading = _read(plus, digits, region)
    if reading.number is None and extension is None:
        # "010-62345678-123": a complete number, then its extension after a dash. The
        # whole is tried first, so "138-0013-8000" stays one number.
        dashed = _TRAILING_DASH_EXTENSION.match(main.strip())
        if dashed:
            head_plus, head_digits, head_problem = _digits_of(dashed.group("main"))
            head = _read(head_plus, head_digits, region)
            if head_problem is None and head.number is not None:
                reading, extension = head, dashed.group("ext")
    return _phone(raw, reading, _ascii_digits(extension))


def _from_digits(raw: str, digits: str, region: str) -> Phone:
    return _phone(raw, _read(False, digits, region), None)


# ---------------------------------------------------------------------------------------
# text to digits
# ---------------------------------------------------------------------------------------


def _clean(raw: str) -> str:
    """NFKC, invisible characters dropped, dashes unified, spreadsheet quoting undone."""
    text = unicodedata.normalize("NFKC", remove_invisible(raw)).translate(_DASHES).strip()
    formula = _EXCEL_TEXT_FORMULA.match(text)  # ="0105551234" keeps a leading zero in CSV
    if formula:
        text = formula.group(1).strip()
    if text.startswith("'"):  # Excel's "store as text" apostrophe
        text = text[1:].strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


def _ascii_digits(text: str | None) -> str | None:
    if text is None:
        return None
    return "".join(str(unicodedata.decimal(ch)) for ch in text)


def _digits_of(main: str) -> tuple[bool, str, str | None]:
    """``(has_plus, digits, problem)`` for the number part of the text."""
    plus = False
    digits: list[str] = []
    for ch in main:
        if ch.isdecimal():
            digits.append(str(unicodedata.decimal(ch)))
        elif ch == "+":
            if plus or digits:
                return False, "", "'+' in the middle of the number"
            plus = True
        elif ch in _SEPARATORS or ch.isspace():
            continue
        elif ch in _LIST_SEPARATORS:
            return False, "", "several numbers in one value"
        elif unicodedata.category(ch).startswith("L"):
            return False, "", "contains letters"
        else:
            return False, "", f"unexpected character {ch!r}"
    if not digits:
        return False, "", "no digits"
    return plus, "".join(digits), None


# ---------------------------------------------------------------------------------------
# digits to a number
# ---------------------------------------------------------------------------------------


def _read(plus: bool, digits: str, region: str) -> _Reading:
    if plus:
        return _checked(_parse("+" + digits, None), digits)
    known_region = region in phonenumbers.SUPPORTED_REGIONS
    if digits.startswith("00"):
        international = _checked(_parse("+" + digits[2:], None), digits)
        if not known_region:
            return international
        native = _checked(_parse(digits, region), digits)  # the region's own prefix
        if international.number is None:
            return native if native.number is not None else international
        if native.number is not None and native.number != international.number:
            return _Reading(None, "ambiguous international prefix")
        return international
    if not known_region:
        return _Reading(None, f"unknown region {region!r}; write the number with its country code")
    parsed = _parse(digits, region)  # parsed once: the local check and the reading share it
    valid = isinstance(parsed, PhoneNumber) and phonenumbers.is_valid_number(parsed)  # and this
    if _is_local(digits, region, parsed, valid):
        return _Reading(None, "local number with no area code")
    return _checked(parsed, digits, region, valid)


def _is_local(
    digits: str, region: str, number: PhoneNumber | str, valid: bool | None = None
) -> bool:
    """Whether national ``digits`` (parsed as ``number``) lack their area code.

    ``valid``: ``phonenumbers.is_valid_number(number)`` when the caller has it already.
    """
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return False
    trunk = metadata.national_prefix
    if trunk and digits.startswith(trunk):
        return False
    subscriber = _SUBSCRIBER_ONLY.get(region)
    if subscriber is not None and subscriber.fullmatch(digits):
        return True
    return (
        isinstance(number, PhoneNumber)
        and not (phonenumbers.is_valid_number(number) if valid is None else valid)
        and phonenumbers.is_possible_number_with_reason(number)
        == ValidationResult.IS_POSSIBLE_LOCAL_ONLY
    )


def _parse(text: str, region: str | None) -> PhoneNumber | str:
    """The parsed number, or a problem when phonenumbers cannot parse it at all."""
    try:
        return phonenumbers.parse(text, region)
    except NumberParseException as exc:
        return {
            NumberParseException.INVALID_COUNTRY_CODE: "unknown country code",
            NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
            NumberParseException.TOO_SHORT_NSN: "too short",
            NumberParseException.TOO_LONG: "too long",
        }.get(exc.error_type, "not a phone number")


def _checked(
    parsed: PhoneNumber | str, digits: str, region: str | None = None, valid: bool | None = None
) -> _Reading:
    """``parsed`` as a reading; ``valid`` is ``is_valid_number(parsed)`` when known."""
    if isinstance(parsed, str):
        return _Reading(None, parsed)
    if not (phonenumbers.is_valid_number(parsed) if valid is None else valid):
        return _Reading(None, _invalid_reason(parsed, region))
    if not _in_order(phonenumbers.national_significant_number(parsed), digits):
        return _Reading(
            None, "the number's dialling rules change its digits; write it as +country code…"
        )
    return _Reading(parsed, None)


def _invalid_reason(number: PhoneNumber, region: str | None) -> str:
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return "unknown country code"
    if reason == ValidationResult.TOO_SHORT:
        return "too short"
    if reason == ValidationResult.TOO_LONG:
        return "too long"
    if reason == ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
        return "local number with no area code"
    where = region or phonenumbers.region_code_for_country_code(number.country_code or 0)
    return f"not a valid {where} number"


def _in_order(needle: str, haystack: str) -> bool:
    """Whether the digits of ``needle`` all appear in ``haystack``, in order."""
    rest = iter(haystack)
    return all(ch in rest for ch in needle)


# ---------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------

_KINDS = {
    PhoneNumberType.MOBILE: PhoneKind.MOBILE,
    PhoneNumberType.FIXED_LINE: PhoneKind.FIXED,
}


def _phone(raw: str, reading: _Reading, extension: str | None) -> Phone:
    if reading.number is None:
        return _refused(raw, reading.problem or "not a valid number", extension)
    number = reading.number
    return Phone(
        raw=raw,
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        extension=extension,
        kind=_KINDS.get(phonenumbers.number_type(number), PhoneKind.UNKNOWN),
    )


def _refused(raw: str, problem: str, extension: str | None = None) -> Phone:
    return Phone(raw=raw, extension=extension, problem=problem)

"""normalize_phone and phone_region: one table row per rule, refused cases included."""

from __future__ import annotations

import phonenumbers
import pytest

from contactsync.models import PhoneKind
from contactsync.normalize import PRECISION_LOST, normalize_phone, phone_region

MOBILE = "+8613800138000"
BEIJING = "+861062345678"

# (raw, region, e164, extension)
ACCEPTED: list[tuple[str | int | float, str, str, str | None]] = [
    # plain and separated
    ("13800138000", "CN", MOBILE, None),
    ("138 0013 8000", "CN", MOBILE, None),
    ("138-0013-8000", "CN", MOBILE, None),  # dashes inside a number are not an extension
    ("138.0013.8000", "CN", MOBILE, None),
    ("138.00138000", "CN", MOBILE, None),
    ("(010)62345678", "CN", BEIJING, None),
    ("（010）6234-5678", "CN", BEIJING, None),
    ("[010] 6234 5678", "CN", BEIJING, None),
    ("【010】62345678", "CN", BEIJING, None),
    ("010—6234—5678", "CN", BEIJING, None),  # em dashes
    ("010－6234－5678", "CN", BEIJING, None),  # full-width hyphen-minus
    ("138 0013 8000\r\n", "CN", MOBILE, None),
    ("13800138000", "cn", MOBILE, None),  # region in any case
    # full-width digits and punctuation
    ("１３８００１３８０００", "CN", MOBILE, None),
    ("＋８６ １３８ ００１３ ８０００", "CN", MOBILE, None),
    ("（０１０）６２３４５６７８", "CN", BEIJING, None),
    # invisible characters from copy and paste
    ("\u3000138 0013 8000", "CN", MOBILE, None),
    ("\u200b13800138000", "CN", MOBILE, None),
    ("138\u200c0013\u200d8000", "CN", MOBILE, None),
    ("\ufeff13800138000", "CN", MOBILE, None),
    ("138\u00a00013\u00a08000", "CN", MOBILE, None),
    ("138\u20600013\u20608000", "CN", MOBILE, None),
    ("\u200e+86 138 0013 8000\u200f", "CN", MOBILE, None),
    ("\u2066138 0013 8000\u2069", "CN", MOBILE, None),
    ("138\u00ad0013\u00ad8000", "CN", MOBILE, None),
    # international prefixes, whatever the region
    ("+86 138 0013 8000", "CN", MOBILE, None),
    ("+86 138 0013 8000", "US", MOBILE, None),
    ("0086 138 0013 8000", "CN", MOBILE, None),
    ("0086 138 0013 8000", "US", MOBILE, None),
    ("00 86 10 6234 5678", "GB", BEIJING, None),
    ("0086-10-62345678", "DE", BEIJING, None),
    ("+86 (0)10 6234 5678", "CN", BEIJING, None),
    ("(+86) 138 0013 8000", "CN", MOBILE, None),
    ("8613800138000", "CN", MOBILE, None),
    ("011 86 138 0013 8000", "US", MOBILE, None),  # the region's own prefix
    ("0011 86 138 0013 8000", "AU", MOBILE, None),
    ("+8613800138000", "XX", MOBILE, None),  # unknown region, but the number says where
    ("+1 202-555-0123", "CN", "+12025550123", None),
    ("(202) 555-0123", "US", "+12025550123", None),
    # extensions
    ("010-62345678转123", "CN", BEIJING, "123"),
    ("010-62345678 转 123", "CN", BEIJING, "123"),
    ("010-62345678轉123", "CN", BEIJING, "123"),
    ("010-62345678分机123", "CN", BEIJING, "123"),
    ("010-62345678 分机号：8", "CN", BEIJING, "8"),
    ("010-62345678转分机0123", "CN", BEIJING, "0123"),
    ("010 6234 5678 ext 12", "CN", BEIJING, "12"),
    ("010 6234 5678 ext. 12", "CN", BEIJING, "12"),
    ("010 6234 5678 EXT.12", "CN", BEIJING, "12"),
    ("010 6234 5678 extension 12", "CN", BEIJING, "12"),
    ("010 6234 5678 x12", "CN", BEIJING, "12"),
    ("010 6234 5678 X 12", "CN", BEIJING, "12"),
    ("010 6234 5678#12", "CN", BEIJING, "12"),
    ("010 6234 5678 ＃１２", "CN", BEIJING, "12"),
    ("+86 10 6234 5678 转 ８８", "CN", BEIJING, "88"),
    ("010-62345678-123", "CN", BEIJING, "123"),
    ("010-6234-5678-12", "CN", BEIJING, "12"),
    ("+86-10-6234-5678-9", "CN", BEIJING, "9"),
    # numbers that went through a spreadsheet
    (13800138000, "CN", MOBILE, None),
    (1062345678, "CN", BEIJING, None),  # a numeric cell lost the trunk 0
    (8613800138000, "CN", MOBILE, None),
    (13800138000.0, "CN", MOBILE, None),
    ("13800138000.0", "CN", MOBILE, None),
    ("13800138000.00", "CN", MOBILE, None),
    ("'13800138000", "CN", MOBILE, None),  # Excel's store-as-text apostrophe
    ('="01062345678"', "CN", BEIJING, None),  # CSV formula keeping a leading zero
    ('"13800138000"', "CN", MOBILE, None),
]


@pytest.mark.parametrize(("raw", "region", "e164", "extension"), ACCEPTED)
def test_accepted_numbers_give_e164(
    raw: str | int | float, region: str, e164: str, extension: str | None
) -> None:
    phone = normalize_phone(raw, region)
    assert phone.e164 == e164, phone.problem
    assert phone.extension == extension
    assert phone.problem is None
    assert phone.raw == str(raw)


# (raw, region, words the problem must contain)
REFUSED: list[tuple[str | int | float, str, str]] = [
    # empty
    ("", "CN", "empty"),
    ("   ", "CN", "empty"),
    ("\u3000\u200b\ufeff", "CN", "empty"),
    ("\t\r\n", "CN", "empty"),
    # scientific notation: the digits are gone
    ("1.38E+10", "CN", PRECISION_LOST),
    ("1.38e+10", "CN", PRECISION_LOST),
    ("1.3800138E10", "CN", PRECISION_LOST),
    ("１．３８Ｅ＋１０", "CN", PRECISION_LOST),
    (" 1,38E+10 ", "CN", PRECISION_LOST),
    (1.38e10, "CN", PRECISION_LOST),  # == 13800000000.0: what 1.38E+10 reads back as
    (13800138000.5, "CN", PRECISION_LOST),
    (1e17, "CN", PRECISION_LOST),  # repr is 1e+17
    (float(2**53 + 2), "CN", PRECISION_LOST),  # too large to be exact
    ("13800000000.0", "CN", PRECISION_LOST),
    (float("nan"), "CN", "not a number"),
    (float("inf"), "CN", "not a number"),
    # local numbers without an area code
    ("55123456", "CN", "no area code"),
    ("5512345", "CN", "no area code"),
    ("5512 3456", "CN", "no area code"),
    (5500002, "CN", "no area code"),
    (55123456, "CN", "no area code"),
    (5500002.0, "CN", "no area code"),
    ("2096806", "CN", "no area code"),  # phonenumbers alone would call it a service line
    ("555-0123", "US", "no area code"),
    # letters
    ("abc", "CN", "letters"),
    ("138abc0013", "CN", "letters"),
    ("tel 13800138000", "CN", "letters"),
    ("13800138000（张三）", "CN", "letters"),
    ("ext", "CN", "letters"),
    ("138 0013 8000 ext", "CN", "letters"),
    ("138 0013 8000 ext abc", "CN", "letters"),
    # several numbers, stray characters, misplaced plus
    ("13800138000/13900139000", "CN", "several numbers"),
    ("13800138000、13900139000", "CN", "several numbers"),
    ("13800138000; 13900139000", "CN", "several numbers"),
    ("138*0013*8000", "CN", "unexpected character"),
    ("+86+13800138000", "CN", "'+'"),
    ("138+00138000", "CN", "'+'"),
    ("--", "CN", "no digits"),
    ("转123", "CN", "no number before the extension"),
    # numbers that are not valid
    ("13800138", "CN", "not a valid CN number"),
    ("1380013800.0", "CN", "not a valid CN number"),  # float artifact of a short number
    ("123", "CN", "too short"),
    ("1" * 30, "CN", "too long"),
    ("010-62345678-1234567", "CN", "too long"),
    ("+999 123 456", "CN", "unknown country code"),
    ("13800138000", "XX", "unknown region"),
    ("13800138000", "", "unknown region"),
    ("13800138000", "US", "not a valid US number"),
    (-13800138000, "CN", "negative"),
    (-13800138000.0, "CN", "negative"),
    # dialling rules that would add a digit the input does not hold (Argentina's 15 → 9)
    ("+54 11 15 2345 6789", "CN", "dialling rules"),
    ("011 15 2345 6789", "AR", "dialling rules"),
]


@pytest.mark.parametrize(("raw", "region", "problem"), REFUSED)
def test_refused_numbers_keep_raw_and_say_why(
    raw: str | int | float, region: str, problem: str
) -> None:
    phone = normalize_phone(raw, region)
    assert phone.e164 is None
    assert phone.problem is not None
    assert problem.lower() in phone.problem.lower()
    assert phone.raw == str(raw)
    assert phone.kind is PhoneKind.UNKNOWN


def test_a_00_prefix_with_two_valid_readings_is_refused() -> None:
    # From Hong Kong 009 is an international prefix, so 009 1 202... is the US; read as
    # 00 + 91 it is India. Both are valid numbers: neither may be picked.
    digits = "00912025550123"
    as_hong_kong = phonenumbers.parse(digits, "HK")
    as_00 = phonenumbers.parse("+" + digits[2:], None)
    assert phonenumbers.is_valid_number(as_hong_kong)
    assert phonenumbers.is_valid_number(as_00)
    assert as_hong_kong != as_00

    phone = normalize_phone("009 1 202 555 0123", "HK")
    assert phone.e164 is None
    assert phone.problem == "ambiguous international prefix"


def test_the_region_own_prefix_is_used_when_00_alone_reads_nothing() -> None:
    # Australia dials out with 0011: "+11 86..." is nothing, so the native reading wins.
    assert normalize_phone("0011 86 138 0013 8000", "AU").e164 == MOBILE


@pytest.mark.parametrize(
    ("raw", "region", "kind"),
    [
        ("13800138000", "CN", PhoneKind.MOBILE),
        ("010 6234 5678", "CN", PhoneKind.FIXED),
        ("+44 20 7946 0958", "CN", PhoneKind.FIXED),
        ("+44 7400 123456", "CN", PhoneKind.MOBILE),
        # North American numbers are FIXED_LINE_OR_MOBILE: not known which
        ("+1 202 555 0123", "CN", PhoneKind.UNKNOWN),
        # a toll-free number is neither
        ("400 810 8888", "CN", PhoneKind.UNKNOWN),
    ],
)
def test_kind(raw: str, region: str, kind: PhoneKind) -> None:
    phone = normalize_phone(raw, region)
    assert phone.e164 is not None, phone.problem
    assert phone.kind is kind


def test_raw_of_a_number_is_its_natural_text() -> None:
    assert normalize_phone(13800138000).raw == "13800138000"
    assert normalize_phone(13800138000.0).raw == "13800138000.0"
    assert normalize_phone(1.38e10).raw == "13800000000.0"
    assert normalize_phone(1e17).raw == "1e+17"
    assert normalize_phone("\u3000１３８\u200b").raw == "\u3000１３８\u200b"


def test_region_defaults_to_china() -> None:
    assert normalize_phone("13800138000").e164 == MOBILE
    assert normalize_phone("6502530000").e164 is None
    assert normalize_phone("6502530000", "US").e164 == "+16502530000"


def test_an_extension_is_given_even_when_the_number_is_not_valid() -> None:
    phone = normalize_phone("55123456 转 12")
    assert phone.e164 is None
    assert phone.extension == "12"
    assert phone.problem == "local number with no area code"


def test_match_key_of_a_normalised_number_carries_its_extension() -> None:
    assert normalize_phone("010-62345678转123").match_key == BEIJING + ";ext=123"
    assert normalize_phone("(010) 6234 5678").match_key == BEIJING


@pytest.mark.parametrize(
    ("candidates", "default", "region"),
    [
        (("us", "CN", "GB"), "CN", "US"),
        ((None, "hk", "GB"), "CN", "HK"),
        ((None, "", "  ", "gb"), "CN", "GB"),
        ((" de ",), "CN", "DE"),
        ((None, None), "CN", "CN"),
        ((), "sg", "SG"),
        ((None, ""), "CN", "CN"),
    ],
)
def test_phone_region_takes_the_first_known(
    candidates: tuple[str | None, ...], default: str, region: str
) -> None:
    assert phone_region(*candidates, default=default) == region


def test_phone_region_default_is_china() -> None:
    assert phone_region(None, None) == "CN"


def test_the_region_from_phone_region_reads_the_contact_country() -> None:
    contact_country, customer_country = "us", "CN"
    region = phone_region(contact_country, customer_country)
    assert normalize_phone("(650) 253-0000", region).e164 == "+16502530000"
    assert normalize_phone("(650) 253-0000", phone_region(None, customer_country)).e164 is None

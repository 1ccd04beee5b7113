"""Property tests: what holds for every input, not only the ones in the tables."""

from __future__ import annotations

import string
import unicodedata

import phonenumbers
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contactsync.normalize import email_key, name_key, normalize_email, normalize_phone

# No deadline: these assert what the functions return, never how fast.
# At least 300 examples; more when the active profile asks for more.
relaxed = settings(deadline=None, max_examples=max(300, settings().max_examples))

# ---------------------------------------------------------------------------------------
# (a) one Chinese number, written every way people write it, gives one E.164
# ---------------------------------------------------------------------------------------

MOBILE_PREFIXES = ("130", "133", "135", "138", "139", "150", "158", "166", "177", "186", "199")
MOBILE_GROUPS = ((3, 4, 4), (3, 8), (11,), (4, 3, 4), (3, 3, 5))
LOCAL_GROUPS = ((8,), (4, 4))
SEPARATORS = ("", " ", "  ", "-", ".", "\u3000", "－", "—", "\u00a0")
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u200e", "\u200f", "\u00ad")
# Regions whose own international prefix cannot be read into "0086..." (see the HK case
# in test_normalize_phone: there 008 is an international prefix of its own).
WRITER_REGIONS = ("CN", "cn", "US", "GB", "DE", "FR", "JP", "AU", "CA", "RU")
FULL_WIDTH = {ch: chr(ord(ch) + 0xFEE0) for ch in "0123456789+()"}


def _digits(count: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=count, max_size=count)


def _split(digits: str, sizes: tuple[int, ...]) -> list[str]:
    parts: list[str] = []
    start = 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    return parts


@st.composite
def written_cn_numbers(draw: st.DrawFn) -> tuple[str, str, str]:
    """``(text, region, expected e164)`` for a valid mobile or Beijing/Shanghai number."""
    prefix = draw(st.sampled_from(("+86", "0086", "00 86", "(+86)", "+86 (0)", "")))
    if draw(st.booleans()):
        nsn = draw(st.sampled_from(MOBILE_PREFIXES)) + draw(_digits(8))
        assume(prefix != "+86 (0)")  # nobody writes a trunk 0 before a mobile
        groups = _split(nsn, draw(st.sampled_from(MOBILE_GROUPS)))
    else:
        area = draw(st.sampled_from(("10", "21")))
        local = draw(st.sampled_from("2345678")) + draw(_digits(7))
        nsn = area + local
        area_text = area if prefix else "0" + area
        if draw(st.booleans()):
            area_text = draw(st.sampled_from(("({})", "（{}）", "[{}]"))).format(area_text)
        groups = [area_text, *_split(local, draw(st.sampled_from(LOCAL_GROUPS)))]
    assume(phonenumbers.is_valid_number(phonenumbers.parse("+86" + nsn)))

    pieces = [prefix, *groups] if prefix else groups
    text = pieces[0]
    for piece in pieces[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + piece
    widths = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(
        FULL_WIDTH.get(ch, ch) if wide else ch for ch, wide in zip(text, widths, strict=True)
    )
    inserts = draw(
        st.lists(
            st.tuples(st.integers(0, len(text)), st.sampled_from((*INVISIBLE, "\u3000"))),
            max_size=4,
        )
    )
    for position, invisible in sorted(inserts, reverse=True):
        text = text[:position] + invisible + text[position:]
    region = "CN" if not prefix else draw(st.sampled_from(WRITER_REGIONS))
    return text, region, "+86" + nsn


@relaxed
@given(written_cn_numbers())
def test_every_writing_of_a_cn_number_gives_its_e164(case: tuple[str, str, str]) -> None:
    text, region, e164 = case
    phone = normalize_phone(text, region)
    assert phone.e164 == e164, phone.problem
    assert phone.extension is None
    assert phone.raw == text


# ---------------------------------------------------------------------------------------
# (b) for any input: no exception, raw kept, and no number made up
# ---------------------------------------------------------------------------------------

PHONE_ALPHABET = "0123456789０１２３４５６７８９+＋-. ()（）转#x\u3000\u200b"
phone_like_text = st.one_of(
    st.text(alphabet=PHONE_ALPHABET, max_size=24),
    st.builds(
        str.__add__,
        st.sampled_from(("", "+", "00", "+1", "+44", "+54", "+86", "0086", "0", "011")),
        st.text(alphabet="0123456789 -", max_size=16),
    ),
)
any_region = st.sampled_from(("CN", "cn", "US", "GB", "HK", "AR", "DE", "AU", "XX", ""))


def _input_digits(text: str) -> str:
    normalized = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(ch)) for ch in normalized if ch.isdecimal())


def _in_order(needle: str, haystack: str) -> bool:
    position = 0
    for ch in needle:
        position = haystack.find(ch, position) + 1
        if position == 0:
            return False
    return True


def _assert_made_of_input(e164: str, digits: str) -> None:
    number = phonenumbers.parse(e164, None)
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == e164
    assert _in_order(phonenumbers.national_significant_number(number), digits)


@relaxed
@given(st.one_of(st.text(), phone_like_text), any_region)
def test_any_text_is_read_without_raising_or_inventing(text: str, region: str) -> None:
    phone = normalize_phone(text, region)
    assert phone.raw == text
    if phone.e164 is None:
        assert phone.problem
    else:
        assert phone.problem is None
        _assert_made_of_input(phone.e164, _input_digits(text))


@relaxed
@given(
    st.one_of(
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=10**9, max_value=10**13).map(float),
    ),
    any_region,
)
def test_any_number_is_read_without_raising_or_inventing(value: int | float, region: str) -> None:
    phone = normalize_phone(value, region)
    assert phone.raw == str(value)
    if phone.e164 is not None:
        if isinstance(value, float):
            assert value.is_integer() and abs(value) < 2**53
        _assert_made_of_input(phone.e164, str(int(value)))


@st.composite
def valid_numbers_with_junk(draw: st.DrawFn) -> str:
    """A valid number's writing with arbitrary characters slipped in: often still valid."""
    text, _, _ = draw(written_cn_numbers())
    for _ in range(draw(st.integers(0, 2))):
        position = draw(st.integers(0, len(text)))
        text = text[:position] + draw(st.text(min_size=1, max_size=2)) + text[position:]
    return text


@relaxed
@given(valid_numbers_with_junk(), any_region)
def test_valid_numbers_with_junk_are_never_made_up(text: str, region: str) -> None:
    phone = normalize_phone(text, region)
    assert phone.raw == text
    if phone.e164 is not None:
        _assert_made_of_input(phone.e164, _input_digits(text))


# ---------------------------------------------------------------------------------------
# (c) keys: idempotent, and blind to the differences they exist to ignore
# ---------------------------------------------------------------------------------------

NAME_LETTERS = st.one_of(
    st.sampled_from(string.ascii_letters),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x3041, max_codepoint=0x3096),
)
name_parts = st.lists(
    st.text(alphabet=NAME_LETTERS, min_size=1, max_size=6), min_size=1, max_size=4
)
MIDDLE_DOT_VARIANTS = (
    "\u00b7",
    "\u30fb",
    "\uff65",
    "\u2022",
    "\u2027",
    "\u2219",
    "\u22c5",
    "\u0387",
    "\u318d",
    "\u16eb",
    "\u2e31",
    "\uff0e",
    "\u3002",
    "\uff61",
)
whitespace_runs = st.text(alphabet=" \t\n\u3000\u00a0\u2003", min_size=1, max_size=4)


@relaxed
@given(st.text())
def test_name_key_is_idempotent(name: str) -> None:
    key = name_key(name)
    assert name_key(key) == key


@relaxed
@given(name_parts, st.lists(st.sampled_from(MIDDLE_DOT_VARIANTS), min_size=3, max_size=3))
def test_name_key_ignores_which_middle_dot(parts: list[str], dots: list[str]) -> None:
    plain = "\u00b7".join(parts)
    varied = parts[0]
    for index, part in enumerate(parts[1:]):
        varied += dots[index % len(dots)] + part
    assert name_key(varied) == name_key(plain)


@relaxed
@given(name_parts, st.lists(whitespace_runs, min_size=5, max_size=5))
def test_name_key_ignores_whitespace_runs(words: list[str], runs: list[str]) -> None:
    single = " ".join(words)
    spaced = runs[0] + "".join(word + runs[index + 1] for index, word in enumerate(words))
    assert name_key(spaced) == name_key(single)
    assert not name_key(spaced).startswith(" ") and not name_key(spaced).endswith(" ")


@relaxed
@given(st.one_of(st.text(), st.emails()))
def test_email_key_is_idempotent(email: str) -> None:
    key = email_key(email)
    assert email_key(key) == key
    assert email_key(normalize_email(email)) == key


@relaxed
@given(st.emails(), st.lists(st.booleans(), min_size=64, max_size=64))
def test_email_key_ignores_case_and_width(email: str, flips: list[bool]) -> None:
    varied = "".join(
        ch.swapcase() if flips[index % len(flips)] else ch for index, ch in enumerate(email)
    )
    wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in varied)
    assert email_key(varied) == email_key(email)
    assert email_key(wide) == email_key(email)

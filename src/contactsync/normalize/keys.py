"""Match keys for names and e-mail addresses, and the text clean-up they share.

A key is only for matching: the value shown and stored stays as the source wrote it.
"""

from __future__ import annotations

import re
import unicodedata

import idna

from contactsync.models.text import INVISIBLE_LETTERS, is_invisible


def remove_invisible(text: str) -> str:
    """``text`` without invisible characters; whitespace is kept for the caller to judge.

    Invisible is what copy and paste leaves in cells: every format character (category
    Cf: zero-width space/joiners, LRM/RLM, word joiner, BOM, soft hyphen, bidi controls)
    and the Hangul fillers, as ``contactsync.models.text`` defines them for stored text.
    A key is only for matching, so control characters other than whitespace go too (the
    models refuse them in stored names).
    """
    # The common case: a printable string holds no format or control character, so
    # only the Hangul fillers (letters, so printable) can be there to remove.
    if text.isprintable() and (text.isascii() or INVISIBLE_LETTERS.isdisjoint(text)):
        return text
    return "".join(
        ch
        for ch in text
        if not (
            is_invisible(ch) or (unicodedata.category(ch) == "Cc" and not ch.isspace())
        )
    )


# ---------------------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------------------

MIDDLE_DOT = "\u00b7"

# Characters people type for the dot between the parts of a transliterated name
# (阿沛·阿旺晋美, 买买提·艾力). Mapped before NFKC, which would turn U+318D into a
# conjoining jamo.
_MIDDLE_DOTS = frozenset(
    "\u00b7"  # MIDDLE DOT
    "\u0387"  # GREEK ANO TELEIA
    "\u30fb"  # KATAKANA MIDDLE DOT
    "\uff65"  # HALFWIDTH KATAKANA MIDDLE DOT
    "\u2022"  # BULLET
    "\u2027"  # HYPHENATION POINT
    "\u2219"  # BULLET OPERATOR
    "\u22c5"  # DOT OPERATOR
    "\u318d"  # HANGUL LETTER ARAEA
    "\u16eb"  # RUNIC SINGLE PUNCTUATION
    "\u2e31"  # WORD SEPARATOR MIDDLE DOT
)

# Full stops that stand in for the middle dot only when they sit between two letters:
# full-width, ideographic, half-width ideographic and small full stops. Read before NFKC,
# which would turn the first and last into an ASCII period.
_STOP_BETWEEN_LETTERS = re.compile(r"(?<=[^\W\d_])\s*[\uff0e\u3002\uff61\ufe52]\s*(?=[^\W\d_])")

_WHITESPACE_RUN = re.compile(r"\s+")

_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul jamo (NFKC turns compatibility jamo into these)
    (0x2E80, 0x2FDF),  # CJK radicals, Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # hiragana, katakana
    (0x3100, 0x312F),  # bopomofo
    (0x3130, 0x318F),  # Hangul compatibility jamo
    (0x31F0, 0x31FF),  # katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _join_cjk(text: str) -> str:
    """Drop single spaces between two CJK characters ("张 己" is "张己")."""
    out: list[str] = []
    for index, ch in enumerate(text):
        if (
            ch == " "
            and 0 < index < len(text) - 1
            and _is_cjk(text[index - 1])
            and _is_cjk(text[index + 1])
        ):
            continue
        out.append(ch)
    return "".join(out)


def _unify_dots(text: str) -> str:
    return "".join(MIDDLE_DOT if ch in _MIDDLE_DOTS else ch for ch in text)


def _cjk_periods(text: str) -> str:
    chars = list(text)
    # An ASCII period between two CJK characters is a middle dot typed on a keyboard
    # that has none (买买提.艾力); between Latin letters it is an initial (J.Smith).
    for index in range(1, len(chars) - 1):
        if chars[index] == "." and _is_cjk(chars[index - 1]) and _is_cjk(chars[index + 1]):
            chars[index] = MIDDLE_DOT
    return "".join(chars)


def _name_key_once(name: str) -> str:
    text = remove_invisible(name)
    text = _STOP_BETWEEN_LETTERS.sub(MIDDLE_DOT, text)
    text = unicodedata.normalize("NFKC", _unify_dots(text))
    text = _WHITESPACE_RUN.sub(" ", text).strip()
    text = _cjk_periods(text)
    text = text.replace(f" {MIDDLE_DOT}", MIDDLE_DOT).replace(f"{MIDDLE_DOT} ", MIDDLE_DOT)
    text = _join_cjk(text)
    return unicodedata.normalize("NFKC", text.casefold())


def name_key(name: str) -> str:
    """The key two spellings of one person's name share.

    NFKC; invisible characters dropped; whitespace runs made one space and trimmed; the
    space between two CJK characters dropped; every middle-dot variant (and a full-width
    or ideographic full stop between letters, or a period between CJK characters) made
    U+00B7, with no space around it; then case-folded.

    Never raises; the display name itself is the caller's to keep as written.
    """
    key = _name_key_once(name)
    # Case folding can leave text that NFKC composes differently; settle on the fixed
    # point so that the key of a key is the key.
    for _ in range(3):
        again = _name_key_once(key)
        if again == key:
            break
        key = again
    return key


# ---------------------------------------------------------------------------------------
# e-mail addresses
# ---------------------------------------------------------------------------------------

# Label separators IDNA accepts besides the full stop (NFKC has already turned U+FF0E
# into "." and U+FF61 into U+3002).
_DOMAIN_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})

_LOCAL_ASCII_OK = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~."
)
_LDH_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def _ascii_label(label: str) -> str:
    """One domain label in its ASCII (punycode) form; left as it is when IDNA refuses it."""
    if label.isascii():
        return label.lower()
    try:
        return idna.encode(label, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return label.lower()


def _normalize_domain(domain: str) -> str:
    domain = domain.strip().translate(_DOMAIN_DOTS).rstrip(".")
    return ".".join(_ascii_label(label) for label in domain.split("."))


def normalize_email(email: str) -> str:
    """``email`` cleaned for storage: the local part as written, the domain canonical.

    NFKC (full-width letters and ＠); invisible characters dropped; trimmed; the domain
    lowercased and IDNA-encoded to its ASCII form (``例子.中国`` → ``xn--fsqu00a.xn--fiqs8s``).
    Best effort: junk comes back cleaned, never as an exception.
    """
    text = unicodedata.normalize("NFKC", remove_invisible(email)).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    return f"{local}@{_normalize_domain(domain)}"


def email_key(email: str) -> str:
    """The match key of an address: :func:`normalize_email`, case-folded whole."""
    key = normalize_email(email).casefold()
    for _ in range(3):  # see name_key: settle on the fixed point
        again = normalize_email(key).casefold()
        if again == key:
            break
        key = again
    return key


def _local_problem(local: str) -> str | None:
    if not local:
        return "nothing before the @"
    if len(local.encode("utf-8", "surrogatepass")) > 64:
        return "the part before the @ is longer than 64 bytes"
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        return None  # a quoted local part may hold almost anything
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "misplaced dot before the @"
    for ch in local:
        if ch.isascii() and ch not in _LOCAL_ASCII_OK:
            return f"character {ch!r} is not allowed before the @"
    return None


def _domain_problem(domain: str) -> str | None:
    if not domain:
        return "no domain after the @"
    if domain.startswith("[") and domain.endswith("]"):
        return None  # an address literal such as [192.0.2.1]
    labels = domain.split(".")
    if len(labels) < 2:
        return "the domain has no dot"
    if any(not label for label in labels):
        return "empty label in the domain"
    for label in labels:
        if not label.isascii():
            return f"the domain label {label!r} is not a valid internationalised name"
        if not _LDH_LABEL.match(label):
            return f"the domain label {label!r} is not valid"
    if labels[-1].isdigit():
        return "the domain ends in a number"
    if len(domain) > 253:
        return "the domain is longer than 253 characters"
    return None


def email_problem(email: str) -> str | None:
    """Why ``email`` is not a usable address, or ``None`` when it is.

    Judged on :func:`normalize_email`'s result, so full-width characters and stray
    invisible characters are not held against it.
    """
    return _problem_of_normalized(normalize_email(email))


def checked_email(email: str) -> tuple[str, str | None]:
    """:func:`normalize_email` and :func:`email_problem` of ``email``, normalized once."""
    text = normalize_email(email)
    return text, _problem_of_normalized(text)


def _problem_of_normalized(text: str) -> str | None:
    if not text:
        return "empty"
    ats = text.count("@")
    if ats > 1 and any(sep in text for sep in ",;"):
        return "several addresses in one value"
    local, _, domain = text.rpartition("@")
    quoted = len(local) >= 2 and local.startswith('"') and local.endswith('"')
    if any(ch.isspace() for ch in (domain if quoted else text)):
        return "contains spaces"
    if ats == 0:
        return "no @"
    if ats > 1 and not quoted:
        return "more than one @"
    return _local_problem(local) or _domain_problem(domain)

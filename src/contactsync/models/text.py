"""Free text as people type and paste it: the one clean-up every name-like field shares.

What spreadsheets and CRMs hand over is not always what a person typed. The rules, in
order, for names, roles, titles, departments and the other free-text fields:

* Invisible characters go: every format character (category Cf: zero-width space and
  joiners, LRM/RLM, word joiner, BOM, soft hyphen, bidi controls) and the Hangul fillers,
  which render as nothing. These are what copy and paste leaves behind (the phone and
  name keys in ``contactsync.normalize`` drop the same ones).
* Whitespace is folded: a tab, a line break, any other space character (the ideographic
  space U+3000, a no-break space) or a run of them becomes one ordinary space, and the
  ends are trimmed: 山田　太郎 is 山田 太郎. Which space a person typed carries no meaning,
  and vendors that store a name in parts join them with an ordinary space, so any other
  choice would change the name on its way back and plan an update on every run.
* Any other control character is refused: C0 (U+0000-U+001F), DEL, C1 (U+0080-U+009F),
  including the information separators and NEL that Python counts as whitespace. Such a
  character is a broken export or an escape sequence, never part of a name, and guessing
  what it stood for would put a corrupted value into every connected system. (A lone
  surrogate never gets this far: pydantic refuses it as not a valid string.)

Letters, marks, punctuation and symbols are kept as written: CJK names, middle dots
(· ・), apostrophes and hyphens are untouched.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

# Letters that render as nothing: HANGUL CHOSEONG/JUNGSEONG FILLER, HANGUL FILLER and
# HALFWIDTH HANGUL FILLER.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")

# The control characters that are whitespace a person meant: tab, line feed, vertical tab,
# form feed, carriage return. Every other control character is refused.
_FOLDED_CONTROLS = frozenset("\t\n\v\f\r")

_WHITESPACE_RUN = re.compile(r"\s+")


def is_invisible(ch: str) -> bool:
    """Whether ``ch`` is a character that renders as nothing (format or Hangul filler)."""
    return ch in INVISIBLE_LETTERS or unicodedata.category(ch) == "Cf"


def forbidden_character(text: str) -> tuple[int, str] | None:
    """The position and character of the first character free text may not hold, or
    ``None``: a control character other than tab, line feed, VT, form feed and CR."""
    if text.isprintable():  # the common case: no control character is printable
        return None
    for index, ch in enumerate(text):
        if unicodedata.category(ch) == "Cc" and ch not in _FOLDED_CONTROLS:
            return index, ch
    return None


def _nothing_to_clean(value: str) -> bool:
    """Whether ``value`` holds nothing to drop or fold but spaces at its ends (most text).

    A printable string holds no format character (category Cf) and no whitespace but
    U+0020 (every other whitespace character is a control or a separator, which are not
    printable), so only the Hangul fillers and runs of spaces are left to look for. The
    text comes back as the same object, which lets equal values be shared.
    """
    return (
        value.isprintable()
        and "  " not in value
        and (value.isascii() or INVISIBLE_LETTERS.isdisjoint(value))
    )


def _fold(run: re.Match[str]) -> str:
    return " "


def clean_text(value: str) -> str:
    """``value`` with invisible characters dropped and whitespace folded (see above).

    Raises:
        ValueError: for a control character, naming its code point and position (never
            the value itself, which may be personal data).
    """
    bad = forbidden_character(value)
    if bad is not None:
        index, ch = bad
        raise ValueError(
            f"contains a control character, U+{ord(ch):04X}, at position {index + 1}; "
            "remove it in the source"
        )
    if _nothing_to_clean(value):
        return value.strip()
    text = "".join(ch for ch in value if not is_invisible(ch))
    return _WHITESPACE_RUN.sub(_fold, text).strip()


def _required(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


Text = Annotated[str, AfterValidator(clean_text)]
"""Free text (a name part, a relationship, a reviewer): cleaned as the module says."""

RequiredText = Annotated[
    str, Field(min_length=1), AfterValidator(clean_text), AfterValidator(_required)
]
"""Free text that must hold something visible once cleaned (a name, a role, a title)."""

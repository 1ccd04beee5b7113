"""The canonical phone number."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import model_validator

from contactsync.models.common import Frozen

# E.164 allows 15 digits, but phonenumbers accepts some longer national numbers (Germany's
# run to 15 digits after +49): its own limits, 3 + 17, are the bound here.
_E164 = re.compile(r"\+[1-9][0-9]{1,19}")
_EXTENSION = re.compile(r"[0-9]+")


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    FIXED = "fixed"
    UNKNOWN = "unknown"


class Phone(Frozen):
    """A phone number as written and, when certain, in E.164.

    Attributes:
        raw: exactly what the source held; always kept.
        e164: ``+8613800138000``; set only when the number is certainly valid.
        extension: digits of an extension, without the marker (转, ext, #...).
        kind: mobile, fixed line, or unknown.
        problem: why ``e164`` is ``None`` (empty when it is set).
    """

    raw: str
    e164: str | None = None
    extension: str | None = None
    kind: PhoneKind = PhoneKind.UNKNOWN
    problem: str | None = None

    @model_validator(mode="after")
    def _problem_explains_missing_e164(self) -> Phone:
        if self.e164 is None:
            if not self.problem or not self.problem.strip():
                raise ValueError("a phone without e164 must say why in 'problem'")
        else:
            if not _E164.fullmatch(self.e164):
                raise ValueError(
                    f"e164 must be '+' and the digits of the number, country code first: "
                    f"{self.e164!r}"
                )
            if self.problem:
                raise ValueError("a phone with e164 has no 'problem': it was read with certainty")
        if self.extension is not None and not _EXTENSION.fullmatch(self.extension):
            raise ValueError(f"extension must be digits only: {self.extension!r}")
        return self

    @property
    def match_key(self) -> str | None:
        """The key two records match on: E.164 plus extension, or nothing."""
        if self.e164 is None:
            return None
        return f"{self.e164};ext={self.extension}" if self.extension else self.e164

    @property
    def compare_key(self) -> str:
        """What decides whether two values of this phone differ (formatting does not)."""
        return self.match_key or "raw:" + "".join(ch for ch in self.raw if not ch.isspace())

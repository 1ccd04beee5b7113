"""The canonical phone number."""

from __future__ import annotations

from enum import StrEnum

from pydantic import model_validator

from contactsync.models.common import Frozen


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
        if self.e164 is None and not self.problem:
            raise ValueError("a phone without e164 must say why in 'problem'")
        if self.e164 is not None and not self.e164.startswith("+"):
            raise ValueError(f"e164 must start with '+': {self.e164!r}")
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

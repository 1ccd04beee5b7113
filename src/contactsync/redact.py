"""Masking of personal data in logs, reports and findings (DESIGN invariant 6)."""

from __future__ import annotations

import re
from typing import Any

_DIGITS = re.compile(r"\d")
_EMAIL = re.compile(r"([^\s@]+)@([^\s@]+)")
# A run of 7+ digits with phone punctuation, not inside a word, an id or a date.
_PHONE_LIKE = re.compile(r"(?<![\w\-.:])\+?\d[\d \-().]{5,}\d(?![\w\-:])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LONGEST_PHONE = 15
"""E.164 numbers have at most 15 digits: an unbroken run of more is an id (Zoho's record
ids are 19 digits), and masking it would hide which record a finding is about."""


def mask_phone(text: str) -> str:
    """Keep the last four digits: ``+*********8000``."""
    digits = [i for i, ch in enumerate(text) if ch.isdigit()]
    keep = set(digits[-4:])
    return "".join("*" if i in digits and i not in keep else ch for i, ch in enumerate(text))


def mask_email(text: str) -> str:
    """Keep the first character and the domain: ``z***@example.com``."""
    return _EMAIL.sub(lambda m: f"{m.group(1)[:1]}***@{m.group(2)}", text)


def mask_text(text: str) -> str:
    """Mask every e-mail address and phone-like run of digits in free text."""
    return _PHONE_LIKE.sub(_mask_match, mask_email(text))


def _mask_match(match: re.Match[str]) -> str:
    found = match.group(0)
    if _DATE.fullmatch(found) or sum(ch.isdigit() for ch in found) < 7:
        return found
    if found.isdigit() and len(found) > _LONGEST_PHONE:
        return found
    return mask_phone(found)


def mask_value(field: str, value: Any) -> Any:
    """A field value safe to show in a report: phones, e-mails and WeChat ids masked."""
    if value is None:
        return None
    if field == "phones" and isinstance(value, list):
        return [mask_phone(_phone_text(item)) for item in value]
    if field == "email" and isinstance(value, str):
        return mask_email(value)
    if field == "wechat_id" and isinstance(value, str):
        return value[:2] + "***" if len(value) > 2 else "***"
    return value


def _phone_text(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("e164") or item.get("raw") or "")
    return str(item)

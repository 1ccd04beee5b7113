"""The personal data tests may hold: fake names, phone numbers and e-mail addresses.

Everything the kit generates comes from here, the cassette scrubbers replace real values
with these, and the cassette guard accepts only these. The allowed fakes are:

* e-mail addresses at the domains reserved for examples (RFC 2606 / RFC 6761):
  ``example.com``, ``example.net``, ``example.org`` and anything under ``.example``,
  ``.test``, ``.invalid`` or ``.localhost``;
* phone numbers in the fiction blocks: the ``+86 138 0013 8xxx`` block that contactsync's
  fixtures use, the North American ``NXX-555-01xx`` range and the UK ``07700 900xxx`` range;
* names from ``FAKE_NAMES``.

Fakes are stable: ``fake_phone(x)`` is the same for the same ``x`` on every run, so a
scrubbed cassette still matches the requests a test sends.
"""

from __future__ import annotations

import hashlib
import re

FAKE_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
FAKE_EMAIL_SUFFIXES = (".example", ".test", ".invalid", ".localhost")

FAKE_PHONE_PREFIX_CN = "+8613800138"
"""``+86 138 0013 8000`` to ``+86 138 0013 8999``: contactsync's fake mobile block."""

_FAKE_E164 = (
    re.compile(r"\+8613800138\d{3}"),
    re.compile(r"\+1[2-9]\d{2}55501\d{2}"),  # NANP fiction range 555-0100..0199
    re.compile(r"\+447700900\d{3}"),  # Ofcom drama numbers
)

FAKE_NAMES = (
    "测试甲",
    "测试乙",
    "测试丙",
    "测试丁",
    "样例戊",
    "样例己",
    "样例庚",
    "样例辛",
    "王测试",
    "李样例",
    "张示例",
    "赵演示",
    "Alex Example",
    "Sam Sample",
    "Jo Placeholder",
    "Pat Fixture",
)
"""Display names tests and scrubbed cassettes use."""


def _digest(value: str) -> int:
    return int.from_bytes(hashlib.sha256(value.encode("utf-8")).digest()[:8], "big")


def is_fake_email(address: str) -> bool:
    """Whether ``address`` is at a domain reserved for examples."""
    domain = address.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    return (
        domain in FAKE_EMAIL_DOMAINS
        or domain.endswith(FAKE_EMAIL_SUFFIXES)
        or any(domain.endswith("." + reserved) for reserved in FAKE_EMAIL_DOMAINS)
    )


def digits_e164(text: str, default_country: str = "86") -> str:
    """A phone number's digits in E.164 form, as well as can be told without a parser:
    ``+`` kept, ``00`` taken for ``+``, a leading national ``0`` or a bare 11-digit mobile
    taken as ``default_country``."""
    digits = re.sub(r"\D", "", text)
    stripped = text.strip()
    if stripped.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return f"+{default_country}{digits[1:]}"
    return f"+{default_country}{digits}"


def is_fake_phone(text: str) -> bool:
    """Whether ``text`` is a number in one of the fiction blocks (any formatting)."""
    e164 = digits_e164(text)
    return any(pattern.fullmatch(e164) for pattern in _FAKE_E164)


def fake_email(real: str) -> str:
    """A stable fake for ``real`` (a fake is returned unchanged)."""
    if is_fake_email(real):
        return real
    return f"person{_digest(real.lower()) % 100000:05d}@example.com"


def fake_phone(real: str) -> str:
    """A stable fake in the ``+86 138 0013 8xxx`` block (a fake is returned unchanged).

    Written with ``+`` when ``real`` was, as a bare 11-digit mobile otherwise.
    """
    if is_fake_phone(real):
        return real
    tail = f"{_digest(re.sub(r'[^0-9+]', '', real)) % 1000:03d}"
    if real.strip().startswith("+"):
        return FAKE_PHONE_PREFIX_CN + tail
    return FAKE_PHONE_PREFIX_CN[3:] + tail


def is_fake_name(value: str) -> bool:
    """Whether ``value`` is one of ``FAKE_NAMES`` or a part of one (a family or given name)."""
    text = value.strip()
    return bool(text) and any(text in name for name in FAKE_NAMES)


def fake_name(real: str) -> str:
    """A stable fake display name (a fake, or a part of one, is returned unchanged)."""
    if not real.strip() or is_fake_name(real):
        return real
    return FAKE_NAMES[_digest(real) % len(FAKE_NAMES)]


def sample_phone(index: int) -> str:
    """The ``index``-th fake mobile in E.164 (``+8613800138000`` + index, mod 1000)."""
    return f"{FAKE_PHONE_PREFIX_CN}{index % 1000:03d}"


__all__ = [
    "FAKE_EMAIL_DOMAINS",
    "FAKE_NAMES",
    "FAKE_PHONE_PREFIX_CN",
    "digits_e164",
    "fake_email",
    "fake_name",
    "fake_phone",
    "is_fake_email",
    "is_fake_name",
    "is_fake_phone",
    "sample_phone",
]

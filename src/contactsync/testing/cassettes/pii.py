"""Finding secrets and personal data in text: shared by the scrubbers and the guard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

from contactsync.testing.fakes import is_fake_email, is_fake_phone

REDACTED = "<redacted>"
"""What a scrubbed secret reads as; the guard accepts it (and an empty value)."""

SECRET_KEYS = frozenset(
    {
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "clientsecret",
        "password",
        "passwd",
        "secret",
        "apikey",
        "sessionid",
        "securitytoken",
        "assertion",
        "token",
        "authorization",
        "proxyauthorization",
        "cookie",
        "setcookie",
        "xapikey",
        "xsfdcsession",
        "privatekey",
        "clientassertion",
    }
)
"""Field, parameter and header names (normalised by ``norm_key``) whose value is a secret."""

NAME_KEYS = frozenset(
    {
        "name",
        "fullname",
        "firstname",
        "lastname",
        "givenname",
        "familyname",
        "middlename",
        "displayname",
        "contactname",
        "personname",
        "reviewedby",
        "owner",
        "ownername",
    }
)
"""Field names (normalised) whose value is a person's name."""

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
BEARER = re.compile(r"(?i)\b(bearer|zoho-oauthtoken|oauth)\s+([A-Za-z0-9\-._~+/!]{6,}=*)")
JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
SALESFORCE_SESSION = re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}")
SALESFORCE_ORG_ID = re.compile(r"\b00D[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?\b")
SALESFORCE_INSTANCE = re.compile(
    r"https://(?!example\.)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:salesforce|force|salesforce-setup)\.com"
)
FAKE_ORG_ID = "00D000000000000AAA"
FAKE_INSTANCE = "https://example.my.salesforce.com"


def norm_key(key: str) -> str:
    """``Access-Token``, ``access_token`` and ``accessToken`` all read ``accesstoken``."""
    return re.sub(r"[^a-z0-9]", "", key.lower())


def is_secret_key(key: str) -> bool:
    return norm_key(key) in SECRET_KEYS


def is_redacted(value: str) -> bool:
    text = value.strip()
    return text in ("", REDACTED) or text.endswith(" " + REDACTED)


@dataclass(frozen=True)
class Found:
    """A span of text: where it is and what it holds."""

    start: int
    end: int
    text: str


def phones(text: str, region: str = "CN") -> Iterator[Found]:
    """Phone numbers written in ``text`` (valid ones, as libphonenumber reads them)."""
    if not any(ch.isdigit() for ch in text):
        return
    for match in phonenumbers.PhoneNumberMatcher(
        text, region, leniency=phonenumbers.Leniency.VALID
    ):
        yield Found(match.start, match.end, match.raw_string)


def real_phones(text: str) -> Iterator[Found]:
    """The phone numbers in ``text`` that are not fakes."""
    for found in phones(text):
        if not _fake_number(found.text):
            yield found


def _fake_number(raw: str) -> bool:
    if is_fake_phone(raw):
        return True
    for region in ("CN", "US", "GB"):
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        if is_fake_phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)):
            return True
    return False


def real_emails(text: str) -> Iterator[Found]:
    for match in EMAIL.finditer(text):
        if not is_fake_email(match.group(0)):
            yield Found(match.start(), match.end(), match.group(0))


def mask(secret: str) -> str:
    """Enough of ``secret`` to find it, never all of it (for messages)."""
    text = secret.strip()
    return (text[:4] + "…") if len(text) > 6 else "…"

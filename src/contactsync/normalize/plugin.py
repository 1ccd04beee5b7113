"""The built-in normalizers, registered as a default plugin.

Each implementation is ``trylast``: a third-party plugin that answers first replaces it
for the values it handles, and one that returns ``None`` leaves them to these.
"""

from __future__ import annotations

from contactsync.models import Phone
from contactsync.normalize.keys import email_key, name_key
from contactsync.normalize.phone import normalize_phone
from contactsync.plugins import hookimpl


@hookimpl(trylast=True)
def contactsync_normalize_phone(raw: str, region: str) -> Phone:
    """The built-in phone reader: :func:`contactsync.normalize.normalize_phone`."""
    return normalize_phone(raw, region)


@hookimpl(trylast=True)
def contactsync_name_key(name: str) -> str:
    """The built-in name key: :func:`contactsync.normalize.name_key`."""
    return name_key(name)


@hookimpl(trylast=True)
def contactsync_email_key(email: str) -> str:
    """The built-in e-mail key: :func:`contactsync.normalize.email_key`."""
    return email_key(email)

"""Normalization of phones, names and e-mails (each a default plugin).

Call these directly for the built-in behaviour, or through ``PluginHost`` to let plugins
replace or extend it (``contactsync.normalize.plugin``).
"""

from contactsync.normalize.keys import (
    MIDDLE_DOT,
    checked_email,
    email_key,
    email_problem,
    name_key,
    normalize_email,
)
from contactsync.normalize.phone import (
    DEFAULT_REGION,
    PRECISION_LOST,
    normalize_phone,
    phone_region,
)

__all__ = [
    "DEFAULT_REGION",
    "MIDDLE_DOT",
    "PRECISION_LOST",
    "checked_email",
    "email_key",
    "email_problem",
    "name_key",
    "normalize_email",
    "normalize_phone",
    "phone_region",
]

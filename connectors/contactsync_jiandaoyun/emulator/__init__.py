"""An emulator of the Jiandaoyun open API v5 subset the connector uses, for tests.

``JiandaoyunEmulator`` is a WSGI app (serve it with ``contactsync.testing.emulator.serve``
on 127.0.0.1); ``standard_forms`` are the emergency, business and customer forms of the
documented set-up; ``api_error(8303)`` is the API's error answer, for fault scripts.
``tests/connectors/jiandaoyun/test_jiandaoyun_emulator_fidelity.py`` checks it against the
published examples in ``shared/fixtures/real/cn/jiandaoyun``.
"""

from contactsync_jiandaoyun.emulator.app import (
    ERROR_MESSAGES,
    MAX_BATCH,
    TEST_API_KEY,
    JiandaoyunEmulator,
    api_error,
)
from contactsync_jiandaoyun.emulator.forms import (
    API_USER,
    APP_ID,
    BUSINESS_ENTRY,
    BUSINESS_FIELDS,
    CUSTOMER_ENTRY,
    CUSTOMER_FIELDS,
    EMERGENCY_ENTRY,
    EMERGENCY_FIELDS,
    FormDef,
    WidgetDef,
    standard_forms,
)

__all__ = [
    "API_USER",
    "APP_ID",
    "BUSINESS_ENTRY",
    "BUSINESS_FIELDS",
    "CUSTOMER_ENTRY",
    "CUSTOMER_FIELDS",
    "EMERGENCY_ENTRY",
    "EMERGENCY_FIELDS",
    "ERROR_MESSAGES",
    "MAX_BATCH",
    "TEST_API_KEY",
    "FormDef",
    "JiandaoyunEmulator",
    "WidgetDef",
    "api_error",
    "standard_forms",
]

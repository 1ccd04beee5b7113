"""contactsync: keep emergency and business contacts consistent across CRMs.

The public API; see README.md for a tour.
"""

from contactsync.config import Config, load_config
from contactsync.errors import (
    AuthError,
    ConfigError,
    ContactsyncError,
    InvariantViolation,
    QuotaExhausted,
    RecordRejected,
    RetryableError,
    StalePlan,
)
from contactsync.models import (
    BusinessContact,
    Channel,
    Contact,
    CustomerRef,
    EmergencyContact,
    Kind,
    Phone,
    TimeWindow,
)
from contactsync.plugins import PluginHost, hookimpl

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "BusinessContact",
    "Channel",
    "Config",
    "ConfigError",
    "Contact",
    "ContactsyncError",
    "CustomerRef",
    "EmergencyContact",
    "InvariantViolation",
    "Kind",
    "Phone",
    "PluginHost",
    "QuotaExhausted",
    "RecordRejected",
    "RetryableError",
    "StalePlan",
    "TimeWindow",
    "__version__",
    "hookimpl",
    "load_config",
]

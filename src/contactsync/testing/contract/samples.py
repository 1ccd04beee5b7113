"""Sample contacts for the contract suite: every canonical field set, deterministic, fake.

Each sample fills every field of its kind, with values that vary from one sample to the
next (every ``contact_type``, every channel, several priorities and intervals), so that a
round trip through a mapping and a store shows any field it loses. Names, phones and
e-mails come from ``contactsync.testing.fakes``.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from contactsync.mapping.values import split_name
from contactsync.models import (
    BusinessContact,
    Channel,
    ContactType,
    EmergencyContact,
    Kind,
    Phone,
    PhoneKind,
    TimeWindow,
)
from contactsync.testing.fakes import FAKE_NAMES, sample_phone

AnyContact = EmergencyContact | BusinessContact

_ROLES = ("总经理", "安全总监", "法务负责人", "生产主管")
_TITLES = ("采购经理", "技术总监", "财务主管", "客服专员", "项目经理")
_DEPARTMENTS = ("采购部", "技术部", "财务部", "客服部", "项目部")
_CHANNELS = tuple(Channel)
_TYPES = tuple(ContactType)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def sample_key(kind: Kind, prefix: str, index: int) -> str:
    """The contactsync key of a sample: ``cs-<prefix>-<kind>-<index>``."""
    return f"cs-{prefix}-{kind.value}-{index:04d}"


def _common(kind: Kind, prefix: str, index: int) -> dict[str, object]:
    name = FAKE_NAMES[index % len(FAKE_NAMES)]
    family, given = split_name(name)
    phones = [
        Phone(raw=sample_phone(index * 2), e164=sample_phone(index * 2), kind=PhoneKind.MOBILE)
    ]
    if index % 2:
        second = sample_phone(index * 2 + 1)
        phones.append(Phone(raw=second, e164=second, kind=PhoneKind.MOBILE))
    return {
        "key": sample_key(kind, prefix, index),
        "customer": f"C{index % 3 + 1:03d}",
        "name": name,
        "family_name": family if given else None,
        "given_name": given,
        "phones": tuple(phones),
        "email": f"contact{index:04d}@example.com",
        "wechat_id": f"wx_test_{index:04d}",
        "country": "CN",
        "updated_at": datetime(2026, 1, 2, 8, index % 60, tzinfo=UTC),
    }


def sample_emergency(prefix: str, index: int) -> EmergencyContact:
    return EmergencyContact.model_validate(
        {
            **_common(Kind.EMERGENCY, prefix, index),
            "role": _ROLES[index % len(_ROLES)],
            "relationship": "员工" if index % 2 else "法定代表人",
            "priority": index % 3 + 1,
            "decision_authority": index % 2 == 0,
            "response_time_limit": timedelta(hours=index % 3 + 1),
            "contactable_hours": (
                TimeWindow(days=_WEEKDAYS, start=time(9, 0), end=time(18, 0), tz="Asia/Shanghai"),
            ),
            "responsibility": "事故响应",
            "emergency_only": index % 2 == 1,
            "preferred_channels": (_CHANNELS[index % 4], _CHANNELS[(index + 1) % 4]),
            "last_reviewed_at": datetime(2026, 1, index % 28 + 1, 9, 30, tzinfo=UTC),
            "reviewed_by": FAKE_NAMES[(index + 5) % len(FAKE_NAMES)],
            "review_interval_months": 3 if index % 2 else 6,
        }
    )


def sample_business(prefix: str, index: int) -> BusinessContact:
    return BusinessContact.model_validate(
        {
            **_common(Kind.BUSINESS, prefix, index),
            "title": _TITLES[index % len(_TITLES)],
            "department": _DEPARTMENTS[index % len(_DEPARTMENTS)],
            "contact_type": _TYPES[index % len(_TYPES)],
            "project": f"项目{index % 4 + 1}",
            "business_line": "华东业务线",
            "owner": FAKE_NAMES[(index + 3) % len(FAKE_NAMES)],
            "tags": ("重点客户", f"批次{index % 5}"),
        }
    )


def sample_contacts(kind: Kind, count: int, prefix: str = "s", start: int = 0) -> list[AnyContact]:
    """``count`` samples of ``kind`` (indexes ``start`` on), keys ``cs-<prefix>-...``."""
    make = sample_emergency if kind is Kind.EMERGENCY else sample_business
    return [make(prefix, index) for index in range(start, start + count)]


def changed(contact: AnyContact) -> AnyContact:
    """``contact`` with one required field changed (role or title), for update checks."""
    if isinstance(contact, EmergencyContact):
        return contact.model_copy(update={"role": contact.role + "（更新）"})
    return contact.model_copy(update={"title": contact.title + "（更新）"})


def changed_field(kind: Kind) -> str:
    """The canonical field ``changed`` changes."""
    return "role" if kind is Kind.EMERGENCY else "title"


__all__ = [
    "AnyContact",
    "changed",
    "changed_field",
    "sample_business",
    "sample_contacts",
    "sample_emergency",
    "sample_key",
]

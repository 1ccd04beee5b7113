"""Builders shared by the jiandaoyun tests: a fake clock, the connector over an emulator,
the settings and mapping of the documented set-up."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from contactsync.connector import ConnectorContext, PullPage, VendorRecord, WriteOp
from contactsync.mapping import load_mapping
from contactsync.models import Kind
from contactsync_jiandaoyun import JiandaoyunConnector
from contactsync_jiandaoyun.emulator import (
    APP_ID,
    BUSINESS_ENTRY,
    CUSTOMER_ENTRY,
    EMERGENCY_ENTRY,
    TEST_API_KEY,
    JiandaoyunEmulator,
)

REPO = Path(__file__).resolve().parents[3]
REAL = (REPO / ".." / "shared" / "fixtures" / "real" / "cn" / "jiandaoyun").resolve()
CASSETTES = REPO / "cassettes" / "jiandaoyun"
OBJECTS = {Kind.EMERGENCY: EMERGENCY_ENTRY, Kind.BUSINESS: BUSINESS_ENTRY}
CUSTOMERS = ("C001", "C002", "C003")


def real_sample(name: str) -> Any:
    """One of the published examples in ``shared/fixtures/real/cn/jiandaoyun``."""
    return json.loads((REAL / name).read_text(encoding="utf-8"))


@dataclass
class FakeTime:
    """A monotonic clock that moves only when slept on; every sleep is kept."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def seeded_emulator(customers: tuple[str, ...] = CUSTOMERS) -> JiandaoyunEmulator:
    """The standard forms, with ``customers`` in the customer form."""
    app = JiandaoyunEmulator()
    for key in customers:
        app.add_customer(key)
    return app


def settings(base_url: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "app_id": APP_ID,
        "base_url": base_url,
        "credentials": {"api_key": TEST_API_KEY},
        "customer_form": {"entry_id": CUSTOMER_ENTRY, "key_field": "customer_no"},
        "lookback_seconds": 5,
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def make_connector(
    base_url: str,
    time: FakeTime | None = None,
    *,
    mapping_overrides: Mapping[str, Any] | None = None,
    session: requests.Session | None = None,
    **overrides: Any,
) -> JiandaoyunConnector:
    """The connector of the documented set-up against ``base_url`` (``<server>/api``)."""
    clock = time or FakeTime()
    mapping = load_mapping(
        "jiandaoyun", overrides=dict(mapping_overrides or {}) or None, objects=dict(OBJECTS)
    )
    context = ConnectorContext(
        system="crm",
        settings=settings(base_url, **overrides),
        mapping=mapping,
        base_dir=Path("."),
        session=session or requests.Session(),
    )
    return JiandaoyunConnector(
        context, clock=clock.clock, sleep=clock.sleep, jitter=random.Random(7)
    )


def records(pages: list[PullPage]) -> list[VendorRecord]:
    return [record for page in pages for record in page.records]


def keys(pages: list[PullPage]) -> list[str]:
    return [str(r.values.get("contactsync_key")) for r in records(pages)]


def create(key: str, values: Mapping[str, Any]) -> WriteOp:
    return WriteOp("create", key, {"contactsync_key": key, **values}, None, f"create:{key}")


def emergency_values(index: int, customer: str = "C001", **changes: Any) -> dict[str, Any]:
    """The vendor values ``to_vendor`` writes for an emergency contact (fake data)."""
    values: dict[str, Any] = {
        "customer": customer,
        "name": ("测试甲", "测试乙", "测试丙", "测试丁")[index % 4],
        "phone": f"+86138001380{index:02d}",
        "mobile": None,
        "email": f"contact{index:04d}@example.com",
        "role": "总经理",
        "priority": index % 3 + 1,
        "decision_authority": "是",
        "response_minutes": 30,
        "preferred_channels": "电话,微信",
        "last_reviewed_at": "2026-01-02T09:30:00Z",
        "reviewed_by": "复核人甲",
        "updateTime": "2026-01-02T08:00:00Z",
    }
    values.update(changes)
    return values

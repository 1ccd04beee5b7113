"""Building the connector for tests: the default mapping, a test token, no real sleeping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from contactsync_example_crm import ExampleCrmConnector
from contactsync_example_crm.connector import MAPPING_FILE
from example_crm_emulator import TOKEN

from contactsync.connector import ConnectorContext
from contactsync.mapping import load_mapping


class Waits:
    """A ``sleep`` that records how long the connector asked to wait, and does not wait."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


def connector_for(
    base_url: str, *, sleep: Waits | None = None, **settings: Any
) -> ExampleCrmConnector:
    """An ``ExampleCrmConnector`` on ``base_url`` with the default mapping."""
    values: dict[str, Any] = {
        "base_url": base_url,
        "credentials": {"api_token": TOKEN},
        "backoff_seconds": 0.0,
        **settings,
    }
    mapping = load_mapping(MAPPING_FILE, connector="example_crm")
    context = ConnectorContext("crm", values, mapping, Path("."), session=requests.Session())
    return ExampleCrmConnector(context, sleep=sleep or Waits())

"""Fixtures for the Zoho connector tests: an emulated org served on 127.0.0.1 and
connectors pointed at it, with an injected sleep so no test ever waits on a retry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from zoho_helpers import CUSTOMERS, Sleeps

from contactsync.connector import ConnectorContext
from contactsync.mapping import SystemMapping, load_mapping
from contactsync_zoho import ZohoConnector
from contactsync_zoho.emulator import RunningOrg, serve_org


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def org() -> Iterator[RunningOrg]:
    """An emulated US org with the three customers of the samples as Accounts."""
    with serve_org() as running:
        for number in CUSTOMERS:
            running.crm.add_account(number, f"Customer {number}")
        yield running


@pytest.fixture(scope="session")
def zoho_mapping() -> SystemMapping:
    return load_mapping("zoho")


ConnectorFactory = Callable[..., ZohoConnector]


@pytest.fixture
def connect(
    org: RunningOrg, zoho_mapping: SystemMapping, sleeps: Sleeps, tmp_path: Path
) -> Iterator[ConnectorFactory]:
    """Build connectors to ``org``; keyword arguments are settings (or a ``token_store``
    object, ``clock``, ``mapping``, ``secrets``)."""
    built: list[ZohoConnector] = []

    def make(**settings: Any) -> ZohoConnector:
        extra = {k: settings.pop(k) for k in ("clock",) if k in settings}
        if not isinstance(settings.get("token_store", ""), str):
            extra["token_store"] = settings.pop("token_store")
        mapping = settings.pop("mapping", zoho_mapping)
        secrets = settings.pop("secrets", None)
        context = ConnectorContext(
            system="zoho-test",
            settings=org.settings(**settings),
            mapping=mapping,
            base_dir=tmp_path,
            session=requests.Session(),
            secrets=secrets,
        )
        connector = ZohoConnector(context, sleep=sleeps, **extra)
        built.append(connector)
        return connector

    yield make
    for connector in built:
        connector.close()
        assert connector.context.session is not None
        connector.context.session.close()

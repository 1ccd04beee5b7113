"""The connector is registered through the entry point, like any third-party plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

from contactsync.connector import ConnectorContext
from contactsync.errors import ConfigError
from contactsync.mapping import load_mapping
from contactsync.plugins import PluginHost
from contactsync_salesforce import CAPABILITIES, SalesforceConnector


def test_the_entry_point_registers_the_salesforce_connector() -> None:
    spec = PluginHost(entry_points=True).connector("salesforce")
    assert spec.factory is SalesforceConnector
    assert spec.capabilities == CAPABILITIES
    assert spec.capabilities.batch_size == 200 and spec.capabilities.deletes == "feed"
    assert spec.default_mapping == "salesforce.toml"


def test_the_default_mapping_keeps_the_kinds_apart_and_keys_both() -> None:
    mapping = load_mapping("salesforce", connector="salesforce")
    emergency, business = (mapping.object_for(k) for k in sorted(mapping.objects))
    assert {emergency, business} == {"Emergency_Contact__c", "Contact"}
    assert {om.key_field for om in mapping.objects.values()} == {"Contactsync_Key__c"}


def test_a_mapping_naming_something_that_is_not_an_api_name_is_refused() -> None:
    mapping = load_mapping(
        "salesforce", connector="salesforce",
        overrides={"emergency": {"fields": {"role": "Role__c, Name FROM User --"}}},
    )
    context = ConnectorContext("crm", {"instance_url": "https://a.my.salesforce.com",
                                       "auth": "session"}, mapping, Path("."))
    with pytest.raises(ConfigError, match="not a Salesforce API name"):
        SalesforceConnector(context)


def test_a_smaller_batch_size_is_declared_in_the_capabilities() -> None:
    mapping = load_mapping("salesforce", connector="salesforce")
    context = ConnectorContext("crm", {"instance_url": "https://a.my.salesforce.com",
                                       "auth": "session", "batch_size": 50}, mapping, Path("."))
    assert SalesforceConnector(context).capabilities.batch_size == 50

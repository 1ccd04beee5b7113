"""The plugin registration, the default mapping, and the mapping checked against the live
modules and fields (fetched once, explicitly)."""

from __future__ import annotations

from typing import Any

import pytest
from zoho_helpers import connector_for

from contactsync.errors import ConfigError
from contactsync.mapping import load_mapping
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync_zoho import CAPABILITIES, ZohoConnector
from contactsync_zoho.emulator import FieldSpec, RunningOrg, default_modules, module, serve_org


def test_the_plugin_registers_the_zoho_connector_through_its_entry_point() -> None:
    host = PluginHost()
    assert host.load_errors == []
    spec = host.connectors()["zoho"]
    assert spec.factory is ZohoConnector and spec.default_mapping == "zoho.toml"
    assert spec.capabilities == CAPABILITIES
    assert CAPABILITIES.to_json() == {
        "kinds": ["business", "emergency"], "incremental": True, "deletes": "feed",
        "batch_size": 100, "upsert_by_external_id": True, "archive": True,
    }


def test_the_default_mapping_keeps_each_kind_in_its_own_module() -> None:
    mapping = load_mapping("zoho", connector="zoho")
    assert mapping.object_for(Kind.EMERGENCY) == "Emergency_Contacts"
    assert mapping.object_for(Kind.BUSINESS) == "Contacts"
    for kind in Kind:
        om = mapping.for_kind(kind)
        assert om.key_field == "Contactsync_Key"
        assert om.fields["updated_at"].vendor_fields == ("Modified_Time",)
    with pytest.raises(ConfigError, match="same object"):
        load_mapping("zoho", objects={"business": "Emergency_Contacts"})


def test_metadata_is_fetched_once_and_describes_the_modules(org: RunningOrg, connect: Any) -> None:
    connector = connect()
    schemas = connector.describe()
    connector.describe()
    list(connector.pull(Kind.EMERGENCY))
    settings_calls = [p for m, p in org.crm.calls if p.startswith("/settings/")]
    assert settings_calls == ["/settings/modules", "/settings/fields", "/settings/fields",
                              "/settings/fields"]  # modules; Contacts, Accounts, Emergency
    key = schemas[Kind.EMERGENCY].fields["Contactsync_Key"]
    assert key.external_id and schemas[Kind.EMERGENCY].fields["Name"].required
    assert schemas[Kind.BUSINESS].fields["Account_Name"].reference_to == ("Accounts",)


def _org_without(module_name: str, field: str) -> list[Any]:
    specs = []
    for spec in default_modules():
        if spec.api_name == module_name:
            kept = [f for f in spec.fields if f.api_name != field]
            spec = module(spec.api_name, spec.name_field, kept[5:], custom=spec.custom)
        specs.append(spec)
    return specs


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (_org_without("Emergency_Contacts", "WeChat_ID"), "has no field.*WeChat_ID"),
        (
            [m if m.api_name != "Contacts" else module("Contacts", "Last_Name", (
                *[f for f in m.fields[5:] if f.api_name != "Contactsync_Key"],
                FieldSpec("Contactsync_Key", "text", 120),
            )) for m in default_modules()],
            "must be a unique field",
        ),
        ([m for m in default_modules() if m.api_name != "Emergency_Contacts"],
         "no module 'Emergency_Contacts'"),
    ],
    ids=["missing-field", "key-not-unique", "missing-module"],
)
def test_a_mapping_the_live_org_cannot_hold_is_a_config_error(
    specs: list[Any], message: str
) -> None:
    with serve_org(modules=specs) as org:
        connector = connector_for(org)
        try:
            with pytest.raises(ConfigError, match=message):
                connector.describe()
        finally:
            connector.close()


def test_a_customer_lookup_to_another_module_is_refused() -> None:
    specs = [m if m.api_name != "Contacts" else module("Contacts", "Last_Name", (
        *[f for f in m.fields[5:] if f.api_name != "Account_Name"],
        FieldSpec("Account_Name", "lookup", lookup="Vendors"),
    )) for m in default_modules()]
    with serve_org(modules=specs) as org:
        connector = connector_for(org)
        with pytest.raises(ConfigError, match="looks up 'Vendors'"):
            list(connector.pull(Kind.BUSINESS))
        connector.close()


def test_field_names_are_renamed_per_installation(org: RunningOrg) -> None:
    mapping = load_mapping("zoho", overrides={"emergency": {"fields": {"wechat_id": False}}})
    connector = connector_for(org, mapping)
    assert "WeChat_ID" not in connector.module_plan(Kind.EMERGENCY).fields
    connector.close()

"""Settings, the plugin registration and the default mapping."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
import requests
from jiandaoyun_helpers import OBJECTS, settings

from contactsync.connector import ConnectorContext
from contactsync.errors import ConfigError
from contactsync.mapping import load_mapping
from contactsync.models import Kind
from contactsync.plugins import ENTRY_POINT_GROUP, PluginHost
from contactsync_jiandaoyun import CAPABILITIES, JiandaoyunConnector
from contactsync_jiandaoyun.emulator import APP_ID, TEST_API_KEY
from contactsync_jiandaoyun.settings import DEFAULT_BASE_URL, JiandaoyunSettings

WHERE = "system 'crm'"


def build(raw: dict[str, object], objects: dict[Kind, str] | None = None) -> JiandaoyunConnector:
    chosen = OBJECTS if objects is None else objects
    mapping = load_mapping("jiandaoyun", objects=dict(chosen) or None)
    context = ConnectorContext("crm", raw, mapping, Path("."), requests.Session())
    return JiandaoyunConnector(context)


def test_the_entry_point_registers_the_connector_with_its_mapping() -> None:
    found = {ep.name: ep.value for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert found["jiandaoyun"] == "contactsync_jiandaoyun"
    host = PluginHost()
    spec = host.connectors()["jiandaoyun"]
    assert spec.factory is JiandaoyunConnector
    assert spec.default_mapping == "jiandaoyun.toml"
    assert spec.capabilities == CAPABILITIES
    assert CAPABILITIES.to_json() == {
        "kinds": ["business", "emergency"],
        "incremental": True,
        "deletes": "enumeration",
        "batch_size": 100,
        "upsert_by_external_id": True,
        "archive": True,
    }


def test_defaults_and_the_key_kept_out_of_repr() -> None:
    parsed = JiandaoyunSettings.from_settings(settings(DEFAULT_BASE_URL), WHERE)
    assert parsed.base_url == "https://api.jiandaoyun.com/api"
    assert parsed.timeout == (5.0, 30.0)
    assert parsed.page_size == 100
    assert TEST_API_KEY not in repr(parsed)
    assert parsed.customer_form is not None
    assert parsed.customer_form.key_field == "customer_no"


def test_a_private_deployment_address_and_limits_are_taken() -> None:
    parsed = JiandaoyunSettings.from_settings(
        settings(
            "http://jdy.internal.example/api/",
            timeout_seconds=12,
            page_size=20,
            connect_timeout_seconds=2,
            rate_share=0.5,
        ),
        WHERE,
    )
    assert parsed.base_url == "http://jdy.internal.example/api"
    assert parsed.timeout == (2.0, 12.0)
    assert (parsed.page_size, parsed.rate_share) == (20, 0.5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"credentials": {}}, "the API key is missing"),
        ({"app_id": "my-app"}, "24 hexadecimal digits"),
        ({"page_size": 101}, "'page_size' must be a whole number from 1 to 100"),
        ({"timeout_seconds": 0}, "'timeout_seconds'"),
        ({"rate_share": 1.5}, "'rate_share' must be at most 1"),
        ({"base_url": "api.jiandaoyun.com"}, "'base_url' must be an http(s) URL"),
        ({"customer_form": {"entry_id": "x"}}, "key_field"),
        ({"region_code": "CN"}, "unknown setting(s) region_code"),
    ],
)
def test_bad_settings_are_refused_with_the_setting_named(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=WHERE) as raised:
        JiandaoyunSettings.from_settings({**settings(DEFAULT_BASE_URL), **change}, WHERE)
    assert message in str(raised.value)
    assert TEST_API_KEY not in str(raised.value)


def test_the_default_mapping_objects_must_be_replaced_by_entry_ids() -> None:
    with pytest.raises(ConfigError, match="'emergency_contacts' must be a Jiandaoyun id"):
        build(settings(DEFAULT_BASE_URL), objects={})


def test_a_form_may_sit_in_another_app() -> None:
    other = "65b0000000000000000a0009/65b0000000000000000e0009"
    connector = build(settings(DEFAULT_BASE_URL), {**OBJECTS, Kind.BUSINESS: other})
    assert str(connector.forms[Kind.BUSINESS]) == other
    assert connector.forms[Kind.EMERGENCY].app_id == APP_ID


def test_both_kinds_in_one_form_are_refused() -> None:
    same = {Kind.EMERGENCY: OBJECTS[Kind.EMERGENCY], Kind.BUSINESS: OBJECTS[Kind.EMERGENCY]}
    with pytest.raises(ConfigError, match=r"stored separately|one form"):
        build(settings(DEFAULT_BASE_URL), same)


def test_the_default_mapping_names_every_required_field_in_both_forms() -> None:
    mapping = load_mapping("jiandaoyun", objects=dict(OBJECTS))
    emergency, business = mapping.for_kind(Kind.EMERGENCY), mapping.for_kind(Kind.BUSINESS)
    assert emergency.key_field == business.key_field == "contactsync_key"
    for om in (emergency, business):
        assert om.fields["customer"].vendor_fields == ("customer",)
        assert om.fields["phones"].vendor_fields == ("phone", "mobile")
        assert om.fields["updated_at"].vendor_fields == ("updateTime",)
    assert emergency.fields["response_time_limit"].convert == "minutes"
    assert business.fields["contact_type"].options["values"]["采购"] == "procurement"

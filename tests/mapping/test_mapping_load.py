"""Loading mapping files: every validation rule, each message naming file, key and field;
the separate-storage refusal; overrides and per-system objects."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from mapping_helpers import SOURCE, kind_table, mapping_data, system

from contactsync.config import parse_config
from contactsync.errors import ConfigError
from contactsync.mapping import (
    FieldMap,
    check_separate_storage,
    deep_merge,
    load_mapping,
    mappings_dir,
    object_identity,
    resolve_mapping_file,
    same_object,
)
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync.runtime import Workspace

E, B = Kind.EMERGENCY, Kind.BUSINESS
REPO = Path(__file__).resolve().parents[2]


def refused(data: dict[str, Any], **kwargs: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        system(data, **kwargs)
    return str(caught.value)


def with_emergency_field(name: str, spec: Any) -> dict[str, Any]:
    return mapping_data(emergency=kind_table(E, {name: spec}))


# --------------------------------------------------------------------------- files


def test_default_mappings_live_in_the_repo_during_development() -> None:
    assert mappings_dir() == REPO / "mappings"
    assert (mappings_dir() / "csv.toml").is_file()


@pytest.mark.parametrize("name", ["csv.toml", "csv", "sqlite.toml", "sqlite"])
def test_resolve_finds_shipped_files_by_name(name: str) -> None:
    assert resolve_mapping_file(name).parent == mappings_dir()


def test_resolve_prefers_an_existing_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "csv.toml"
    own.write_text('connector = "csv"\n', encoding="utf-8")
    assert resolve_mapping_file(own) == own
    monkeypatch.chdir(tmp_path)
    assert resolve_mapping_file("csv.toml") == Path("csv.toml")


def test_resolve_names_a_missing_file() -> None:
    with pytest.raises(ConfigError, match=r"no_such_vendor\.toml: mapping file not found"):
        resolve_mapping_file("no_such_vendor.toml")


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("connector = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        load_mapping(bad)


def test_errors_name_the_file_as_given(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text(
        '[emergency]\nobject = "e"\nkey_field = "k"\n[emergency.fields]\n'
        'customer = "c"\nname = "n"\nphones = "p"\nrole = "r"\nresponse_time_limit = "t"\n'
        'priority = { field = "priority", convert = "integer" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_mapping(path, connector="csv")
    assert str(caught.value).startswith(
        f"{path}: emergency.fields.priority: unknown converter 'integer'"
    )


@pytest.mark.parametrize(("name", "connector"), [("csv.toml", "csv"), ("sqlite.toml", "sqlite")])
def test_shipped_mappings_load(name: str, connector: str) -> None:
    mapping = load_mapping(name, connector=connector)
    assert mapping.connector == connector
    assert mapping.kinds == {E, B}
    assert not same_object(mapping.object_for(E), mapping.object_for(B))


# --------------------------------------------------------------------------- top level


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"colour": "red"}, "colour", "unknown top-level key"),
        ({"emergancy": {}}, "emergancy", "'emergency' and 'business'"),
        ({"version": 2}, "version", "unsupported mapping version 2"),
        ({"connector": ""}, "connector", "connector's name"),
        ({"emergency": "contacts"}, "emergency", "must be a table"),
    ],
)
def test_top_level_rules(change: dict[str, Any], path: str, words: str) -> None:
    message = refused({**mapping_data(), **change})
    assert message.startswith(f"{SOURCE}: {path}: ")
    assert words in message


def test_a_mapping_without_either_kind_is_refused() -> None:
    assert "maps neither kind" in refused({"connector": "test"})


def test_connector_is_required_unless_the_system_names_it() -> None:
    data = mapping_data()
    del data["connector"]
    assert refused(data).startswith(f"{SOURCE}: connector: required")
    assert system(data, connector="csv").connector == "csv"


def test_connector_mismatch_is_refused() -> None:
    message = refused(mapping_data(), connector="salesforce")
    assert message.startswith(f"{SOURCE}: connector: ")
    assert "'test'" in message and "'salesforce'" in message


# --------------------------------------------------------------------------- kind tables


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"colour": 1}, "emergency.colour", "unknown key"),
        ({"object": None}, "emergency.object", "required"),
        ({"object": " "}, "emergency.object", "non-empty text"),
        ({"key_field": None}, "emergency.key_field", "required"),
        ({"timezone": "Asia/Beijing"}, "emergency.timezone", "unknown time zone 'Asia/Beijing'"),
        ({"fields": None}, "emergency.fields", "required"),
        ({"fields": ["name"]}, "emergency.fields", "must be a table"),
        ({"mixed": {"type_field": "t", "emergency_values": ["x"]}}, "emergency.mixed",
         "only a business object"),
    ],
)
def test_kind_table_rules(change: dict[str, Any], path: str, words: str) -> None:
    table = kind_table(E)
    table.update(change)
    table = {k: v for k, v in table.items() if v is not None}
    message = refused(mapping_data(emergency=table))
    assert message.startswith(f"{SOURCE}: {path}: ")
    assert words in message


@pytest.mark.parametrize(
    ("kind", "field"),
    [(E, "customer"), (E, "name"), (E, "phones"), (E, "role"), (E, "response_time_limit"),
     (B, "customer"), (B, "name"), (B, "phones"), (B, "title"), (B, "department")],
)
def test_every_required_field_must_be_mapped(kind: Kind, field: str) -> None:
    table = kind_table(kind)
    del table["fields"][field]
    message = refused(mapping_data(**{kind.value: table}))
    assert message.startswith(f"{SOURCE}: {kind.value}.fields: ")
    assert f"required canonical field {field!r} is not mapped" in message


def test_name_split_satisfies_the_required_name() -> None:
    table = kind_table(E, {"name": {"fields": ["last", "first"], "convert": "name_split"}})
    assert system(mapping_data(emergency=table)).objects[E].fields["name"].convert == "name_split"


@pytest.mark.parametrize(
    ("name", "spec", "words"),
    [
        ("nickname", "nick", "unknown canonical field 'nickname' for a emergency contact"),
        ("title", "title", "'title' is a business contact field"),
        ("key", "key2", "key_field"),
        ("kind", "kind", "not a mappable field"),
        ("provenance", "src", "not a mappable field"),
        ("priority", {"field": "priority", "convert": "integer"}, "unknown converter 'integer'"),
        ("name", {"field": "name", "convert": "bool"}, "converter 'bool' cannot hold 'name'"),
        ("email", {"field": "email", "convert": "phones"}, "cannot hold 'email'"),
        ("email", {"field": "email", "convert": "name_split"}, "can only map name"),
        ("priority", {"fields": ["a", "b"], "convert": "int"}, "takes 1 vendor field(s), got 2"),
        ("name", {"fields": ["a", "b", "c"], "convert": "name_split"}, "takes 1 to 2"),
        ("phones", {"fields": [], "convert": "phones"}, "non-empty text"),
        ("phones", {"fields": ["tel", "tel"]}, "named twice"),
        ("priority", {"field": "p", "convert": "int", "separator": ","},
         "unknown option 'separator' for converter 'int' (known: it takes none)"),
        ("preferred_channels", {"field": "c", "convert": "list", "sep": ","},
         "unknown option 'sep' for converter 'list' (known: separator, values)"),
        ("preferred_channels", {"field": "c", "convert": "list", "separator": ""},
         "option 'separator' must be non-empty text"),
        ("preferred_channels", {"field": "c", "values": {"传真": "fax"}},
         "option 'values' '传真' = 'fax' is not one of phone"),
        ("relationship", {"field": "r", "convert": "picklist"}, "needs option 'values'"),
        ("relationship", {"field": "r", "convert": "picklist", "values": {}},
         "option 'values' must be a non-empty table"),
        ("priority", {"field": "p", "convert": "picklist", "values": {"高": "1"}},
         "'1' is not a int value"),
        ("decision_authority", {"field": "d", "true": "Y", "false": "Y"}, "must differ"),
        ("decision_authority", {"field": "d", "true": []}, "option 'true' must be text"),
        ("updated_at", {"field": "u", "convert": "datetime", "timezone": "Mars"},
         "unknown time zone 'Mars'"),
        ("updated_at", {"field": "u", "format": "yesterday"}, "strptime format"),
        ("updated_at", {"field": "u", "format": "%Y-%m-%d %H:%M"}, "name their zone"),
        ("updated_at", {"field": "u", "write_utc": False}, "needs a 'timezone'"),
        ("updated_at", {"field": "u", "write_utc": "no"}, "must be true or false"),
        ("name", {"field": "n", "convert": "name_split", "order": ["given", "family"]},
         "'order' needs two fields"),
        ("name", {"fields": ["a", "b"], "convert": "name_split", "order": ["first", "last"]},
         "option 'order' must be"),
        ("contactable_hours", {"field": "h", "timezone": "CST"}, "unknown time zone"),
        ("name", {"field": "a", "fields": ["b"]}, "give 'field' or 'fields', not both"),
        ("name", {"convert": "str"}, "names no vendor field"),
        ("name", 42, "must be a vendor field name or a table"),
        ("name", "", "vendor field name is empty"),
        ("name", {"field": "n", "convert": 3}, "'convert' must be a converter name"),
    ],
)
def test_field_rules_name_file_key_and_field(name: str, spec: Any, words: str) -> None:
    message = refused(with_emergency_field(name, spec))
    assert message.startswith(f"{SOURCE}: emergency.fields.{name}: "), message
    assert words in message, message


def test_the_key_field_cannot_also_be_a_data_field() -> None:
    message = refused(with_emergency_field("email", "key"))
    assert message.startswith(f"{SOURCE}: emergency.fields.email: ")
    assert "'key' is the key_field" in message


def test_the_id_field_cannot_also_be_a_data_field() -> None:
    table = kind_table(E, {"email": "Id"}, id_field="Id")
    message = refused(mapping_data(emergency=table))
    assert message.startswith(f"{SOURCE}: emergency.fields.email: ")
    assert "id_field" in message
    same = kind_table(E, id_field="key")  # a file's key column may also be its record id
    assert system(mapping_data(emergency=same)).objects[E].id_field == "key"


def test_a_vendor_field_holds_one_canonical_field() -> None:
    message = refused(with_emergency_field("wechat_id", "name"))
    assert message.startswith(f"{SOURCE}: emergency.fields.wechat_id: ")
    assert "vendor field 'name' is already mapped to 'name'" in message


def test_name_split_parts_cannot_be_mapped_twice() -> None:
    table = kind_table(E, {"name": {"fields": ["l", "f"], "convert": "name_split"},
                           "given_name": "given"})
    message = refused(mapping_data(emergency=table))
    assert message.startswith(f"{SOURCE}: emergency.fields.given_name: ")
    assert "already set by 'name'" in message


def test_short_form_gets_the_fields_natural_converter() -> None:
    om = system(mapping_data(emergency=kind_table(E, {
        "priority": "p", "decision_authority": "d", "updated_at": "u", "preferred_channels": "c",
        "contactable_hours": "h",
    }), business=kind_table(B, {"tags": "t", "contact_type": "ct"})))
    converts = {n: f.convert for n, f in om.objects[E].fields.items()}
    assert converts == {
        "customer": "str", "name": "str", "phones": "phones", "role": "str",
        "response_time_limit": "minutes", "priority": "int", "decision_authority": "bool",
        "updated_at": "datetime", "preferred_channels": "list", "contactable_hours": "time_windows",
    }
    assert om.objects[B].fields["tags"].convert == "list"
    assert om.objects[B].fields["contact_type"].convert == "str"
    assert om.objects[E].fields["customer"] == FieldMap("customer", ("customer",), "str", {})


def test_false_leaves_a_field_unmapped() -> None:
    om = system(with_emergency_field("wechat_id", False)).objects[E]
    assert "wechat_id" not in om.fields


# --------------------------------------------------------------------------- mixed


def mixed(**spec: Any) -> dict[str, Any]:
    return mapping_data(business=kind_table(B, mixed=spec))


def test_mixed_defaults_to_the_emergency_fields() -> None:
    om = system(mixed(type_field="类型", emergency_values=["紧急联系人"])).objects[B]
    assert om.mixed is not None
    assert om.mixed.type_field == "类型"
    assert om.mixed.emergency_values == ("紧急联系人",)
    assert om.mixed.fields == system(mapping_data()).objects[E].fields
    assert "类型" in om.vendor_fields


@pytest.mark.parametrize(
    ("spec", "path", "words"),
    [
        ({"emergency_values": ["e"]}, "business.mixed.type_field", "required"),
        ({"type_field": "t"}, "business.mixed.emergency_values", "non-empty list"),
        ({"type_field": "t", "emergency_values": []}, "business.mixed.emergency_values",
         "non-empty list"),
        ({"type_field": "t", "emergency_values": [""]}, "business.mixed.emergency_values",
         "non-empty list"),
        ({"type_field": "key", "emergency_values": ["e"]}, "business.mixed.type_field",
         "is the key_field"),
        ({"type_field": "t", "emergency_values": ["e"], "colour": 1}, "business.mixed.colour",
         "unknown key"),
        ({"type_field": "t", "emergency_values": ["e"], "fields": {"name": "n"}},
         "business.mixed.fields", "required canonical field 'customer'"),
        ({"type_field": "role", "emergency_values": ["e"]}, "business.mixed.fields (from "
         "emergency.fields).role", "'role' is the type_field"),
    ],
)
def test_mixed_rules(spec: dict[str, Any], path: str, words: str) -> None:
    message = refused(mixed(**spec))
    assert message.startswith(f"{SOURCE}: {path}: "), message
    assert words in message


def test_mixed_fields_are_required_without_an_emergency_table() -> None:
    data = {"connector": "test", "business": kind_table(B, mixed={
        "type_field": "t", "emergency_values": ["e"]})}
    message = refused(data)
    assert message.startswith(f"{SOURCE}: business.mixed.fields: required")


def test_mixed_fields_are_checked_against_the_emergency_model() -> None:
    fields = {"customer": "c", "name": "n", "phones": "p", "role": "r",
              "response_time_limit": "t", "title": "title"}
    message = refused(mixed(type_field="t", emergency_values=["e"], fields=fields))
    assert message.startswith(f"{SOURCE}: business.mixed.fields.title: ")
    assert "business contact field" in message


# --------------------------------------------------------------------------- separate storage


@pytest.mark.parametrize(
    ("emergency", "business"),
    [("contacts.csv", "contacts.csv"), ("Contact", "contact"), ("./a.csv", "a.csv"),
     ("data/../a.csv", "a.csv"), (".\\exports\\a.csv", "exports/a.csv"),
     ("Emergency__c", "EMERGENCY__C "), ("ｃｏｎｔａｃｔｓ", "contacts"), ("a.csv/", "a.csv")],
)
def test_both_kinds_in_one_object_are_refused(emergency: str, business: str) -> None:
    data = mapping_data(emergency=kind_table(E, object=emergency),
                        business=kind_table(B, object=business))
    message = refused(data)
    assert message.startswith(f"{SOURCE}: emergency.object, business.object: ")
    assert "must be stored separately" in message
    assert repr(emergency) in message and repr(business) in message


@pytest.mark.parametrize("connector", ["csv", "sqlite", "salesforce", "jiandaoyun", "anything"])
def test_the_refusal_holds_whatever_the_connector(connector: str) -> None:
    data = mapping_data(emergency=kind_table(E, object="X"), business=kind_table(B, object="x"))
    data["connector"] = connector
    assert "stored separately" in refused(data)


def test_objects_override_cannot_merge_the_kinds() -> None:
    message = refused(mapping_data(), objects={B: "./Emergency_Contacts"})
    assert "stored separately" in message
    assert "from the system's objects setting" in message
    with pytest.raises(ConfigError, match="stored separately"):
        load_mapping("csv.toml", objects={"business": "emergency_contacts.csv"})


def test_mapping_overrides_cannot_merge_the_kinds() -> None:
    with pytest.raises(ConfigError, match="stored separately") as caught:
        load_mapping("sqlite", overrides={"business": {"object": "Emergency_Contacts"}})
    assert "'Emergency_Contacts' from mapping_overrides" in str(caught.value)


def test_a_refusal_caused_by_the_objects_setting_names_that_setting_not_the_file() -> None:
    message = refused(mapping_data(), objects={B: "emergency_contacts"})
    assert message.startswith("objects.business: both kinds are mapped to the same object ")
    assert not message.startswith(SOURCE)
    # the file is named only for the object it set
    assert f"'emergency_contacts' from emergency.object in {SOURCE}" in message
    assert "'emergency_contacts' from the system's objects setting" in message


def test_a_refusal_caused_by_mapping_overrides_names_the_override() -> None:
    overrides = {"business": {"object": "Emergency_Contacts"}}
    message = refused(mapping_data(), overrides=overrides)
    assert message.startswith("mapping.business.object: both kinds are mapped ")
    assert f"'emergency_contacts' from emergency.object in {SOURCE}" in message
    assert "'Emergency_Contacts' from mapping_overrides" in message
    assert "(after mapping_overrides)" not in message


def test_a_refusal_with_both_objects_from_the_settings_names_both_settings() -> None:
    message = refused(mapping_data(), objects={E: "one.csv", B: "./one.csv"},
                      overrides={"emergency": {"timezone": "UTC"}})
    assert message.startswith("objects.emergency, objects.business: both kinds ")
    assert SOURCE not in message
    message = refused(mapping_data(), objects={B: "x"}, overrides={"emergency": {"object": "X"}})
    assert message.startswith("mapping.emergency.object, objects.business: ")
    assert SOURCE not in message


def test_a_refusal_caused_by_the_mapping_file_still_names_the_file() -> None:
    data = mapping_data(business=kind_table(B, object="emergency_contacts"))
    message = refused(data, objects={}, overrides={"business": {"timezone": "UTC"}})
    assert message.startswith(f"{SOURCE}: emergency.object, business.object: ")


def test_a_workspace_names_the_configuration_file_for_a_shared_object_setting(
    tmp_path: Path,
) -> None:
    config = tmp_path / "contactsync.toml"
    shipped = mappings_dir() / "csv.toml"
    settings = {
        "objects = { business = 'emergency_contacts.csv' }": "objects.business",
        "mapping = { business = { object = 'emergency_contacts.csv' } }":
            "mapping.business.object",
        "[systems.sheet.mapping]\nbusiness.object = 'Emergency_Contacts.csv'":
            "mapping.business.object",
    }
    for setting, key in settings.items():
        config.write_text(f"[systems.sheet]\nconnector = 'csv'\n{setting}\n", encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            Workspace.open(config, host=PluginHost(), resolve_credentials=False)
        message = str(caught.value)
        assert message.startswith(f"{config}: [systems.sheet]: {key}: both kinds are mapped "
                                  "to the same object ("), message
        assert f"from emergency.object in {shipped}" in message  # the side the file set
        assert f"{shipped}: emergency.object" not in message
        assert "stored separately" in message


def test_base_dir_makes_absolute_and_relative_paths_comparable(tmp_path: Path) -> None:
    absolute = str(tmp_path / "emergency_contacts.csv")
    assert load_mapping("csv", objects={B: absolute}).object_for(B) == absolute
    with pytest.raises(ConfigError, match="stored separately"):
        load_mapping("csv", objects={B: absolute}, base_dir=tmp_path)


def test_distinct_objects_pass_and_the_public_check_agrees() -> None:
    mapping = system(mapping_data())
    check_separate_storage(mapping)
    merged = type(mapping)(mapping.connector, mapping.source, {
        E: mapping.objects[E], B: type(mapping.objects[B])(
            kind=B, object="Emergency_Contacts", key_field="key",
            fields=mapping.objects[B].fields)})
    with pytest.raises(ConfigError, match="stored separately"):
        check_separate_storage(merged)


def test_object_identity_normalises_spelling() -> None:
    assert object_identity("./Data//A.csv") == "data/a.csv"
    assert object_identity("a.csv", base_dir="/srv/x") == "/srv/x/a.csv"
    assert not same_object("emergency.csv", "business.csv")


# --------------------------------------------------------------------------- overrides


def test_overrides_rename_a_field_and_keep_its_converter() -> None:
    mapping = load_mapping("csv", overrides={
        "emergency": {"fields": {"response_time_limit": {"field": "响应时限"},
                                 "customer": "客户编号"}},
    })
    fmap = mapping.for_kind(E).fields["response_time_limit"]
    assert fmap == FieldMap("response_time_limit", ("响应时限",), "minutes", {})
    assert mapping.for_kind(E).fields["customer"].vendor_fields == ("客户编号",)
    assert mapping.for_kind(E).fields["name"].vendor_fields == ("name",)
    assert mapping.for_kind(B).fields["customer"].vendor_fields == ("customer",)


def test_overrides_add_options_change_objects_and_drop_fields() -> None:
    mapping = load_mapping("csv", overrides={
        "emergency": {"timezone": "UTC", "fields": {
            "decision_authority": {"true": "是", "false": "否"}, "wechat_id": False,
            "phones": {"fields": ["电话"]}}},
        "business": {"object": "联系人信息表.xlsx"},
    })
    om = mapping.for_kind(E)
    assert om.timezone == "UTC"
    assert om.fields["decision_authority"].options == {"true": "是", "false": "否"}
    assert om.fields["phones"].vendor_fields == ("电话",)
    assert "wechat_id" not in om.fields
    assert mapping.object_for(B) == "联系人信息表.xlsx"


def test_overrides_add_options_to_a_short_form_field() -> None:
    mapping = load_mapping("csv", overrides={"business": {"fields": {
        "contact_type": {"convert": "picklist", "values": {"技术": "technical"}}}}})
    fmap = mapping.for_kind(B).fields["contact_type"]
    assert fmap.vendor_fields == ("contact_type",)
    assert (fmap.convert, fmap.options) == ("picklist", {"values": {"技术": "technical"}})


def test_overrides_can_drop_a_kind() -> None:
    mapping = load_mapping("csv", overrides={"business": False})
    assert mapping.kinds == {E}
    with pytest.raises(ConfigError, match="has no business object"):
        mapping.for_kind(B)


def test_override_errors_say_they_came_from_the_overrides() -> None:
    with pytest.raises(ConfigError) as caught:
        load_mapping("csv", overrides={"emergency": {"fields": {"priority": {"convert": "x"}}}})
    message = str(caught.value)
    assert message.startswith(str(mappings_dir() / "csv.toml") + ": emergency.fields.priority: ")
    assert message.endswith("(after mapping_overrides)")


def test_deep_merge_leaves_its_inputs_alone() -> None:
    base = {"a": {"b": 1, "c": {"field": "x", "convert": "int"}}}
    override = {"a": {"c": {"fields": ["y", "z"]}, "d": 2}}
    before = copy.deepcopy((base, override))
    assert deep_merge(base, override) == {"a": {"b": 1, "c": {"fields": ["y", "z"],
                                                               "convert": "int"}, "d": 2}}
    assert (base, override) == before


# --------------------------------------------------------------------------- objects


def test_objects_replace_each_kinds_object() -> None:
    mapping = load_mapping("csv", objects={B: "legacy.xlsx", "emergency": "e.xlsx"})
    assert (mapping.object_for(E), mapping.object_for(B)) == ("e.xlsx", "legacy.xlsx")


@pytest.mark.parametrize(
    ("objects", "path", "words"),
    [({"vip": "x"}, "objects.vip", "emergency or business"),
     ({B: ""}, "objects.business", "non-empty")],
)
def test_objects_rules(objects: dict[Any, str], path: str, words: str) -> None:
    message = refused(mapping_data(), objects=objects)
    assert message.startswith(f"{SOURCE}: {path}: ")
    assert words in message


def test_objects_for_a_kind_the_mapping_lacks_are_refused() -> None:
    data = {"connector": "test", "emergency": kind_table(E)}
    assert "has no business object" in refused(data, objects={B: "b.csv"})


# --------------------------------------------------------------------------- with the config


def test_a_systems_config_feeds_load_mapping(tmp_path: Path) -> None:
    config = parse_config({"systems": {"legacy": {
        "connector": "csv",
        "objects": {"business": "legacy_export.csv"},
        "mapping": {"file": str(mappings_dir() / "csv.toml"), "business": {
            "mixed": {"type_field": "contact_type", "emergency_values": ["紧急联系人"]},
            "fields": {"contact_type": False}}},
    }}}, tmp_path / "contactsync.toml")
    legacy = config.system("legacy")
    assert legacy.mapping is not None
    mapping = load_mapping(legacy.mapping, overrides=legacy.mapping_overrides,
                           objects=legacy.objects, connector=legacy.connector,
                           base_dir=config.base_dir)
    om = mapping.for_kind(B)
    assert om.object == "legacy_export.csv"
    assert om.mixed is not None and om.mixed.type_field == "contact_type"

"""The modules and fields an emulated org has, and their ``/settings`` answers.

Field metadata is rendered with every key Zoho's real ``/settings/fields`` answer carries
(checked against the recorded answer in ``shared/fixtures/real/zoho``), so a client that
reads it is tested against the true shape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

WRITE_TYPES = ("text", "textarea", "email", "phone", "picklist", "integer", "bigint",
               "double", "boolean", "datetime", "date", "lookup")


@dataclass(frozen=True)
class FieldSpec:
    """One field of an emulated module.

    Attributes:
        api_name: the field's API name.
        data_type: ``text``, ``textarea``, ``email``, ``phone``, ``integer``, ``boolean``,
            ``datetime``, ``lookup``, ``ownerlookup``...
        length: the longest text it takes.
        unique: "do not allow duplicate values".
        mandatory: a record cannot be saved without it.
        lookup: the module a lookup points to.
        read_only: set by Zoho (``Modified_Time``...).
        custom: a custom field (``custom_field`` in the metadata).
    """

    api_name: str
    data_type: str = "text"
    length: int = 255
    unique: bool = False
    mandatory: bool = False
    lookup: str | None = None
    read_only: bool = False
    custom: bool = True

    @property
    def json_type(self) -> str:
        return {
            "integer": "integer", "bigint": "integer", "double": "double",
            "boolean": "boolean", "lookup": "jsonobject", "ownerlookup": "jsonobject",
            "userlookup": "jsonobject",
        }.get(self.data_type, "string")


@dataclass(frozen=True)
class ModuleSpec:
    """One emulated module: its API name, the field naming a record, and its fields."""

    api_name: str
    name_field: str
    fields: tuple[FieldSpec, ...]
    singular: str = ""
    custom: bool = False

    def field(self, name: str) -> FieldSpec | None:
        for spec in self.fields:
            if spec.api_name == name:
                return spec
        return None

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(spec.api_name for spec in self.fields)


SYSTEM_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("Owner", "ownerlookup", 120, custom=False),
    FieldSpec("Created_Time", "datetime", 120, read_only=True, custom=False),
    FieldSpec("Modified_Time", "datetime", 120, read_only=True, custom=False),
    FieldSpec("Created_By", "ownerlookup", 120, read_only=True, custom=False),
    FieldSpec("Modified_By", "ownerlookup", 120, read_only=True, custom=False),
)


def module(
    api_name: str, name_field: str, fields: Iterable[FieldSpec], *, custom: bool = False
) -> ModuleSpec:
    """A module with Zoho's system fields added."""
    return ModuleSpec(api_name, name_field, (*SYSTEM_FIELDS, *fields), custom=custom)


def default_modules() -> list[ModuleSpec]:
    """Accounts, the custom Emergency_Contacts module and Contacts, as ``zoho.toml`` maps
    them (each contact module with its unique ``Contactsync_Key``)."""
    key = FieldSpec("Contactsync_Key", "text", 120, unique=True)
    phones = (FieldSpec("Phone", "phone", 30), FieldSpec("Mobile", "phone", 30),
              FieldSpec("Other_Phone", "phone", 30))
    return [
        module("Accounts", "Account_Name", (
            FieldSpec("Account_Name", "text", 200, mandatory=True, custom=False),
            FieldSpec("Account_Number", "text", 40, custom=False),
        )),
        module("Emergency_Contacts", "Name", (
            FieldSpec("Name", "text", 120, mandatory=True, custom=False),
            key,
            FieldSpec("Account", "lookup", lookup="Accounts"),
            FieldSpec("Family_Name"), FieldSpec("Given_Name"), *phones,
            FieldSpec("Email", "email", 100), FieldSpec("WeChat_ID", "text", 60),
            FieldSpec("Country", "text", 60), FieldSpec("Role"), FieldSpec("Relationship"),
            FieldSpec("Priority", "integer", 9), FieldSpec("Decision_Authority", "boolean"),
            FieldSpec("Response_Minutes", "integer", 9),
            FieldSpec("Contactable_Hours", "textarea", 2000),
            FieldSpec("Responsibility", "textarea", 2000),
            FieldSpec("Emergency_Only", "boolean"), FieldSpec("Preferred_Channels"),
            FieldSpec("Last_Reviewed_At", "datetime", 120), FieldSpec("Reviewed_By"),
            FieldSpec("Review_Interval_Months", "integer", 9),
        ), custom=True),
        module("Contacts", "Last_Name", (
            FieldSpec("Last_Name", "text", 80, mandatory=True, custom=False),
            FieldSpec("First_Name", "text", 40, custom=False),
            key,
            FieldSpec("Account_Name", "lookup", lookup="Accounts", custom=False),
            *phones, FieldSpec("Email", "email", 100, custom=False),
            FieldSpec("WeChat_ID", "text", 60), FieldSpec("Mailing_Country", "text", 60),
            FieldSpec("Title", "text", 100, custom=False),
            FieldSpec("Department", "text", 100, custom=False),
            FieldSpec("Contact_Type"), FieldSpec("Project"), FieldSpec("Business_Line"),
            FieldSpec("Relationship_Owner"), FieldSpec("Contactsync_Tags", "textarea", 2000),
        )),
    ]


# -- /settings answers ---------------------------------------------------------------------


def module_json(spec: ModuleSpec, module_id: str) -> dict[str, Any]:
    """One entry of ``GET /settings/modules``."""
    label = spec.api_name.replace("_", " ")
    return {
        "has_more_profiles": False, "access_type": "org_based", "private_profile": None,
        "global_search_supported": True, "deletable": True, "description": None,
        "creatable": True, "recycle_bin_on_delete": True, "modified_time": None,
        "plural_label": label, "presence_sub_menu": True, "actual_plural_label": label,
        "lookupable": True, "id": module_id, "isBlueprintSupported": True, "visibility": 1,
        "convertable": False, "sub_menu_available": True, "editable": True,
        "actual_singular_label": spec.singular or label,
        "profiles": [{"name": "Administrator", "id": "9100000000000000497"}],
        "show_as_tab": True, "web_link": None, "sequence_number": 1,
        "singular_label": spec.singular or label, "viewable": True, "api_supported": True,
        "api_name": spec.api_name, "quick_create": True, "modified_by": None,
        "generated_type": "custom" if spec.custom else "default", "feeds_required": False,
        "public_fields_configured": False, "arguments": [], "module_name": spec.api_name,
        "profile_count": 1, "business_card_field_limit": 5, "parent_module": {},
        "status": "visible",
    }


def field_json(spec: FieldSpec, field_id: str, lookup_module_id: str | None) -> dict[str, Any]:
    """One entry of ``GET /settings/fields?module=``, with every key Zoho sends."""
    label = spec.api_name.replace("_", " ")
    lookup: dict[str, Any] = {}
    if spec.lookup is not None:
        lookup = {
            "display_label": label, "revalidate_filter_during_edit": False,
            "api_name": f"{spec.api_name}_Related",
            "module": {"api_name": spec.lookup, "id": lookup_module_id or ""},
            "id": field_id, "query_details": {"system_query_id": None},
        }
    return {
        "associated_module": None,
        "webhook": True,
        "operation_type": {
            "web_update": not spec.read_only, "api_create": not spec.read_only,
            "web_create": not spec.read_only, "api_update": not spec.read_only,
        },
        "colour_code_enabled_by_system": False,
        "field_label": label,
        "tooltip": None,
        "display_format_properties": None,
        "type": "used",
        "field_read_only": spec.read_only,
        "customizable_properties": ["mandatory", "unique"] if spec.custom else [],
        "display_label": label,
        "read_only": spec.read_only,
        "association_details": None,
        "businesscard_supported": False,
        "multi_module_lookup": {},
        "id": field_id,
        "created_time": None,
        "filterable": True,
        "visible": True,
        "profiles": [
            {"permission_type": "read_only" if spec.read_only else "read_write",
             "name": "Administrator", "id": "9100000000000000497"},
        ],
        "view_type": {"view": True, "edit": not spec.read_only, "quick_create": False,
                      "create": not spec.read_only},
        "separator": False,
        "searchable": True,
        "history_tracking_enabled": False,
        "external": None,
        "api_name": spec.api_name,
        "parent_field": None,
        "unique": {"casesensitive": "false"} if spec.unique else {},
        "enable_colour_code": False,
        "child_fields": None,
        "pick_list_values": [],
        "system_mandatory": spec.mandatory,
        "private": None,
        "virtual_field": False,
        "json_type": spec.json_type,
        "crypt": None,
        "range": None,
        "created_source": "custom" if spec.custom else "default",
        "display_type": -1,
        "ui_type": 1,
        "modified_time": None,
        "public": False,
        "email_parser": {"fields_update_supported": False, "record_operations_supported": False},
        "currency": {},
        "custom_field": spec.custom,
        "lookup": lookup,
        "hipaa_compliance": None,
        "convert_mapping": {"Contacts": None, "Deals": None, "Accounts": None},
        "address": None,
        "rollup_summary": {},
        "length": spec.length,
        "column_name": spec.api_name.upper(),
        "display_field": False,
        "pick_list_values_sorted_lexically": False,
        "sortable": True,
        "global_picklist": None,
        "display_format": None,
        "history_tracking": None,
        "data_type": spec.data_type,
        "formula": {},
        "additional_column": None,
        "hipaa_compliance_enabled": False,
        "decimal_place": None,
        "mass_update": not spec.read_only,
        "multiselectlookup": {},
        "auto_number": {},
    }

"""The emulated org's objects and fields, and their describe bodies.

``default_org()`` holds Account (with the external-id field ``Customer_Number__c``),
Contact with the custom fields ``docs/connectors/salesforce.md`` lists, and the custom
object ``Emergency_Contact__c``. Describe bodies carry the full attribute set a real
describe has (checked against ``shared/fixtures/real/salesforce``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "string": "xsd:string", "textarea": "xsd:string",
    "email": "xsd:string", "phone": "xsd:string", "url": "xsd:string", "picklist": "xsd:string",
    "multipicklist": "xsd:string", "combobox": "xsd:string", "double": "xsd:double",
    "int": "xsd:int", "boolean": "xsd:boolean", "datetime": "xsd:dateTime", "date": "xsd:date",
}
TEXT_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist",
                        "multipicklist", "combobox"})
NUMBER_TYPES = frozenset({"double", "int", "currency", "percent"})


@dataclass(frozen=True)
class FieldSpec:
    """One field of an emulated object."""

    name: str
    type: str
    label: str = ""
    length: int = 0
    external_id: bool = False
    unique: bool = False
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None
    picklist: tuple[str, ...] = ()
    custom: bool = False
    name_field: bool = False
    precision: int = 0

    @property
    def reference_like(self) -> bool:
        return self.type in ("id", "reference")

    def describe(self) -> dict[str, Any]:
        text = self.type in TEXT_TYPES
        return {
            "aggregatable": self.type not in ("textarea", "multipicklist"),
            "aiPredictionField": False,
            "autoNumber": False,
            "byteLength": self.length * 3 if text else (18 if self.reference_like else 0),
            "calculated": False,
            "calculatedFormula": None,
            "cascadeDelete": False,
            "caseSensitive": False,
            "compoundFieldName": None,
            "controllerName": None,
            "createable": self.createable,
            "custom": self.custom,
            "defaultValue": False if self.type == "boolean" else None,
            "defaultValueFormula": None,
            "defaultedOnCreate": self.defaulted,
            "dependentPicklist": False,
            "deprecatedAndHidden": False,
            "digits": 0,
            "displayLocationInDecimal": False,
            "encrypted": False,
            "externalId": self.external_id,
            "extraTypeInfo": None,
            "filterable": self.type not in ("textarea",),
            "filteredLookupInfo": None,
            "formulaTreatNullNumberAsZero": False,
            "groupable": self.type not in ("textarea", "double", "multipicklist", "datetime"),
            "highScaleNumber": False,
            "htmlFormatted": False,
            "idLookup": self.type == "id" or self.external_id or self.name_field,
            "inlineHelpText": None,
            "label": self.label or self.name.removesuffix("__c").replace("_", " "),
            "length": self.length if text else (18 if self.reference_like else 0),
            "mask": None,
            "maskType": None,
            "name": self.name,
            "nameField": self.name_field,
            "namePointing": False,
            "nillable": self.nillable,
            "permissionable": self.custom and self.nillable,
            "picklistValues": [
                {"active": True, "defaultValue": False, "label": value, "validFor": None,
                 "value": value}
                for value in self.picklist
            ],
            "polymorphicForeignKey": False,
            "precision": self.precision,
            "queryByDistance": False,
            "referenceTargetField": None,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship,
            "relationshipOrder": None,
            "restrictedDelete": False,
            "restrictedPicklist": False,
            "scale": 0,
            "searchPrefilterable": False,
            "soapType": SOAP_TYPES.get(self.type, "xsd:string"),
            "sortable": self.type not in ("textarea", "multipicklist"),
            "type": self.type,
            "unique": self.unique,
            "updateable": self.updateable,
            "writeRequiresMasterRead": False,
        }


@dataclass(frozen=True)
class ObjectSpec:
    """One emulated object: its name, key prefix and fields."""

    name: str
    key_prefix: str
    fields: dict[str, FieldSpec]
    label: str = ""
    custom: bool = False

    def field(self, name: str) -> FieldSpec | None:
        return self.fields.get(name)

    def relationship(self, name: str) -> FieldSpec | None:
        """The lookup field whose relationship name is ``name`` (``Account__r``)."""
        for spec in self.fields.values():
            if spec.relationship == name:
                return spec
        return None

    def with_fields(self, *specs: FieldSpec) -> ObjectSpec:
        return replace(self, fields={**self.fields, **{s.name: s for s in specs}})

    def without(self, *names: str) -> ObjectSpec:
        return replace(self, fields={k: v for k, v in self.fields.items() if k not in names})

    def describe(self, version: str) -> dict[str, Any]:
        label = self.label or self.name.removesuffix("__c").replace("_", " ")
        base = f"/services/data/{version}/sobjects/{self.name}"
        return {
            "actionOverrides": [],
            "activateable": False,
            "associateEntityType": None,
            "associateParentEntity": None,
            "childRelationships": [],
            "compactLayoutable": True,
            "createable": True,
            "custom": self.custom,
            "customSetting": False,
            "deepCloneable": False,
            "defaultImplementation": None,
            "deletable": True,
            "deprecatedAndHidden": False,
            "extendedBy": None,
            "extendsInterfaces": None,
            "feedEnabled": False,
            "fields": [spec.describe() for spec in self.fields.values()],
            "hasSubtypes": False,
            "implementedBy": None,
            "implementsInterfaces": None,
            "isInterface": False,
            "isSubtype": False,
            "keyPrefix": self.key_prefix,
            "label": label,
            "labelPlural": label + "s",
            "layoutable": True,
            "listviewable": None,
            "lookupLayoutable": None,
            "mergeable": self.name in ("Account", "Contact"),
            "mruEnabled": False,
            "name": self.name,
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "queryable": True,
            "recordTypeInfos": [
                {
                    "active": True, "available": True, "defaultRecordTypeMapping": True,
                    "developerName": "Master", "master": True, "name": "Master",
                    "recordTypeId": "012000000000000AAA",
                    "urls": {"layout": f"{base}/describe/layouts/012000000000000AAA"},
                }
            ],
            "replicateable": True,
            "retrieveable": True,
            "searchLayoutable": False,
            "searchable": False,
            "sobjectDescribeOption": "FULL",
            "supportedScopes": [],
            "triggerable": True,
            "undeletable": True,
            "updateable": True,
            "urls": {
                "sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"
            },
        }


def _system(name: str, kind: str, label: str, **more: Any) -> FieldSpec:
    return FieldSpec(name, kind, label, createable=False, updateable=False, nillable=False,
                     defaulted=True, **more)


def _system_fields() -> list[FieldSpec]:
    return [
        _system("Id", "id", "Record ID"),
        _system("IsDeleted", "boolean", "Deleted"),
        _system("CreatedDate", "datetime", "Created Date"),
        _system("CreatedById", "reference", "Created By ID", reference_to=("User",),
                relationship="CreatedBy"),
        _system("LastModifiedDate", "datetime", "Last Modified Date"),
        _system("LastModifiedById", "reference", "Last Modified By ID", reference_to=("User",),
                relationship="LastModifiedBy"),
        _system("SystemModstamp", "datetime", "System Modstamp"),
    ]


def _text(name: str, length: int = 255, **options: Any) -> FieldSpec:
    return FieldSpec(name, options.pop("type", "string"), length=length, custom=True, **options)


def contactsync_key() -> FieldSpec:
    return _text("Contactsync_Key__c", 80, label="Contactsync Key", external_id=True, unique=True)


def _common_custom() -> list[FieldSpec]:
    return [
        contactsync_key(),
        _text("WeChat_Id__c", 64, label="WeChat ID"),
        _text("Country__c", 2),
    ]


def account() -> ObjectSpec:
    fields = [
        *_system_fields(),
        FieldSpec("Name", "string", "Account Name", length=255, nillable=False, name_field=True),
        FieldSpec("AccountNumber", "string", "Account Number", length=40),
        _text("Customer_Number__c", 40, label="Customer Number", external_id=True, unique=True),
    ]
    return ObjectSpec("Account", "001", {f.name: f for f in fields}, label="Account")


def contact() -> ObjectSpec:
    fields = [
        *_system_fields(),
        FieldSpec("AccountId", "reference", "Account ID", reference_to=("Account",),
                  relationship="Account"),
        FieldSpec("LastName", "string", "Last Name", length=80, nillable=False),
        FieldSpec("FirstName", "string", "First Name", length=40),
        FieldSpec("Name", "string", "Full Name", length=121, createable=False, updateable=False,
                  nillable=False, name_field=True),
        FieldSpec("Phone", "phone", "Business Phone", length=40),
        FieldSpec("MobilePhone", "phone", "Mobile Phone", length=40),
        FieldSpec("Email", "email", "Email", length=80),
        FieldSpec("Title", "string", "Title", length=128),
        FieldSpec("Department", "string", "Department", length=80),
        *_common_custom(),
        _text("Contact_Type__c", 40, type="picklist", label="Contact Type",
              picklist=("business", "technical", "procurement", "finance", "support", "legal",
                        "other")),
        _text("Project__c", 255),
        _text("Business_Line__c", 255, label="Business Line"),
        _text("Owner_Name__c", 80, label="Owner Name"),
        _text("Tags__c", 255),
    ]
    return ObjectSpec("Contact", "003", {f.name: f for f in fields}, label="Contact")


def emergency_contact() -> ObjectSpec:
    fields = [
        *_system_fields(),
        FieldSpec("Name", "string", "Emergency Contact Name", length=80, name_field=True,
                  defaulted=True),
        _text("Account__c", 18, type="reference", label="Account", reference_to=("Account",),
              relationship="Account__r", nillable=False),
        *_common_custom(),
        _text("Family_Name__c", 80, label="Family Name"),
        _text("Given_Name__c", 80, label="Given Name"),
        _text("Phone__c", 40, type="phone", label="Phone"),
        _text("Mobile__c", 40, type="phone", label="Mobile"),
        _text("Email__c", 80, type="email", label="Email"),
        _text("Role__c", 100, label="Role"),
        _text("Relationship__c", 100, label="Relationship"),
        FieldSpec("Priority__c", "double", "Priority", custom=True, precision=1),
        _text("Decision_Authority__c", 3, type="picklist", label="Decision Authority",
              picklist=("Yes", "No")),
        FieldSpec("Response_Time_Minutes__c", "double", "Response Time (minutes)", custom=True,
                  precision=6),
        _text("Contactable_Hours__c", 255, label="Contactable Hours"),
        _text("Responsibility__c", 255),
        FieldSpec("Emergency_Only__c", "boolean", "Emergency Only", custom=True, nillable=False,
                  defaulted=True),
        _text("Preferred_Channels__c", 100, label="Preferred Channels"),
        FieldSpec("Last_Reviewed_At__c", "datetime", "Last Reviewed At", custom=True),
        _text("Reviewed_By__c", 80, label="Reviewed By"),
        FieldSpec("Review_Interval_Months__c", "double", "Review Interval (months)", custom=True,
                  precision=2),
    ]
    return ObjectSpec("Emergency_Contact__c", "a0B", {f.name: f for f in fields},
                      label="Emergency Contact", custom=True)


@dataclass
class Org:
    """The emulated org's objects, by name."""

    objects: dict[str, ObjectSpec] = field(default_factory=dict)

    def get(self, name: str) -> ObjectSpec | None:
        return self.objects.get(name)

    def replace(self, spec: ObjectSpec) -> None:
        self.objects[spec.name] = spec

    @classmethod
    def of(cls, specs: Iterable[ObjectSpec]) -> Org:
        return cls({spec.name: spec for spec in specs})


def default_org() -> Org:
    return Org.of([account(), contact(), emergency_contact()])

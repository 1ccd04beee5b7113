"""Write the Salesforce metadata an administrator deploys: the objects, fields and a
permission set the default mapping needs, as an SFDX project.

    python -m contactsync_salesforce.metadata OUTDIR
    sf project deploy start --source-dir OUTDIR/force-app --target-org my-org

It writes ``Emergency_Contact__c`` (private sharing: emergency contacts are sensitive),
the custom fields on Contact and ``Account.Customer_Number__c``, and the permission set
``Contactsync_Integration`` for the integration user. The definitions are the emulator's
org (``emulator/org.py``), so what the tests run against is what gets deployed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from contactsync_salesforce.emulator.org import FieldSpec, ObjectSpec, default_org

NS = "http://soap.sforce.com/2006/04/metadata"
API_VERSION = "66.0"
PERMISSION_SET = "Contactsync_Integration"
SCALE = {"Response_Time_Minutes__c": (8, 2), "Priority__c": (1, 0),
         "Review_Interval_Months__c": (2, 0)}
"""(precision, scale) of the number fields; minutes may be fractional."""

_TYPES = {"string": "Text", "phone": "Phone", "email": "Email", "double": "Number",
          "boolean": "Checkbox", "datetime": "DateTime", "picklist": "Picklist",
          "reference": "Lookup", "textarea": "LongTextArea", "date": "Date"}


def _document(root: str, body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}">\n{body}\n</{root}>\n'


def _tag(name: str, value: object, indent: int = 4) -> str:
    text = str(value).lower() if isinstance(value, bool) else escape(str(value))
    return f"{' ' * indent}<{name}>{text}</{name}>"


def field_xml(spec: FieldSpec) -> str:
    """The ``CustomField`` definition of one custom field."""
    kind = _TYPES[spec.type]
    lines = [_tag("fullName", spec.name), _tag("label", spec.describe()["label"])]
    lines.append(_tag("type", kind))
    if kind in ("Text",):
        lines.append(_tag("length", spec.length))
    if kind == "Number":
        precision, scale = SCALE.get(spec.name, (18, 0))
        lines += [_tag("precision", precision), _tag("scale", scale)]
    if kind == "Checkbox":
        lines.append(_tag("defaultValue", False))
    if kind == "Lookup":
        lines += [
            _tag("referenceTo", spec.reference_to[0]),
            _tag("relationshipName", (spec.relationship or "").removesuffix("__r")),
            _tag("relationshipLabel", "Emergency Contacts"),
            _tag("deleteConstraint", "Restrict"),
        ]
    if kind == "Picklist":
        values = "\n".join(
            f"            <value><fullName>{escape(v)}</fullName><default>false</default>"
            f"<label>{escape(v)}</label></value>"
            for v in spec.picklist
        )
        lines.append(
            "    <valueSet>\n        <restricted>true</restricted>\n"
            f"        <valueSetDefinition>\n            <sorted>false</sorted>\n{values}\n"
            "        </valueSetDefinition>\n    </valueSet>"
        )
    if spec.external_id:
        lines += [_tag("externalId", True), _tag("unique", spec.unique),
                  _tag("caseSensitive", True)]
    if kind != "Checkbox":
        lines.append(_tag("required", not spec.nillable))
    body = "\n".join(lines)
    return _document("CustomField", body)


def object_xml(spec: ObjectSpec) -> str:
    name_field = spec.fields["Name"].describe()["label"]
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="{NS}">\n'
        f"{_tag('label', spec.label)}\n{_tag('pluralLabel', spec.label + 's')}\n"
        f"    <nameField>\n{_tag('label', name_field, 8)}\n{_tag('type', 'Text', 8)}\n"
        "    </nameField>\n"
        f"{_tag('deploymentStatus', 'Deployed')}\n{_tag('sharingModel', 'Private')}\n"
        f"{_tag('externalSharingModel', 'Private')}\n{_tag('enableHistory', True)}\n"
        f"{_tag('enableReports', True)}\n{_tag('enableActivities', False)}\n"
        f"{_tag('enableSearch', False)}\n"
        "</CustomObject>\n"
    )


def custom_fields(spec: ObjectSpec) -> list[FieldSpec]:
    return [f for f in spec.fields.values() if f.custom]


def permission_set_xml(objects: list[ObjectSpec]) -> str:
    lines = [_tag("label", "Contactsync integration"), _tag("hasActivationRequired", False)]
    for spec in objects:
        for item in custom_fields(spec):
            required = not item.nillable and item.type != "boolean"
            if required:
                continue  # required fields are always readable and editable
            lines.append(
                "    <fieldPermissions>\n"
                f"{_tag('editable', spec.name != 'Account', 8)}\n"
                f"{_tag('field', f'{spec.name}.{item.name}', 8)}\n"
                f"{_tag('readable', True, 8)}\n    </fieldPermissions>"
            )
    for spec in objects:
        write = spec.name != "Account"
        lines.append(
            "    <objectPermissions>\n"
            f"{_tag('allowCreate', write, 8)}\n{_tag('allowDelete', write, 8)}\n"
            f"{_tag('allowEdit', write, 8)}\n{_tag('allowRead', True, 8)}\n"
            f"{_tag('modifyAllRecords', False, 8)}\n{_tag('object', spec.name, 8)}\n"
            f"{_tag('viewAllRecords', spec.name != 'Account', 8)}\n    </objectPermissions>"
        )
    return _document("PermissionSet", "\n".join(lines))


def write_project(root: Path) -> list[Path]:
    """Write the SFDX project under ``root``; the files written."""
    org = default_org()
    objects = [org.objects[name] for name in ("Account", "Contact", "Emergency_Contact__c")]
    base = root / "force-app" / "main" / "default"
    written: list[Path] = []

    def put(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    put(root / "sfdx-project.json", json.dumps({
        "packageDirectories": [{"path": "force-app", "default": True}],
        "name": "contactsync-salesforce", "sourceApiVersion": API_VERSION,
    }, indent=2) + "\n")
    for spec in objects:
        folder = base / "objects" / spec.name
        if spec.custom:
            put(folder / f"{spec.name}.object-meta.xml", object_xml(spec))
        for item in custom_fields(spec):
            put(folder / "fields" / f"{item.name}.field-meta.xml", field_xml(item))
    put(base / "permissionsets" / f"{PERMISSION_SET}.permissionset-meta.xml",
        permission_set_xml(objects))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="folder to write the SFDX project into")
    args = parser.parse_args(argv)
    for path in write_project(args.outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

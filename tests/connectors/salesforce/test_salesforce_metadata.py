"""The deployable metadata (``python -m contactsync_salesforce.metadata``) holds every
custom field the default mapping names, with the flags the connector relies on."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from salesforce_helpers import mapping

from contactsync_salesforce.metadata import main

NS = {"m": "http://soap.sforce.com/2006/04/metadata"}


def _fields(root: Path) -> dict[str, ET.Element]:
    found = {}
    for path in root.glob("force-app/main/default/objects/*/fields/*.field-meta.xml"):
        found[f"{path.parents[1].name}.{path.name.split('.')[0]}"] = ET.parse(path).getroot()
    return found


def test_the_metadata_defines_every_custom_field_the_mapping_names(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0
    fields = _fields(tmp_path)
    for om in mapping().objects.values():
        for vendor in om.vendor_fields:
            if "." in vendor:
                relationship, _, end = vendor.partition(".")
                assert f"Account.{end}" in fields
                if relationship.endswith("__r"):
                    assert f"{om.object}.{relationship[:-3]}__c" in fields
            elif vendor.endswith("__c"):
                assert f"{om.object}.{vendor}" in fields, vendor


def test_keys_are_unique_external_ids_and_emergency_contacts_are_private(tmp_path: Path) -> None:
    main([str(tmp_path)])
    fields = _fields(tmp_path)
    for name in ("Contact.Contactsync_Key__c", "Emergency_Contact__c.Contactsync_Key__c",
                 "Account.Customer_Number__c"):
        element = fields[name]
        assert element.findtext("m:externalId", namespaces=NS) == "true", name
        assert element.findtext("m:unique", namespaces=NS) == "true", name
    lookup = fields["Emergency_Contact__c.Account__c"]
    assert lookup.findtext("m:referenceTo", namespaces=NS) == "Account"
    obj = ET.parse(tmp_path / "force-app/main/default/objects/Emergency_Contact__c/"
                   "Emergency_Contact__c.object-meta.xml").getroot()
    assert obj.findtext("m:sharingModel", namespaces=NS) == "Private"
    project = json.loads((tmp_path / "sfdx-project.json").read_text(encoding="utf-8"))
    assert project["packageDirectories"][0]["path"] == "force-app"
    permissions = ET.parse(next(tmp_path.glob("force-app/main/default/permissionsets/*.xml")))
    granted = {e.findtext("m:field", namespaces=NS)
               for e in permissions.getroot().findall("m:fieldPermissions", NS)}
    assert "Emergency_Contact__c.Role__c" in granted

"""``check --online``: the live schema described and checked against the mapping."""

from __future__ import annotations

import pytest
from salesforce_helpers import session_connector

from contactsync.cli.inspect_cmds import check_online
from contactsync.config import SystemConfig
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.plugins import PluginHost
from contactsync.runtime import SystemHandle
from contactsync_salesforce.emulator import FieldSpec, SalesforceEmulator

E, B = Kind.EMERGENCY, Kind.BUSINESS
EMERGENCY = "Emergency_Contact__c"


def _edit(app: SalesforceEmulator, obj: str, *fields: FieldSpec) -> None:
    app.org.replace(app.org.objects[obj].with_fields(*fields))


def test_the_default_org_fits_the_default_mapping(app, server) -> None:
    sf = session_connector(app, server.url)
    schema = sf.describe()
    path = schema[E].fields["Account__r.Customer_Number__c"]
    assert path.reference_to == ("Account",) and path.external_id and path.type == "string"
    assert schema[E].fields["Contactsync_Key__c"].external_id
    assert schema[B].name == "Contact"
    composite = [r for r in server.requests if r.path.endswith("/composite")]
    assert len(composite) == 2  # the mapped objects, then Account behind the paths
    assert sf.check_schema() == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda app: _edit(app, EMERGENCY, FieldSpec("Contactsync_Key__c", "string", length=80,
                                                     custom=True)),
         "is not marked External ID"),
        (lambda app: _edit(app, EMERGENCY, FieldSpec("Role__c", "double", custom=True)),
         "'Role__c' (role, converter str): is of type double"),
        (lambda app: _edit(app, EMERGENCY, FieldSpec("Emergency_Only__c", "string", custom=True,
                                                     length=5)),
         "'Emergency_Only__c' (emergency_only, converter bool): is of type string"),
        (lambda app: _edit(app, EMERGENCY, FieldSpec(
            "Account__c", "reference", reference_to=("Contact",), relationship="Account__r",
            custom=True)),
         "points to Contact, not Account"),
        (lambda app: _edit(app, "Account", FieldSpec("Customer_Number__c", "string", length=40,
                                                     custom=True)),
         "'Customer_Number__c' on Account is not marked External ID"),
        (lambda app: _edit(app, EMERGENCY, FieldSpec("Role__c", "string", length=100,
                                                     custom=True, createable=False)),
         "cannot write it"),
        (lambda app: _edit(app, EMERGENCY, FieldSpec("Site__c", "string", length=10,
                                                     custom=True, nillable=False)),
         "requires field 'Site__c'"),
    ],
    ids=["key-not-external", "wrong-type", "checkbox-as-text", "lookup-target",
         "parent-key-not-external", "read-only", "required-unmapped"],
)
def test_what_does_not_fit_is_said_one_line_each(app, server, change, expected: str) -> None:
    change(app)
    problems = session_connector(app, server.url).check_schema()
    assert any(expected in problem for problem in problems), problems


def test_a_missing_object_is_reported_and_describe_refuses_it(app, server) -> None:
    del app.org.objects[EMERGENCY]
    sf = session_connector(app, server.url)
    problems = sf.check_schema()
    assert problems == [
        "emergency object 'Emergency_Contact__c' cannot be described (HTTP 404 NOT_FOUND: The "
        "requested resource does not exist): create it or fix the mapping"
    ]
    with pytest.raises(ConfigError, match="cannot be described"):
        sf.describe()


def _handle(app: SalesforceEmulator, server) -> SystemHandle:
    sf = session_connector(app, server.url)
    spec = PluginHost().connector("salesforce")
    return SystemHandle(SystemConfig("crm", "salesforce"), spec, sf.context.mapping, sf)


def test_the_core_check_finds_a_missing_field_through_describe(app, server) -> None:
    app.org.replace(app.org.objects["Contact"].without("Department"))
    assert check_online(_handle(app, server)) == [
        "business object 'Contact' has no field 'Department'"
    ]


def test_the_core_check_passes_the_default_org(app, server) -> None:
    assert check_online(_handle(app, server)) == []


def test_the_core_check_reports_what_the_connector_check_finds(app, server) -> None:
    _edit(app, EMERGENCY, FieldSpec("Role__c", "double", custom=True))
    app.org.replace(app.org.objects[EMERGENCY].without("Reviewed_By__c"))
    problems = check_online(_handle(app, server))
    assert problems == [
        "emergency object 'Emergency_Contact__c' has no field 'Reviewed_By__c'",
        "emergency object 'Emergency_Contact__c': field 'Role__c' (role, converter str): is of "
        "type double, which it cannot hold (use combobox, email, encryptedstring, id, "
        "multipicklist, phone, picklist, reference, string, textarea, url)",
    ]

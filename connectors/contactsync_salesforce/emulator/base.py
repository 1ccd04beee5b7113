"""The emulated org's shared machinery: sessions, the usage count, headers, errors, and
reading field values (paths through lookups included) the way queries and answers need.

``SalesforceEmulator`` (``app.py``) is this plus the read routes (``reads.py``) and the
write routes; see ``app.py`` for what it serves.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contactsync.testing.emulator import (
    Clock,
    EmulatorApp,
    Request,
    Response,
    StoredRecord,
    json_response,
    route,
)
from contactsync_salesforce.emulator import logins
from contactsync_salesforce.emulator.org import FieldSpec, ObjectSpec, Org, default_org
from contactsync_salesforce.emulator.records import IndexedRecords
from contactsync_salesforce.emulator.soql import SoqlError
from contactsync_salesforce.emulator.values import answer, typed

ID_PREFIX = "a0BEMU000000"
"""Record ids are this and six digits: 18 characters, like the ids the API returns."""
FAKE_INSTANCE = "https://example.my.salesforce.com"
MAX_RECORDS = 200
_VERSION = re.compile(r"v\d+\.\d")


def sf_error(status: int, code: str, message: str, fields: list[str] | None = None) -> Response:
    """Salesforce's error body: a list of ``{message, errorCode[, fields]}``."""
    item: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        item["fields"] = fields
    return json_response([item], status)


class CallRefused(Exception):
    """The whole call is refused (a 400 for every record)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Locator:
    """The rows of a query still to be paged through, and the batch size."""

    rows: list[dict[str, Any]]
    batch: int


class OrgBase(EmulatorApp):
    """The emulated org's state and shared machinery (the routes are in reads.py, app.py).

    Args:
        org: the objects and fields (``default_org()``).
        clock: the kit's clock (stamps move only when written to).
        instance_url: the instance the token responses name.
        api_limit: daily API requests before ``REQUEST_LIMIT_EXCEEDED``.
        api_used: requests counted as used already.
        min_batch_size: the smallest query batch honoured (Salesforce: 200; tests lower it).
        absolute_next_urls: answer ``nextRecordsUrl`` as an absolute URL.
    """

    max_batch = MAX_RECORDS

    def __init__(
        self,
        *,
        org: Org | None = None,
        clock: Clock | None = None,
        instance_url: str = FAKE_INSTANCE,
        api_limit: int = 100_000,
        api_used: int = 0,
        min_batch_size: int = 200,
        absolute_next_urls: bool = False,
    ) -> None:
        super().__init__(clock=clock)
        self.store: IndexedRecords = IndexedRecords(clock=self.store.clock, id_prefix=ID_PREFIX)
        self.org = org or default_org()
        self.instance_url = instance_url
        self.api_limit = api_limit
        self.api_used = api_used
        self.min_batch_size = min_batch_size
        self.absolute_next_urls = absolute_next_urls
        self.clients: dict[str, str] = {}
        self.users: dict[str, str] = {}
        self.jwt_keys: dict[str, str] = {}
        self.jwt_users: set[str] = set()
        self.purged_before: datetime | None = None
        self.versions: set[str] = set()
        self.api_calls = 0
        self._tokens: dict[str, int | None] = {}
        self._expire_after: int | None = None
        self._serial = 0
        self._locators: dict[str, Locator] = {}
        self.locked: dict[str, int] = {}
        """Key or id → how many more writes of it fail with ``UNABLE_TO_LOCK_ROW``."""
        self.delete_log: list[tuple[str, str, datetime]] = []
        """(object, record id, deleted at): what Get Deleted reports, undeletes included."""

    # -- sessions -------------------------------------------------------------------------

    def grant_session(self, token: str | None = None) -> str:
        """A valid access token (a new one unless ``token`` is given)."""
        if token is None:
            self._serial += 1
            token = f"EMU-TOKEN-{self._serial:04d}"
        self._tokens[token] = None
        return token

    def expire_sessions(self) -> None:
        """Every token given out so far stops being valid (a session timeout)."""
        self._tokens.clear()

    def expire_sessions_after(self, requests: int) -> None:
        """The tokens given out so far stop being valid after ``requests`` more API calls."""
        self._expire_after = requests

    # -- seeding and reading (for tests) ----------------------------------------------------

    def add_account(self, customer_number: str, name: str | None = None) -> StoredRecord:
        return self.store.insert(
            "Account", {"Name": name or f"Customer {customer_number}",
                        "Customer_Number__c": customer_number},
        )

    def lock(self, key: str, times: int = 1) -> None:
        """The next ``times`` writes of the record with this key (or id) find it locked."""
        self.locked[key] = self.locked.get(key, 0) + times

    def undelete(self, obj: str, record_id: str) -> StoredRecord:
        """Restore a deleted record from the recycle bin (the delete log keeps its entry)."""
        record = self.store.get(obj, record_id)
        if record is None or record.deleted_at is None:
            raise ValueError(f"{obj} {record_id} is not deleted")
        record.deleted_at = None
        record.modified_at = self.store.clock.tick()
        self.store.touched(record, None)
        return record

    def live(self, obj: str) -> list[StoredRecord]:
        return self.store.live(obj)

    def find_by(self, obj: str, field_name: str, value: Any) -> StoredRecord | None:
        return self.store.find(obj, field_name, value)

    # -- answers -----------------------------------------------------------------------------

    def _check_session(self, request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if token not in self._tokens:
            return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if self._expire_after is not None:
            if self._expire_after <= 0:
                self._tokens.clear()
                self._expire_after = None
                return sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
            self._expire_after -= 1
        return None

    def _headed(self, response: Response, *, api: bool) -> Response:
        headers = [h for h in response.headers if h[0].lower() not in ("date", "sforce-limit-info")]
        headers.append(("Date", email.utils.format_datetime(self.store.clock.now, usegmt=True)))
        if api:
            headers.append(("Sforce-Limit-Info", f"api-usage={self.api_used}/{self.api_limit}"))
        response.headers = headers
        return response

    def error(self, status: int, code: str, message: str) -> Response:
        return sf_error(status, code, message)

    def bad_request(self, message: str) -> Response:
        return sf_error(400, "JSON_PARSER_ERROR", message)

    def _spec(self, name: str) -> ObjectSpec:
        spec = self.org.get(name)
        if spec is None:
            raise CallRefused(
                "INVALID_TYPE",
                f"sObject type '{name}' is not supported. If you are attempting to use a custom "
                "object, be sure to append the '__c' after the entity name. Please reference your "
                "WSDL or the describe call for the appropriate names.",
            )
        return spec

    def _version(self, request: Request) -> str:
        version = request.params.get("version", "")
        if not _VERSION.fullmatch(version):
            raise CallRefused("NOT_FOUND", "The requested resource does not exist")
        self.versions.add(version)
        return version

    # -- logins -----------------------------------------------------------------------------

    @route("POST", "/services/oauth2/token")
    def _token(self, request: Request) -> Response:
        return logins.token(self, request)

    @route("POST", "/services/Soap/u/{version}")
    def _soap(self, request: Request) -> Response:
        return logins.soap_login(self, request)

    # -- reading values ------------------------------------------------------------------------

    def _path(self, spec: ObjectSpec, name: str) -> list[FieldSpec]:
        """The fields a (dotted) field name goes through, the last one being read."""
        parts = name.split(".")
        found: list[FieldSpec] = []
        current = spec
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            item = field_named(current, part) if last else relationship_named(current, part)
            if item is None:
                raise SoqlError(
                    "INVALID_FIELD",
                    f"No such column '{part}' on entity '{current.name}'. If you are attempting "
                    "to use a custom field, be sure to append the '__c' after the custom field "
                    "name. Please reference your WSDL or the describe call for the appropriate "
                    "names.",
                )
            found.append(item)
            if not last:
                current = self._spec(item.reference_to[0])
        return found

    def _reader(
        self, spec: ObjectSpec, record: StoredRecord, chains: Mapping[str, list[FieldSpec]]
    ) -> Any:
        def value_of(name: str) -> Any:
            chain = chains.get(name) or self._path(spec, name)
            current: StoredRecord | None = record
            current_spec = spec
            for link in chain[:-1]:
                target = self._raw(current_spec, current, link) if current else None
                current_spec = self._spec(link.reference_to[0])
                current = self.store.get(current_spec.name, target) if target else None
            if current is None:
                return None
            return typed(chain[-1], self._raw(current_spec, current, chain[-1]))

        return value_of

    def _raw(self, spec: ObjectSpec, record: StoredRecord, item: FieldSpec) -> Any:
        """A field's stored value; system fields come from the record's own stamps."""
        system = {
            "Id": record.id,
            "IsDeleted": record.deleted_at is not None,
            "CreatedDate": record.created_at,
            "LastModifiedDate": record.modified_at,
            "SystemModstamp": record.modified_at,
            "CreatedById": logins.USER_ID,
            "LastModifiedById": logins.USER_ID,
        }
        if item.name in system:
            return system[item.name]
        if spec.name == "Contact" and item.name == "Name":
            parts = [record.values.get("FirstName"), record.values.get("LastName")]
            return " ".join(p for p in parts if p) or None
        if item.type == "reference" and item.name not in record.values and item.relationship:
            self._resolve_paths(spec, record)
        return record.values.get(item.name)

    def _resolve_paths(self, spec: ObjectSpec, record: StoredRecord) -> None:
        """Values seeded straight into the store name parents by path
        (``Account__r.Customer_Number__c``); link them as a write by external id would."""
        for key in [k for k in record.values if "." in k]:
            relationship, _, target_field = key.partition(".")
            lookup = spec.relationship(relationship)
            value = record.values.pop(key)
            if lookup is None or value is None:
                continue
            parent = self.store.find(lookup.reference_to[0], target_field, value)
            before = {**record.values, key: value}
            record.values[lookup.name] = parent.id if parent else None
            self.store.touched(record, before)

    def _row(
        self, spec: ObjectSpec, record: StoredRecord, fields: Iterable[str], version: str,
        chains: Mapping[str, list[FieldSpec]] | None = None,
    ) -> dict[str, Any]:
        row: dict[str, Any] = {"attributes": _attributes(spec.name, record.id, version)}
        for name in fields:
            chain = (chains or {}).get(name) or self._path(spec, name)
            if len(chain) == 1:
                row[chain[0].name] = answer(chain[0], self._raw(spec, record, chain[0]))
                continue
            lookup, end = chain[0], chain[-1]
            parent_spec = self._spec(lookup.reference_to[0])
            parent_id = self._raw(spec, record, lookup)
            parent = self.store.get(parent_spec.name, parent_id) if parent_id else None
            if parent is None or parent.deleted_at is not None or len(chain) > 2:
                row.setdefault(lookup.relationship or lookup.name, None)
                continue
            nested = row.get(lookup.relationship or "")
            if not isinstance(nested, dict):
                nested = row[lookup.relationship or lookup.name] = {
                    "attributes": _attributes(parent_spec.name, parent.id, version)
                }
            nested[end.name] = answer(end, self._raw(parent_spec, parent, end))
        return row


def _attributes(obj: str, record_id: str, version: str) -> dict[str, str]:
    return {"type": obj, "url": f"/services/data/{version}/sobjects/{obj}/{record_id}"}


def field_named(spec: ObjectSpec, name: str) -> FieldSpec | None:
    found = spec.field(name)
    if found is not None:
        return found
    folded = name.casefold()
    return next((f for f in spec.fields.values() if f.name.casefold() == folded), None)


def relationship_named(spec: ObjectSpec, name: str) -> FieldSpec | None:
    folded = name.casefold()
    return next(
        (f for f in spec.fields.values() if f.relationship and f.relationship.casefold() == folded),
        None,
    )



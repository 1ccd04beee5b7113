"""``SalesforceEmulator``: the REST subset contactsync uses, as a WSGI app on the kit's base.

Served by ``contactsync.testing.emulator.serve`` on 127.0.0.1; a connector reaches it
through ``LoopbackRouting`` (``routing.py``), since simple-salesforce always speaks https.

* ``GET query/?q=``, ``queryAll/``, ``query/{locator}-{offset}`` (``Sforce-Query-Options:
  batchSize``; ``nextRecordsUrl`` relative, or absolute with ``absolute_next_urls``);
* sObject Collections: ``PATCH composite/sobjects/{Object}/{ExternalIdField}`` (upsert),
  ``PATCH``/``POST composite/sobjects`` (update by id, create), ``DELETE
  composite/sobjects?ids=`` — at most 200 records, ``allOrNone`` honoured, results by
  position, per-record errors with Salesforce's codes (and ``reject()``-ed ones);
* ``GET sobjects/{Object}/deleted/`` and ``updated/`` (minute-rounded windows, the 15-day
  horizon, ``purged_before`` to make the delete log lose entries);
* ``GET sobjects/{Object}/describe``, ``GET sobjects/{Object}/{Field}/{value}``,
  ``POST composite`` (GET subrequests), ``GET limits/``;
* the token endpoint and SOAP login (``logins.py``);
* on every API answer ``Sforce-Limit-Info: api-usage=used/limit`` and ``Date`` (the
  emulator's clock); past ``api_limit``, 403 ``REQUEST_LIMIT_EXCEEDED``.

Records live in the kit's ``RecordStore`` (stable 18-character ids, one stamp per call).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from contactsync.testing.emulator import Request, Response, StoredRecord, json_response, route
from contactsync_salesforce.emulator.base import (
    FAKE_INSTANCE,
    ID_PREFIX,
    MAX_RECORDS,
    CallRefused,
    field_named,
    relationship_named,
    sf_error,
)
from contactsync_salesforce.emulator.org import ObjectSpec
from contactsync_salesforce.emulator.reads import OrgReads
from contactsync_salesforce.emulator.values import ValueProblem, coerce

ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was "
    "using AllOrNone header",
    "fields": [],
}


@dataclass
class _Outcome:
    """What one record of a collections call would do (prepared before anything is written)."""

    spec: ObjectSpec
    values: dict[str, Any] = field(default_factory=dict)
    target: StoredRecord | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, code: str, message: str, fields: Iterable[str] = ()) -> None:
        self.errors.append({"statusCode": code, "message": message, "fields": list(fields)})


class SalesforceEmulator(OrgReads):
    """The emulated org: ``OrgBase`` (sessions, usage, values), ``OrgReads`` (queries,
    describe, replication, composite) and the sObject Collections writes below.
    Constructor arguments: see ``OrgBase``."""

    def insert(self, obj: str, values: Mapping[str, Any]) -> StoredRecord:
        """A record written as a person would (checked like an API create)."""
        outcome = self._prepare(self._spec(obj), dict(values), "create", None, set())
        if outcome.errors:
            raise ValueError(f"cannot insert {obj}: {outcome.errors}")
        return self.store.insert(obj, outcome.values)

    # -- collections --------------------------------------------------------------------------

    @route("PATCH", "/services/data/{version}/composite/sobjects/{object}/{field}")
    def _upsert(self, request: Request) -> Response:
        return self._collection(request, "upsert")

    @route("PATCH", "/services/data/{version}/composite/sobjects")
    def _update(self, request: Request) -> Response:
        return self._collection(request, "update")

    @route("POST", "/services/data/{version}/composite/sobjects")
    def _create(self, request: Request) -> Response:
        return self._collection(request, "create")

    def _collection(self, request: Request, mode: str) -> Response:
        body = request.json()
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list):
            return sf_error(400, "JSON_PARSER_ERROR", "the body holds no list of records")
        all_or_none = bool(body.get("allOrNone", False))
        try:
            self._version(request)
            key_field = None
            if mode == "upsert":
                spec = self._spec(request.params["object"])
                key = field_named(spec, request.params["field"])
                if key is None or not (key.external_id or key.type == "id"):
                    raise CallRefused("INVALID_FIELD", f"Field name provided, "
                                       f"{request.params['field']} is not an External ID or "
                                       f"indexed field for {spec.name}")
                key_field = key.name
            self.note_write(_object_of(records, request), len(records), mode)
            if len(records) > MAX_RECORDS:
                raise CallRefused("EXCEEDED_ID_LIMIT", "record limit reached. cannot submit "
                                   f"more than {MAX_RECORDS} records into this call")
            outcomes = self._prepare_all(records, mode, key_field, request)
        except CallRefused as exc:
            return sf_error(400, exc.code, exc.message)
        failed = any(o.errors for o in outcomes)
        results: list[dict[str, Any]] = []
        if all_or_none and failed:
            for outcome in outcomes:
                results.append({"success": False, "errors": outcome.errors or [ROLLED_BACK]})
            return json_response(results)
        with self.store.batch() as stamp:
            for outcome in outcomes:
                if outcome.errors:
                    results.append({"success": False, "errors": outcome.errors})
                    continue
                created = outcome.target is None
                record = self._apply(outcome, stamp)
                item: dict[str, Any] = {"id": record.id, "success": True, "errors": []}
                if mode == "upsert":
                    item["created"] = created
                results.append(item)
        return json_response(results)

    def _prepare_all(
        self, records: list[Any], mode: str, key_field: str | None, request: Request
    ) -> list[_Outcome]:
        seen: set[str] = set()
        outcomes = []
        for raw in records:
            if not isinstance(raw, dict):
                raise CallRefused("JSON_PARSER_ERROR", "every record must be an object")
            kind = (raw.get("attributes") or {}).get("type")
            if not kind:
                raise CallRefused("INVALID_TYPE", "Must specify a type in attributes")
            if mode == "upsert" and kind != request.params["object"]:
                wanted = request.params["object"]
                raise CallRefused("INVALID_TYPE", f"the records must be of {wanted}")
            outcomes.append(self._prepare(self._spec(str(kind)), raw, mode, key_field, seen))
        return outcomes

    def _prepare(
        self, spec: ObjectSpec, raw: dict[str, Any], mode: str, key_field: str | None,
        seen: set[str],
    ) -> _Outcome:
        outcome = _Outcome(spec)
        if mode == "update":
            record_id = raw.get("id") or raw.get("Id")
            target = self.store.get(spec.name, str(record_id)) if record_id else None
            if target is None:
                outcome.fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
                return outcome
            if target.deleted_at is not None:
                outcome.fail("ENTITY_IS_DELETED", "entity is deleted")
                return outcome
            outcome.target = target
        creating = mode == "create"
        for name, value in raw.items():
            if name in ("attributes", "id") or (name == "Id" and mode == "update"):
                continue
            if isinstance(value, dict):
                self._relate(outcome, name, value)
                continue
            item = field_named(spec, name)
            if item is None:
                raise CallRefused("INVALID_FIELD",
                                   f"No such column '{name}' on sobject of type {spec.name}")
            allowed = item.createable if creating or mode == "upsert" else item.updateable
            if not allowed:
                outcome.fail(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {item.name}. Please check the security "
                    "settings of this field and verify that it is read/write for your profile "
                    "or permission set.", [item.name],
                )
                continue
            try:
                outcome.values[item.name] = coerce(item, value)
            except ValueProblem as exc:
                outcome.fail(exc.code, exc.message, [exc.field])
        if outcome.errors:
            return outcome
        if key_field is not None:
            key = outcome.values.get(key_field)
            if not key:
                outcome.fail("MISSING_ARGUMENT",
                             f"{key_field} not specified: upsert needs the external id")
                return outcome
            if key in seen:
                outcome.fail("DUPLICATE_EXTERNAL_ID", f"Duplicate external id specified: {key}",
                             [key_field])
                return outcome
            seen.add(str(key))
            outcome.target = self.store.find(spec.name, key_field, key)
        self._check_record(outcome)
        return outcome

    def _relate(self, outcome: _Outcome, relationship: str, reference: dict[str, Any]) -> None:
        spec = outcome.spec
        lookup = relationship_named(spec, relationship)
        if lookup is None:
            raise CallRefused("INVALID_FIELD",
                               f"No such column '{relationship}' on sobject of type {spec.name}")
        parent_spec = self._spec(lookup.reference_to[0])
        pairs = [(k, v) for k, v in reference.items() if k != "attributes"]
        if len(pairs) != 1:
            raise CallRefused("INVALID_FIELD", f"{relationship}: name exactly one external id")
        field_name, value = pairs[0]
        target_field = field_named(parent_spec, field_name)
        if target_field is None or not target_field.external_id:
            outcome.fail("INVALID_FIELD",
                         f"{field_name} is not an External ID or indexed field for "
                         f"{parent_spec.name}", [])
            return
        parent = self.store.find(parent_spec.name, target_field.name, value)
        if parent is None:
            outcome.fail(
                "INVALID_FIELD",
                f"Foreign key external ID: {str(value).lower()} not found for field "
                f"{target_field.name} in entity {parent_spec.name}", [],
            )
            return
        outcome.values[lookup.name] = parent.id

    def _check_record(self, outcome: _Outcome) -> None:
        spec, target = outcome.spec, outcome.target
        merged = {**(target.values if target else {}), **outcome.values}
        missing = [
            f.name for f in spec.fields.values()
            if not f.nillable and f.createable and not f.defaulted and merged.get(f.name) is None
        ]
        if missing:
            outcome.fail("REQUIRED_FIELD_MISSING",
                         f"Required fields are missing: [{', '.join(missing)}]", missing)
        for item in spec.fields.values():
            value = outcome.values.get(item.name)
            if not item.unique or value is None:
                continue
            other = self.store.find(spec.name, item.name, value)
            if other is not None and (target is None or other.id != target.id):
                outcome.fail("DUPLICATE_VALUE",
                             f"duplicate value found: {item.name} duplicates value on record "
                             f"with id: {other.id}", [])
        key_name = next((f.name for f in spec.fields.values() if f.external_id), None)
        keys = [merged.get(key_name) if key_name else None, target.id if target else None]
        for key in keys:
            if key and self.locked.get(str(key), 0) > 0:
                self.locked[str(key)] -= 1
                outcome.fail("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this "
                             f"record or 1 records: {target.id if target else key}", [])
                break
            fault = self.take_rejection(str(key)) if key else None
            if fault is not None:
                outcome.fail(fault.code, fault.message, [fault.field] if fault.field else [])
                break

    def _apply(self, outcome: _Outcome, stamp: datetime) -> StoredRecord:
        if outcome.target is None:
            return self.store.insert(outcome.spec.name, outcome.values, modified_at=stamp)
        record = outcome.target
        before = record.values
        record.values = {**record.values, **outcome.values}
        record.modified_at = stamp  # Salesforce stamps every update, changed or not
        self.store.touched(record, before)
        return record

    @route("DELETE", "/services/data/{version}/composite/sobjects")
    def _delete(self, request: Request) -> Response:
        ids = [i for i in (request.arg("ids") or "").split(",") if i]
        if not ids:
            return sf_error(400, "MISSING_ARGUMENT", "ids must be given")
        found = {i: self._find_id(i) for i in ids}
        objects = sorted({spec.name for spec, _ in found.values() if spec is not None})
        self.note_write(objects[0] if objects else "?", len(ids), "delete")
        if len(ids) > MAX_RECORDS:
            return sf_error(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more "
                            f"than {MAX_RECORDS} records into this call")
        results = []
        with self.store.batch():
            for record_id in ids:
                spec, record = found[record_id]
                if spec is None or record is None:
                    results.append(_failed(record_id, "INVALID_CROSS_REFERENCE_KEY",
                                           "invalid cross reference id"))
                    continue
                if record.deleted_at is not None:
                    results.append(_failed(record_id, "ENTITY_IS_DELETED", "entity is deleted"))
                    continue
                key_name = next((f.name for f in spec.fields.values() if f.external_id), None)
                fault = self.take_rejection(record_id) or (
                    self.take_rejection(str(record.values.get(key_name))) if key_name else None
                )
                if fault is not None:
                    results.append(_failed(record_id, fault.code, fault.message))
                    continue
                gone = self.store.delete(spec.name, record_id)
                if gone is not None and gone.deleted_at is not None:
                    self.delete_log.append((spec.name, record_id, gone.deleted_at))
                results.append({"id": record_id, "success": True, "errors": []})
        return json_response(results)

    def _find_id(self, record_id: str) -> tuple[ObjectSpec | None, StoredRecord | None]:
        for spec in self.org.objects.values():
            record = self.store.get(spec.name, record_id)
            if record is not None:
                return spec, record
        return None, None



def _failed(record_id: str, code: str, message: str) -> dict[str, Any]:
    return {"id": record_id, "success": False,
            "errors": [{"statusCode": code, "message": message, "fields": []}]}



def _object_of(records: list[Any], request: Request) -> str:
    if "object" in request.params:
        return request.params["object"]
    for raw in records:
        if isinstance(raw, dict) and isinstance(raw.get("attributes"), dict):
            return str(raw["attributes"].get("type"))
    return "?"




__all__ = ["FAKE_INSTANCE", "ID_PREFIX", "SalesforceEmulator", "sf_error"]

"""The write routes: insert, upsert, update (``If-Unmodified-Since``) and delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contactsync.testing.emulator import Request, Response, StoredRecord, json_response, route
from contactsync_zoho.emulator.base import API, ZohoBase
from contactsync_zoho.emulator.schema import ModuleSpec
from contactsync_zoho.emulator.values import (
    check_record,
    duplicate,
    error_entry,
    mandatory_missing,
)


class WriteRoutes(ZohoBase):
    """``POST /{module}``, ``POST /{module}/upsert``, ``PUT /{module}``, ``DELETE /{module}``."""

    def _records_in(self, request: Request, spec: ModuleSpec, action: str
                    ) -> tuple[list[Any], dict[str, Any]] | Response:
        body = request.json()
        data = body.get("data") if isinstance(body, Mapping) else None
        if not isinstance(data, list) or not data:
            return self._fail(400, "INVALID_DATA", "invalid data", param_name="data")
        refused = self.note_write(spec.api_name, len(data), action)
        if refused is not None:
            return self._fail(400, "LIMIT_EXCEEDED", "Limit exceeded", limit=100,
                              api_name="data")
        return data, dict(body)

    @route("POST", API + "/{module}/upsert")
    def upsert(self, request: Request) -> Response:
        return self._create(request, upsert=True)

    @route("POST", API + "/{module}")
    def insert(self, request: Request) -> Response:
        return self._create(request, upsert=False)

    def _create(self, request: Request, *, upsert: bool) -> Response:
        found = self._module(request.params["module"])
        if isinstance(found, Response):
            return found
        spec = found
        parsed = self._records_in(request, spec, "upsert" if upsert else "insert")
        if isinstance(parsed, Response):
            return parsed
        data, body = parsed
        checks = body.get("duplicate_check_fields") or [
            f.api_name for f in spec.fields if f.unique
        ]
        entries = []
        with self.store.batch():
            for index, record in enumerate(data):
                entries.append(self._create_one(spec, record, index, checks if upsert else None))
        return json_response({"data": entries}, _status(entries, 200 if upsert else 201))

    def _create_one(
        self, spec: ModuleSpec, record: Any, index: int, checks: list[str] | None
    ) -> dict[str, Any]:
        if not isinstance(record, Mapping):
            return error_entry("INVALID_DATA", "invalid data", {"json_path": f"$.data[{index}]"})
        injected = self._injected(spec, record, index)
        if injected is not None:
            return injected
        existing = None
        matched_by = None
        for name in checks or ():
            value = record.get(name)
            if value not in (None, ""):
                existing = self._match(spec, name, value)
                matched_by = name
                if existing is not None:
                    break
        if existing is not None:
            return self._update_one(spec, existing, record, index, upsert_field=matched_by)
        problem = check_record(spec, record, index, creating=True)
        problem = problem or self._links(spec, record, index)
        problem = problem or self._duplicates(spec, record, index, None)
        if problem is not None:
            return problem
        stored = self.store.insert(spec.api_name, self._stored(spec.api_name, record))
        details = self._details(stored)
        if checks is not None:
            return {"code": "SUCCESS", "duplicate_field": matched_by or (checks[0] if checks
                    else None), "action": "insert", "details": details,
                    "message": "record added", "status": "success"}
        details["$approval_state"] = "approved"
        return {"code": "SUCCESS", "details": details, "message": "record added",
                "status": "success"}

    @route("PUT", API + "/{module}")
    def update(self, request: Request) -> Response:
        found = self._module(request.params["module"])
        if isinstance(found, Response):
            return found
        spec = found
        unmodified = self._since(request, "if-unmodified-since")
        if isinstance(unmodified, Response):
            return unmodified
        parsed = self._records_in(request, spec, "update")
        if isinstance(parsed, Response):
            return parsed
        data, _ = parsed
        entries = []
        with self.store.batch():
            for index, record in enumerate(data):
                if not isinstance(record, Mapping) or not record.get("id"):
                    entries.append(mandatory_missing("id", index))
                    continue
                existing = self._live(spec.api_name, str(record["id"]))
                if existing is None:
                    entries.append(error_entry(
                        "INVALID_DATA", "the related id given seems to be invalid",
                        {"api_name": "id", "json_path": f"$.data[{index}].id"},
                    ))
                    continue
                if unmodified is not None and existing.modified_at > unmodified:
                    entries.append(error_entry(
                        "ALREADY_MODIFIED",
                        "record updated time has already passed if-unmodified-since time",
                        self._details(existing, order="conflict"),
                    ))
                    continue
                injected = self._injected(spec, record, index)
                entries.append(injected or self._update_one(spec, existing, record, index))
        return json_response({"data": entries}, _status(entries, 200))

    def _update_one(
        self, spec: ModuleSpec, existing: StoredRecord, record: Mapping[str, Any], index: int,
        *, upsert_field: str | None = None,
    ) -> dict[str, Any]:
        changes = {k: v for k, v in record.items() if k != "id"}
        problem = check_record(spec, changes, index, creating=False) or self._links(
            spec, changes, index
        )
        for name, value in changes.items():
            field = spec.field(name)
            if problem is None and field is not None and field.mandatory and value in (None, ""):
                problem = mandatory_missing(name, index)
        problem = problem or self._duplicates(spec, changes, index, existing.id)
        if problem is not None:
            return problem
        existing.values.update(self._stored(spec.api_name, changes))
        with self.store.batch() as stamp:
            existing.modified_at = stamp
        details = self._details(existing)
        if upsert_field is not None:
            return {"code": "SUCCESS", "duplicate_field": upsert_field, "action": "update",
                    "details": details, "message": "record updated", "status": "success"}
        details["$approval_state"] = "approved"
        return {"code": "SUCCESS", "details": details, "message": "record updated",
                "status": "success"}

    @route("DELETE", API + "/{module}")
    def delete(self, request: Request) -> Response:
        found = self._module(request.params["module"])
        if isinstance(found, Response):
            return found
        spec = found
        ids = [i for i in (request.arg("ids") or "").split(",") if i]
        if not ids:
            return self._fail(400, "REQUIRED_PARAM_MISSING", "ids is missing", param_name="ids")
        if self.note_write(spec.api_name, len(ids), "delete") is not None:
            return self._fail(400, "LIMIT_EXCEEDED", "Limit exceeded", limit=100, api_name="ids")
        entries = []
        with self.store.batch():
            for record_id in ids:
                if self.store.delete(spec.api_name, record_id) is None:
                    entries.append(error_entry("INVALID_DATA", "record not deleted",
                                               {"id": record_id}))
                else:
                    entries.append({"code": "SUCCESS", "details": {"id": record_id},
                                    "message": "record deleted", "status": "success"})
        return json_response({"data": entries}, _status(entries, 200))

    # -- write helpers ---------------------------------------------------------------------------

    def _injected(self, spec: ModuleSpec, record: Mapping[str, Any], index: int
                  ) -> dict[str, Any] | None:
        for field in spec.fields:
            if field.unique and isinstance(record.get(field.api_name), str):
                fault = self.take_rejection(record[field.api_name])
                if fault is not None:
                    name = fault.field or field.api_name
                    return error_entry(fault.code, fault.message,
                                       {"api_name": name, "json_path": f"$.data[{index}].{name}"})
        return None

    def _match(self, spec: ModuleSpec, name: str, value: Any) -> StoredRecord | None:
        wanted = str(value).casefold()
        for record in self.store.live(spec.api_name):
            if str(record.values.get(name) or "").casefold() == wanted:
                return record
        return None

    def _duplicates(self, spec: ModuleSpec, record: Mapping[str, Any], index: int,
                    exclude: str | None) -> dict[str, Any] | None:
        for field in spec.fields:
            value = record.get(field.api_name)
            if not field.unique or value in (None, ""):
                continue
            other = self._match(spec, field.api_name, value)
            if other is not None and other.id != exclude:
                return duplicate(field.api_name, index, other.id)
        return None

    def _links(self, spec: ModuleSpec, record: Mapping[str, Any], index: int
               ) -> dict[str, Any] | None:
        for name, value in record.items():
            field = spec.field(name)
            if field is None or field.data_type != "lookup" or value is None:
                continue
            target = str(value["id"] if isinstance(value, Mapping) else value)
            if self._live(field.lookup or "", target) is None:
                return error_entry("INVALID_DATA", "the related id given seems to be invalid",
                                   {"api_name": name, "json_path": f"$.data[{index}].{name}"})
        return None



def _status(entries: list[dict[str, Any]], ok: int) -> int:
    failed = [e for e in entries if e.get("status") != "success"]
    if not failed:
        return ok
    if len(failed) < len(entries):
        return 207
    if all(e.get("code") == "ALREADY_MODIFIED" for e in failed):
        return 412
    return 400

"""An emulator of the Example CRM REST API (v1), the made-up vendor of the example.

It speaks the shapes documented in ``reference/`` (the vendor's API examples), which
``test_example_crm_emulator_shapes.py`` checks it against:

* ``GET /v1/objects/{object}/describe``: the object's fields.
* ``GET /v1/objects/{object}/records?limit=&modified_since=&cursor=``: live records in
  ``(modified_at, id)`` order, paged by an opaque ``next_cursor``.
* ``GET /v1/objects/{object}/deleted?since=&limit=&cursor=``: the delete feed, kept for
  ``retention`` (older: ``410 FEED_EXPIRED``).
* ``POST /v1/objects/{object}/records/upsert``: up to 50 records by external id; one
  result per record, errors per record (``REQUIRED_FIELD_MISSING``, ``INVALID_EMAIL``...).
* ``POST /v1/objects/{object}/records/delete``: up to 50 external ids.

Every call needs ``Authorization: Bearer <token>``. Built on ``contactsync.testing.emulator``.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contactsync.testing.emulator import (
    BadRequest,
    Clock,
    EmulatorApp,
    Request,
    Response,
    StoredRecord,
    json_response,
    route,
)

TOKEN = "example-token"
MAX_BATCH = 50
MAX_PAGE = 200
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"  # string, integer, number, boolean, datetime
    required: bool = False
    external_id: bool = False


def _fields(
    *names: str, required: tuple[str, ...] = (), types: dict[str, str] | None = None
) -> dict[str, Field]:
    kinds = types or {}
    found = {"cs_key": Field("cs_key", external_id=True)}
    for name in names:
        found[name] = Field(name, kinds.get(name, "string"), name in required)
    return found


_SHARED = (
    "account_no",
    "full_name",
    "family_name",
    "given_name",
    "mobile",
    "phone_2",
    "email",
    "wechat",
    "country",
    "source_updated_at",
)
SCHEMAS: dict[str, dict[str, Field]] = {
    "emergency_contacts": _fields(
        *_SHARED,
        "role",
        "relationship",
        "priority",
        "can_decide",
        "response_minutes",
        "hours",
        "duty",
        "emergency_only",
        "channels",
        "reviewed_at",
        "reviewed_by",
        "review_months",
        required=("account_no", "full_name", "mobile", "role", "response_minutes"),
        types={
            "priority": "integer",
            "can_decide": "boolean",
            "response_minutes": "number",
            "emergency_only": "boolean",
            "reviewed_at": "datetime",
            "review_months": "integer",
            "source_updated_at": "datetime",
        },
    ),
    "contacts": _fields(
        *_SHARED,
        "job_title",
        "department",
        "contact_type",
        "project",
        "business_line",
        "owner",
        "tags",
        required=("account_no", "full_name", "mobile", "job_title", "department"),
        types={"source_updated_at": "datetime"},
    ),
}


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _encode(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, sort_keys=True).encode()).decode().rstrip("=")


def _decode(text: str) -> dict[str, Any]:
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        raise BadRequest("cursor is not one this API gave out") from None
    if not isinstance(data, dict):
        raise BadRequest("cursor is not one this API gave out")
    return data


def _type_ok(field: Field, value: Any) -> bool:
    if value is None:
        return not field.required
    if field.type == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if field.type == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field.type == "boolean":
        return isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if field.type == "datetime":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return False
    return True


class ExampleCrm(EmulatorApp):
    """The Example CRM. ``retention``: how long the delete feed remembers a deletion."""

    max_batch = MAX_BATCH

    def __init__(
        self, *, clock: Clock | None = None, retention: timedelta = timedelta(days=30)
    ) -> None:
        super().__init__(clock=clock)
        self.retention = retention

    def authorize(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return self.error(401, "UNAUTHORIZED", "missing or invalid API token")
        return None

    def _schema(self, request: Request) -> tuple[str, dict[str, Field]]:
        name = request.params["object"]
        if name not in SCHEMAS:
            raise BadRequest(f"unknown object {name!r}")
        return name, SCHEMAS[name]

    # -- read ---------------------------------------------------------------------------

    @route("GET", "/v1/objects/{object}/describe")
    def describe(self, request: Request) -> Response:
        name, schema = self._schema(request)
        return json_response(
            {
                "object": name,
                "fields": [
                    {
                        "name": f.name,
                        "type": f.type,
                        "required": f.required,
                        "external_id": f.external_id,
                    }
                    for f in schema.values()
                ],
            }
        )

    def _limit(self, request: Request) -> int:
        raw = request.arg("limit") or "100"
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
            raise BadRequest(f"limit must be 1 to {MAX_PAGE}")
        return int(raw)

    def _position(
        self, request: Request, key: str
    ) -> tuple[dict[str, Any], tuple[datetime, str] | None, datetime | None]:
        cursor = request.arg("cursor")
        if cursor:
            state = _decode(cursor)
            after = (datetime.fromisoformat(state["after"][0]), state["after"][1])
            since = datetime.fromisoformat(state["since"]) if state.get("since") else None
            return state, after, since
        raw = request.arg(key)
        try:
            since = datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
        except ValueError:
            raise BadRequest(f"{key} is not an ISO 8601 date-time") from None
        return {}, None, since

    def _next(self, page_after: tuple[datetime, str] | None, since: datetime | None) -> str:
        assert page_after is not None
        return _encode(
            {
                "after": [page_after[0].isoformat(), page_after[1]],
                "since": since.isoformat() if since else None,
            }
        )

    @route("GET", "/v1/objects/{object}/records")
    def list_records(self, request: Request) -> Response:
        name, _ = self._schema(request)
        _, after, since = self._position(request, "modified_since")
        page = self.store.page(name, limit=self._limit(request), after=after, since=since)
        return json_response(
            {
                "records": [self._record(r) for r in page.records],
                "next_cursor": self._next(page.after, since) if page.more else None,
            }
        )

    @route("GET", "/v1/objects/{object}/deleted")
    def list_deleted(self, request: Request) -> Response:
        name, _ = self._schema(request)
        _, after, since = self._position(request, "since")
        if since is None:
            raise BadRequest("since is required")
        if since < self.store.clock.now - self.retention:
            return self.error(
                410, "FEED_EXPIRED", f"deletions are kept for {self.retention.days} days"
            )
        page = self.store.page(
            name, limit=self._limit(request), after=after, since=since, deleted=True
        )
        return json_response(
            {
                "deleted": [
                    {
                        "id": r.id,
                        "external_id": r.values.get("cs_key"),
                        "deleted_at": _stamp(r.modified_at),
                    }
                    for r in page.records
                ],
                "next_cursor": self._next(page.after, since) if page.more else None,
            }
        )

    @staticmethod
    def _record(record: StoredRecord) -> dict[str, Any]:
        return {
            "id": record.id,
            "modified_at": _stamp(record.modified_at),
            "fields": dict(record.values),
        }

    # -- write --------------------------------------------------------------------------

    def _batch(
        self, request: Request, items_key: str
    ) -> tuple[str, dict[str, Field], str, list[Any]]:
        name, schema = self._schema(request)
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get(items_key), list):
            raise BadRequest(f"the body must be an object with a list {items_key!r}")
        key_field = body.get("external_id_field")
        if key_field not in schema or not schema[key_field].external_id:
            raise BadRequest(f"external_id_field {key_field!r} is not an external id of {name}")
        return name, schema, key_field, body[items_key]

    @route("POST", "/v1/objects/{object}/records/upsert")
    def upsert(self, request: Request) -> Response:
        name, schema, key_field, records = self._batch(request, "records")
        refused = self.note_write(name, len(records), "upsert")
        if refused is not None:
            return refused
        results = []
        with self.store.batch():
            for index, record in enumerate(records):
                results.append(
                    {"index": index, **self._upsert_one(name, schema, key_field, record)}
                )
        return json_response({"results": results})

    def _upsert_one(
        self, name: str, schema: dict[str, Field], key_field: str, record: Any
    ) -> dict[str, Any]:
        if not isinstance(record, dict) or not record.get(key_field):
            return _failed("MISSING_EXTERNAL_ID", key_field, f"{key_field} is required")
        injected = self.take_rejection(str(record[key_field]))
        if injected is not None:
            return _failed(injected.code, injected.field, injected.message)
        for field_name, value in record.items():
            field = schema.get(field_name)
            if field is None:
                return _failed("UNKNOWN_FIELD", field_name, f"{name} has no field {field_name!r}")
            if not _type_ok(field, value):
                if value is None:
                    return _failed(
                        "REQUIRED_FIELD_MISSING", field_name, f"{field_name} is required"
                    )
                return _failed("INVALID_TYPE", field_name, f"{field_name} must be a {field.type}")
        existing = self.store.find(name, key_field, record[key_field])
        merged = {**(existing.values if existing else {}), **record}
        for field in schema.values():
            if field.required and merged.get(field.name) in (None, ""):
                return _failed("REQUIRED_FIELD_MISSING", field.name, f"{field.name} is required")
        email = merged.get("email")
        if email and not _EMAIL.fullmatch(str(email)):
            return _failed("INVALID_EMAIL", "email", "not an e-mail address")
        stored, created = self.store.upsert(name, key_field, record)
        return {"status": "created" if created else "updated", "id": stored.id}

    @route("POST", "/v1/objects/{object}/records/delete")
    def delete(self, request: Request) -> Response:
        name, _, key_field, keys = self._batch(request, "external_ids")
        refused = self.note_write(name, len(keys), "delete")
        if refused is not None:
            return refused
        results = []
        with self.store.batch():
            for index, key in enumerate(keys):
                live = self.store.find(name, key_field, key)
                if live is not None:
                    self.store.delete(name, live.id)
                    results.append({"index": index, "status": "deleted", "id": live.id})
                    continue
                gone = [r for r in self.store.all(name) if r.values.get(key_field) == key]
                if gone:  # deleted before: a retried delete is not an error
                    results.append({"index": index, "status": "deleted", "id": gone[-1].id})
                else:
                    results.append(
                        {"index": index, **_failed("NOT_FOUND", key_field, f"no record {key!r}")}
                    )
        return json_response({"results": results})


def _failed(code: str, field: str | None, message: str) -> dict[str, Any]:
    return {"status": "error", "errors": [{"code": code, "field": field, "message": message}]}

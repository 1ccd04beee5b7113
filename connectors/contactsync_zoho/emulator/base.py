"""The emulated org's state and shapes: records, the test back door, authorisation,
rendering, and the ``/settings`` routes. ``reads.py`` and ``writes.py`` add the rest."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from contactsync.testing.emulator import (
    Clock,
    EmulatorApp,
    RecordStore,
    Request,
    Response,
    StoredRecord,
    json_response,
    route,
)
from contactsync_zoho.emulator.accounts import TokenRegistry
from contactsync_zoho.emulator.schema import ModuleSpec, default_modules, field_json, module_json
from contactsync_zoho.emulator.values import USER
from contactsync_zoho.timefmt import parse_zoho_time

API = "/crm/v8"
ID_PREFIX = "9100000000000"  # + 6 digits: 19-digit ids, like Zoho's
PAGE_TOKEN_EXPIRY = timedelta(days=1)


class ZohoBase(EmulatorApp):
    """What every route of the emulated org shares (``app.ZohoEmulator`` is the WSGI app).

    Args:
        tokens: the registry shared with the accounts emulator.
        modules: the org's modules (default: Accounts, Emergency_Contacts, Contacts).
        offset: the org's UTC offset, used to render every stamp.
        clock: the store's clock.
        credit_limit: the org's API credits (a rolling 24 hours at Zoho); every API
            answer carries ``X-RATELIMIT-LIMIT`` and ``X-RATELIMIT-REMAINING``, and a call
            once they are spent answers 429. Each call costs one credit here (Zoho charges
            some calls more; the connector only reads the figures).
    """

    max_batch = 100

    def __init__(
        self,
        tokens: TokenRegistry,
        *,
        modules: list[ModuleSpec] | None = None,
        offset: timedelta = timedelta(0),
        clock: Clock | None = None,
        credit_limit: int = 1_000_000,
    ) -> None:
        super().__init__(clock=clock)
        self.credit_limit = credit_limit
        self.credits_used = 0
        self.store = RecordStore(clock=self.store.clock, id_prefix=ID_PREFIX)
        self.tokens = tokens
        self.modules = {spec.api_name: spec for spec in (modules or default_modules())}
        self.zone = timezone(offset)
        self.denied: list[re.Pattern[str]] = []
        self.calls: list[tuple[str, str]] = []
        self._page_tokens: dict[str, int] = {}
        self._token_serial = itertools.count(1)
        self._module_ids = {name: f"91000000000{i + 1:08d}" for i, name in enumerate(self.modules)}

    # -- test back door ------------------------------------------------------------------

    def deny(self, path_pattern: str) -> None:
        """Requests whose path (below ``/crm/v8``) matches answer ``OAUTH_SCOPE_MISMATCH``."""
        self.denied.append(re.compile(path_pattern))

    def add_account(self, number: str | None, name: str) -> str:
        """An Account with customer key ``number``; its id."""
        values = {"Account_Name": name, "Account_Number": number}
        return self.store.insert("Accounts", values).id

    def add(self, module: str, **values: Any) -> str:
        """A record made by a person in Zoho (lookups given as ids); its id."""
        return self.store.insert(module, self._stored(module, values)).id

    def edit(self, module: str, record_id: str, **values: Any) -> None:
        """A person edits a record in Zoho: its ``Modified_Time`` moves on."""
        record = self._live(module, record_id)
        assert record is not None, f"no live {module} record {record_id}"
        with self.store.batch() as stamp:
            record.values.update(self._stored(module, values))
            record.modified_at = stamp

    def remove(self, module: str, record_id: str) -> None:
        """A person deletes a record in Zoho (to the recycle bin)."""
        assert self.store.delete(module, record_id) is not None

    def live(self, module: str) -> list[StoredRecord]:
        return self.store.live(module)

    def find(self, module: str, field: str, value: Any) -> StoredRecord | None:
        return self.store.find(module, field, value)

    def _stored(self, module: str, values: Mapping[str, Any]) -> dict[str, Any]:
        spec = self.modules[module]
        stored = {}
        for name, value in values.items():
            field = spec.field(name)
            if field is not None and field.data_type == "lookup" and value is not None:
                value = {"id": str(value["id"] if isinstance(value, Mapping) else value)}
            stored[name] = value
        return stored

    # -- shapes ----------------------------------------------------------------------------

    def error(self, status: int, code: str, message: str) -> Response:
        return json_response({"code": code, "details": {}, "message": message, "status": "error"},
                             status)

    def _fail(self, status: int, code: str, message: str, **details: Any) -> Response:
        return json_response(
            {"code": code, "details": details, "message": message, "status": "error"}, status
        )

    def stamp(self, when: datetime) -> str:
        return when.astimezone(self.zone).replace(microsecond=0).isoformat()

    def dispatch(self, request: Request) -> Response:
        if not request.path.startswith(API + "/"):
            return super().dispatch(request)
        if self.credits_used >= self.credit_limit:
            response = self.error(
                429, "TOO_MANY_REQUESTS", "API credits for the 24-hour window are exhausted"
            )
        else:
            self.credits_used += 1
            response = super().dispatch(request)
        left = max(self.credit_limit - self.credits_used, 0)
        response.headers = [
            *(h for h in response.headers if not h[0].upper().startswith("X-RATELIMIT-")),
            ("X-RATELIMIT-LIMIT", str(self.credit_limit)),
            ("X-RATELIMIT-REMAINING", str(left)),
        ]
        return response

    def authorize(self, request: Request) -> Response | None:
        if not request.path.startswith(API + "/"):
            return None
        self.calls.append((request.method, request.path[len(API):]))
        header = request.headers.get("authorization", "")
        if not header.startswith("Zoho-oauthtoken "):
            return self.error(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        if not self.tokens.accepts(header[len("Zoho-oauthtoken "):]):
            return self.error(401, "INVALID_TOKEN", "invalid oauth token")
        below = request.path[len(API):]
        if any(p.search(below) for p in self.denied):
            return self.error(401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")
        return None

    def _module(self, name: str) -> ModuleSpec | Response:
        spec = self.modules.get(name)
        if spec is None:
            return self._fail(400, "INVALID_MODULE", "the module name given seems to be invalid",
                              resource_path_index=0)
        return spec

    def _live(self, module: str, record_id: str) -> StoredRecord | None:
        record = self.store.get(module, record_id)
        return record if record is not None and record.deleted_at is None else None

    def _value(self, spec: ModuleSpec, record: StoredRecord, name: str, *, coql: bool) -> Any:
        if name == "id":
            return record.id
        if name == "Modified_Time":
            return self.stamp(record.modified_at)
        if name == "Created_Time":
            return self.stamp(record.created_at)
        if name in ("Owner", "Created_By", "Modified_By"):
            return dict(USER, email="owner@example.com") if name == "Owner" else dict(USER)
        value = record.values.get(name)
        field = spec.field(name)
        if field is not None and field.data_type == "lookup" and isinstance(value, Mapping):
            if coql:
                return {"id": value["id"]}
            target = self.modules.get(field.lookup or "")
            linked = self.store.get(field.lookup or "", value["id"]) if target else None
            label = linked.values.get(target.name_field) if linked and target else None
            return {"name": label, "id": value["id"]}
        return value

    def _render(
        self, spec: ModuleSpec, record: StoredRecord, fields: list[str], *, coql: bool = False
    ) -> dict[str, Any]:
        row = {"id": record.id}
        for name in fields:
            row[name] = self._value(spec, record, name, coql=coql)
        return row

    def _view(self, spec: ModuleSpec, record: StoredRecord) -> dict[str, Any]:
        """A record as queries see it: lookups as their ids, stamps as text."""
        view = {name: self._value(spec, record, name, coql=True) for name in spec.field_names}
        view["id"] = record.id
        return view

    def _fields_arg(self, spec: ModuleSpec, raw: str | None) -> list[str] | Response:
        if not raw:
            return self._fail(400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is "
                              "missing", param_name="fields")
        names = [n.strip() for n in raw.split(",") if n.strip()]
        if len(names) > 50:
            return self._fail(400, "LIMIT_EXCEEDED", "fields limit exceeded", limit=50,
                              param_name="fields")
        unknown = [n for n in names if n != "id" and spec.field(n) is None]
        if unknown:
            return self._fail(400, "INVALID_DATA", "the field api name given seems to be invalid",
                              api_name=unknown[0], param_name="fields")
        return [n for n in names if n != "id"]

    # -- metadata ------------------------------------------------------------------------

    @route("GET", API + "/settings/modules")
    def get_modules(self, request: Request) -> Response:
        return json_response({"modules": [
            module_json(spec, self._module_ids[name]) for name, spec in self.modules.items()
        ]})

    @route("GET", API + "/settings/fields")
    def get_fields(self, request: Request) -> Response:
        spec = self.modules.get(request.arg("module") or "")
        if spec is None:
            return self._fail(400, "INVALID_MODULE", "the given module is not supported in api",
                              param_name="module")
        fields = []
        for i, field in enumerate(spec.fields):
            field_id = f"{self._module_ids[spec.api_name][:-4]}{i + 1:04d}"
            fields.append(field_json(field, field_id, self._module_ids.get(field.lookup or "")))
        return json_response({"fields": fields})

    def _since(self, request: Request, header: str) -> datetime | Response | None:
        raw = request.headers.get(header)
        if raw is None:
            return None
        when = parse_zoho_time(raw)
        if when is None:
            return self._fail(400, "INVALID_DATA", f"invalid {header} header", param_name=header)
        return when

    def _details(self, record: StoredRecord, order: str = "success") -> dict[str, Any]:
        if order == "conflict":
            return {"Modified_Time": self.stamp(record.modified_at),
                    "Created_Time": self.stamp(record.created_at), "id": record.id,
                    "Modified_By": dict(USER), "Created_By": dict(USER)}
        return {"Modified_Time": self.stamp(record.modified_at), "Modified_By": dict(USER),
                "Created_Time": self.stamp(record.created_at), "id": record.id,
                "Created_By": dict(USER)}

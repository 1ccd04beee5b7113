"""``JiandaoyunEmulator``: the v5 form and data interfaces, in memory, as a WSGI app.

Serve it with ``contactsync.testing.emulator.serve`` and point the connector at
``<url>/api``. It speaks the shapes of the published examples: every answer JSON, every
error HTTP 400 with ``{"code", "msg"}``, rows in ``_id`` order paged by ``data_id``,
``updateTime`` filters, ``transaction_id`` on ``batch_create`` (the same transaction sent
again creates nothing new; with other rows it replaces the first execution's rows),
subforms replaced whole, at most 100 rows per batch (error 17024), forms of the built-in
CRM template refused (error 30002) and ``dataModifyTime`` moving whenever a form's data
changes. Choices of the emulator where the documentation says nothing: an unknown form, a
missing record or a malformed body answer code 1 ("The request is invalid."); a missing
or wrong API key answers HTTP 401.

Faults (8303/8304 bursts, lost answers, 429, 502) come from the harness's ``FaultScript``;
``api_error(8303)`` builds the answer the documentation shows.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contactsync.testing.emulator import (
    Clock,
    EmulatorApp,
    Request,
    Respond,
    Response,
    StoredRecord,
    VendorFault,
    json_response,
    route,
)
from contactsync.testing.emulator.store import RecordStore
from contactsync_jiandaoyun.emulator import filters
from contactsync_jiandaoyun.emulator.forms import (
    API_USER,
    CUSTOMER_ENTRY,
    FormDef,
    member,
    standard_forms,
)
from contactsync_jiandaoyun.emulator.values import Refused, show, stamp, take

TEST_API_KEY = "emulator-test-key-0000"
"""The API key the emulator accepts by default (a fake: tests only)."""
RECORD_PREFIX = "65a00000000000000d"
ROW_PREFIX = "65a000000000000005"
MAX_BATCH = 100
ERROR_MESSAGES = {
    1: "The request is invalid.",
    8303: "超出请求频率限制",
    8304: "超出接口请求频率限制",
    17024: "The number of data exceeds the limit.",
    30002: "The form of a CRM template cannot be accessed through the API.",
}
_PREFIX = "/api/v5/app/entry"
Handler = Callable[[dict[str, Any]], dict[str, Any]]


def api_error(code: int, msg: str | None = None) -> Respond:
    """A scripted fault answering as the API does: HTTP 400 ``{"code", "msg"}``."""
    return Respond(400, body={"code": code, "msg": msg or ERROR_MESSAGES.get(code, "error")})


@dataclass
class _Transaction:
    fingerprint: str
    ids: list[str]


class JiandaoyunEmulator(EmulatorApp):
    """The emulated API. See the module docstring.

    Args:
        forms: the forms served (default: the standard emergency, business and customer
            forms of ``emulator.forms``).
        api_key: the key ``Authorization: Bearer`` must carry.
        clock: stamps for writes (moves only when written to).
        key_field: the field holding the contactsync key (for ``reject``).
    """

    max_batch = MAX_BATCH

    def __init__(
        self,
        forms: Iterable[FormDef] | None = None,
        *,
        api_key: str = TEST_API_KEY,
        clock: Clock | None = None,
        key_field: str = "contactsync_key",
    ) -> None:
        super().__init__(clock=clock)
        self.store = RecordStore(clock=self.store.clock, id_prefix=RECORD_PREFIX)
        self.api_key = api_key
        self.key_field = key_field
        self.forms: dict[str, FormDef] = {}
        for form in standard_forms() if forms is None else forms:
            self.add_form(form)
        self._refusals: dict[str, VendorFault] = {}
        self._transactions: dict[tuple[str, str], _Transaction] = {}
        self._modified: dict[str, tuple[int, datetime]] = {}
        self._rows = 0
        self._failures: dict[str, deque[int]] = {}

    # -- set-up helpers ------------------------------------------------------------------

    def add_form(self, form: FormDef) -> FormDef:
        self.forms[form.entry_id] = form
        return form

    def add_customer(self, key: str, name: str = "", entry: str = CUSTOMER_ENTRY) -> str:
        """A record of the customer form holding ``key``; its id."""
        values = {"customer_no": key, "customer_name": name or f"客户{key}"}
        return self.store.insert(entry, values).id

    def live(self, entry: str) -> list[StoredRecord]:
        """The live records of a form, in ``_id`` order."""
        return sorted(self.store.live(entry), key=lambda r: r.id)

    def restamp(self, entry: str, record_id: str, modified_at: datetime) -> None:
        """Set a record's ``updateTime`` (a write that committed late, stamped earlier)."""
        record = self.store.get(entry, record_id)
        assert record is not None, record_id
        record.modified_at = modified_at

    def fail_next(self, endpoint: str, *codes: int) -> None:
        """Answer the next calls to ``endpoint`` (``data/batch_create``) with these error
        codes, in order, before serving it again (kept in cassettes, unlike the harness's
        fault script, which lives in the server)."""
        self._failures.setdefault(endpoint, deque()).extend(codes)

    def reject(self, key: str, code: str, message: str, field: str | None = None) -> None:
        """Refuse every write carrying record ``key`` (the whole call, as the API does)."""
        self._refusals[key] = VendorFault(code, message, field)

    def take_rejection(self, key: str) -> VendorFault | None:
        return self._refusals.get(key)

    def data_modify_time(self, entry: str) -> datetime:
        """The latest data change of a form: moves on every change, never back."""
        records = self.store.all(entry)
        fingerprint = hash(
            tuple((r.id, r.modified_at, r.deleted_at, json.dumps(r.values, sort_keys=True,
                   default=str)) for r in records)
        )  # fmt: skip
        seen = self._modified.get(entry)
        if seen is None or seen[0] != fingerprint:
            top = max((r.modified_at for r in records), default=self.store.clock.now)
            if seen is not None and top <= seen[1]:
                top = seen[1] + timedelta(milliseconds=1)
            self._modified[entry] = (fingerprint, top)
        return self._modified[entry][1]

    # -- the WSGI side -------------------------------------------------------------------

    def authorize(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return json_response({"code": 401, "msg": "The API key is not valid."}, 401)
        return None

    def error(self, status: int, code: str | int, message: str) -> Response:
        return json_response({"code": code, "msg": message}, status)

    def bad_request(self, message: str) -> Response:
        return self.error(400, 1, ERROR_MESSAGES[1])

    def _serve(self, request: Request, handler: Handler) -> Response:
        failures = self._failures.get(request.path.removeprefix(f"{_PREFIX}/"))
        if failures:
            code = failures.popleft()
            return self.error(400, code, ERROR_MESSAGES.get(code, "error"))
        body = request.json()
        if not isinstance(body, dict):
            return self.bad_request("the body is not an object")
        try:
            return json_response(handler(body))
        except Refused as exc:
            message = ERROR_MESSAGES.get(exc.code) if exc.code != 1 else str(exc)
            return self.error(400, exc.code, message or str(exc))
        except _VendorRefusal as exc:
            vendor: str | int = int(exc.fault.code) if exc.fault.code.isdigit() else exc.fault.code
            return self.error(400, vendor, exc.fault.message)

    def _form(self, body: Mapping[str, Any]) -> FormDef:
        form = self.forms.get(str(body.get("entry_id")))
        if form is None or form.app_id != body.get("app_id"):
            raise Refused("The form does not exist.")
        if form.template:
            raise Refused(ERROR_MESSAGES[30002], 30002)
        return form

    # -- form --------------------------------------------------------------------------

    @route("POST", f"{_PREFIX}/widget/list")
    def widget_list(self, request: Request) -> Response:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            form = self._form(body)
            return {
                "widgets": [w.listing() for w in form.widgets],
                "sysWidgets": form.sys_widgets(),
                "dataModifyTime": stamp(self.data_modify_time(form.entry_id)),
            }

        return self._serve(request, answer)

    # -- reads -------------------------------------------------------------------------

    @route("POST", f"{_PREFIX}/data/list")
    def data_list(self, request: Request) -> Response:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            form = self._form(body)
            limit = body.get("limit", 10)
            if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
                raise Refused("limit must be 1~100")
            filters.check(body.get("filter"))
            after = body.get("data_id")
            fields = body.get("fields")
            wanted = body.get("filter")
            rows = [
                r for r in self.live(form.entry_id)
                if (not after or r.id > after) and filters.matches(wanted, _lookup(form, r))
            ]  # fmt: skip
            return {"data": [self.render(form, r, fields) for r in rows[:limit]]}

        return self._serve(request, answer)

    @route("POST", f"{_PREFIX}/data/get")
    def data_get(self, request: Request) -> Response:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            form = self._form(body)
            return {"data": self.render(form, self._record(form, body.get("data_id")))}

        return self._serve(request, answer)

    def render(self, form: FormDef, record: StoredRecord, fields: Any = None) -> dict[str, Any]:
        """A record as data shows it (only ``fields`` when given)."""
        row: dict[str, Any] = {"_id": record.id, "appId": form.app_id, "entryId": form.entry_id}
        wanted = set(fields) if isinstance(fields, list) else None
        system: dict[str, Any] = {
            "creator": member(API_USER),
            "updater": member(API_USER),
            "createTime": stamp(record.created_at),
            "updateTime": stamp(record.modified_at),
        }
        if form.flow:
            system["flowState"] = 0
        for name, value in system.items():
            if wanted is None or name in wanted:
                row[name] = value
        for widget in form.widgets:
            if widget.name in record.values and (wanted is None or widget.name in wanted):
                row[widget.name] = show(widget, record.values[widget.name])
        if form.wechat and wanted is None:
            row.update(wx_open_id="wx_fake_open_id_01", wx_nickname="fake_nick", wx_gender="男")
        return row

    # -- writes ------------------------------------------------------------------------

    @route("POST", f"{_PREFIX}/data/create")
    def data_create(self, request: Request) -> Response:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            form = self._form(body)
            values = self._values(form, body.get("data"), {})
            self._refuse(values)
            self.note_write(form.entry_id, 1, "create")
            with self.store.batch():
                record = self.store.insert(form.entry_id, values)
            return {"data": self.render(form, record)}

        return self._serve(request, answer)

    @route("POST", f"{_PREFIX}/data/batch_create")
    def data_batch_create(self, request: Request) -> Response:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            form = self._form(body)
            rows = body.get("data_list")
            if not isinstance(rows, list) or not rows:
                raise Refused("data_list must be a non-empty list")
            if len(rows) > MAX_BATCH:
                raise Refused(ERROR_MESSAGES[17024], 17024)
            values = [self._values(form, row, {}) for row in rows]
            for one in values:
                self._refuse(one)
            self.note_write(form.entry_id, len(rows), "batch_create")
            tx = body.get("transaction_id")
            fingerprint = json.dumps(rows, sort_keys=True, ensure_ascii=False)
            done = self._transactions.get((form.entry_id, tx)) if isinstance(tx, str) else None
            with self.store.batch():
                if done is not None:
                    live = [i for i in done.ids if _alive(self.store.get(form.entry_id, i))]
                    if done.fingerprint == fingerprint:
                        return {"status": "success", "success_count": len(live), "success_ids": []}
                    for record_id in live:  # the second execution replaces the first
                        self.store.delete(form.entry_id, record_id)
                ids = [self.store.insert(form.entry_id, one).id for one in values]
            if isinstance(tx, str):
                self._transactions[(form.entry_id, tx)] = _Transaction(fingerprint, ids)
            return {"status": "success", "success_count": len(ids), "success_ids": ids}

        return self._serve(request, answer)

    @route("POST", f"{_PREFIX}/data/update")
    def data_update(self, request: Request) -> Response:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            form = self._form(body)
            record = self._record(form, body.get("data_id"))
            values = self._values(form, body.get("data"), record.values)
            self._refuse({**record.values, **values})
            self.note_write(form.entry_id, 1, "update")
            with self.store.batch() as now:
                record.values = {**record.values, **values}
                record.modified_at = now
            return {"data": self.render(form, record)}

        return self._serve(request, answer)

    @route("POST", f"{_PREFIX}/data/batch_update")
    def data_batch_update(self, request: Request) -> Response:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            form = self._form(body)
            ids = _ids(body.get("data_ids"))
            data = body.get("data")
            if isinstance(data, Mapping) and any(
                (w := form.widget(name)) is not None and w.type == "subform" for name in data
            ):
                raise Refused("batch_update does not take subforms")
            values = self._values(form, data, {})
            records = [r for r in (self.store.get(form.entry_id, i) for i in ids) if _alive(r)]
            self.note_write(form.entry_id, len(ids), "batch_update")
            with self.store.batch() as now:
                for record in records:
                    assert record is not None
                    record.values = {**record.values, **values}
                    record.modified_at = now
            return {"status": "success", "success_count": len(records)}

        return self._serve(request, answer)

    @route("POST", f"{_PREFIX}/data/delete")
    def data_delete(self, request: Request) -> Response:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            form = self._form(body)
            record = self._record(form, body.get("data_id"))
            self.note_write(form.entry_id, 1, "delete")
            with self.store.batch():
                self.store.delete(form.entry_id, record.id)
            return {"status": "success"}

        return self._serve(request, answer)

    @route("POST", f"{_PREFIX}/data/batch_delete")
    def data_batch_delete(self, request: Request) -> Response:
        def answer(body: dict[str, Any]) -> dict[str, Any]:
            form = self._form(body)
            ids = _ids(body.get("data_ids"))
            if len(ids) > MAX_BATCH:
                raise Refused(ERROR_MESSAGES[17024], 17024)
            self.note_write(form.entry_id, len(ids), "batch_delete")
            with self.store.batch():
                deleted = [i for i in ids if self.store.delete(form.entry_id, i) is not None]
            return {"status": "success", "success_count": len(deleted)}

        return self._serve(request, answer)

    # -- helpers -----------------------------------------------------------------------

    def _record(self, form: FormDef, record_id: Any) -> StoredRecord:
        record = self.store.get(form.entry_id, str(record_id))
        if not _alive(record):
            raise Refused("The data does not exist.")
        assert record is not None
        return record

    def _values(self, form: FormDef, data: Any, current: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(data, Mapping):
            raise Refused("data must be an object")
        values: dict[str, Any] = {}
        for name, wrapped in data.items():
            widget = form.widget(name)
            if widget is None:
                raise Refused(f"the form has no field {name!r}")
            values[name] = take(widget, wrapped, current.get(name), self._row_id)
        return values

    def _row_id(self) -> str:
        self._rows += 1
        return f"{ROW_PREFIX}{self._rows:06d}"

    def _refuse(self, values: Mapping[str, Any]) -> None:
        key = values.get(self.key_field)
        fault = self.take_rejection(str(key)) if key else None
        if fault is not None:
            raise _VendorRefusal(fault)


class _VendorRefusal(Exception):
    def __init__(self, fault: VendorFault) -> None:
        super().__init__(fault.message)
        self.fault = fault


def _alive(record: StoredRecord | None) -> bool:
    return record is not None and record.deleted_at is None


def _ids(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Refused("data_ids must be a list of ids")
    return list(value)


def _lookup(form: FormDef, record: StoredRecord) -> filters.Lookup:
    def lookup(name: str) -> tuple[Any, bool]:
        if name == "updateTime":
            return stamp(record.modified_at), True
        if name == "createTime":
            return stamp(record.created_at), True
        if name == "_id":
            return record.id, False
        widget = form.widget(name)
        return record.values.get(name), widget is not None and widget.type == "datetime"

    return lookup


__all__ = ["ERROR_MESSAGES", "MAX_BATCH", "TEST_API_KEY", "JiandaoyunEmulator", "api_error"]

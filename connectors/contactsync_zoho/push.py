"""Writing one module: creates, updates and archives in calls of at most 100 records.

* **create**: Upsert Records with ``duplicate_check_fields = [<key field>]`` (the default),
  so a create retried after a lost answer updates the record it made instead of making a
  second one. ``create_with = "insert"`` uses Insert Records; a retry then fails with
  ``DUPLICATE_DATA`` naming the existing record.
* **update**: Update Records with ``If-Unmodified-Since`` set to the ``Modified_Time`` the
  record had when it was read (or, for a record an incremental read did not return
  because it had not changed, that read's lower bound). One header covers a whole call,
  so updates are grouped by that stamp. A record changed in Zoho since (412 /
  ``ALREADY_MODIFIED``) is not overwritten: it comes back as a failed result with code
  ``ALREADY_MODIFIED``; its base is kept, and the next reconcile reads the concurrent edit
  and plans again.
* **archive**: Delete Records (to Zoho's recycle bin); deleting a record already gone is
  success (a retried archive).

Results: ``data[i]`` answers input ``i`` (Zoho keeps the order); when the counts differ,
``details.json_path`` (``$.data[3]...``) says which input an entry answers. 207 mixes
successes and per-record errors; a 400 with ``data`` is per-record errors only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from contactsync.connector import VendorError, WriteAction, WriteOp, WriteResult
from contactsync_zoho.accounts import AccountKeys, chunked, key_text
from contactsync_zoho.client import ZohoApiError, ZohoClient, ZohoResponse, error_parts
from contactsync_zoho.modules import MODIFIED_TIME, RECORD_ID, ModulePlan, Seen
from contactsync_zoho.query import record_id as checked_id
from contactsync_zoho.settings import MAX_IDS_PER_CALL, MAX_RECORDS_PER_WRITE, CreateMode
from contactsync_zoho.timefmt import format_zoho_time, parse_zoho_time

_JSON_PATH_INDEX = re.compile(r"^\$\.(?:data|ids)\[(\d+)\]")
WRITE_STATUSES = (400, 207, 412)
_NOT_FOUND_CODES = frozenset({"INVALID_DATA", "NOT_FOUND", "RECORD_NOT_FOUND"})


class Pusher:
    """Writes one module. See the module docstring.

    Args:
        client: the tenant's client.
        plan: the module's plan.
        accounts: the customer-key resolver, when the customer is an Account lookup.
        seen: what was read (shared with pull): the stamps ``If-Unmodified-Since`` uses.
        create_with: ``upsert`` or ``insert``.
        triggers: the ``trigger`` list sent with every write.
    """

    def __init__(
        self,
        client: ZohoClient,
        plan: ModulePlan,
        accounts: AccountKeys | None,
        *,
        seen: Seen,
        create_with: CreateMode = "upsert",
        triggers: Sequence[str] = (),
    ) -> None:
        self.client = client
        self.plan = plan
        self.accounts = accounts
        self.seen = seen
        self.stamps = seen.stamps
        self.create_with = create_with
        self.triggers = list(triggers)

    def push(self, operations: Sequence[WriteOp]) -> list[WriteResult]:
        """One result per operation, in input order."""
        results: dict[int, WriteResult] = {}
        by_action: dict[WriteAction, list[int]] = defaultdict(list)
        for index, op in enumerate(operations):
            by_action[op.action].append(index)
        bodies = self._bodies(operations, [i for i in range(len(operations))
                                           if operations[i].action != "archive"], results)
        creates = [i for i in by_action["create"] if i in bodies]
        for chunk in chunked(creates, MAX_RECORDS_PER_WRITE):
            self._send_creates(operations, list(chunk), bodies, results)
        updates = [i for i in by_action["update"] if i in bodies]
        self._send_updates(operations, updates, bodies, results)
        for chunk in chunked(by_action["archive"], MAX_RECORDS_PER_WRITE):
            self._send_archives(operations, list(chunk), results)
        return [results[i] for i in range(len(operations))]

    # -- bodies --------------------------------------------------------------------------

    def _bodies(
        self, operations: Sequence[WriteOp], indexes: list[int], results: dict[int, WriteResult]
    ) -> dict[int, dict[str, Any]]:
        """The JSON record of each write; a record that cannot be written gets its result."""
        customer = self.plan.customer_field
        account_ids: dict[str, list[str]] = {}
        if customer is not None and self.accounts is not None:
            keys = [k for k in (key_text(operations[i].values.get(customer)) for i in indexes) if k]
            account_ids = self.accounts.ids_for(keys) if keys else {}
        bodies: dict[int, dict[str, Any]] = {}
        for index in indexes:
            op = operations[index]
            body: dict[str, Any] = {}
            for name, value in op.values.items():
                if name == RECORD_ID or not self.plan.writable(name):
                    continue  # Zoho's own fields (Modified_Time, id) are never sent
                body[name] = self._vendor_value(name, value)
            body[self.plan.key_field] = op.key
            if customer is not None and customer in body:
                key = key_text(body[customer])
                if key is None:
                    body[customer] = None
                else:
                    found = account_ids.get(key, [])
                    if len(found) != 1:
                        code = "CUSTOMER_NOT_FOUND" if not found else "AMBIGUOUS_CUSTOMER"
                        assert self.accounts is not None
                        what = "no" if not found else str(len(found))
                        results[index] = _failed(op, VendorError(
                            code,
                            f"{what} {self.accounts.module} record(s) with "
                            f"{self.accounts.key_field} = {key!r}; contactsync does not "
                            "create or guess customers",
                            (customer,),
                        ))
                        continue
                    body[customer] = {"id": found[0]}
            bodies[index] = body
        return bodies

    def _vendor_value(self, name: str, value: Any) -> Any:
        """Zoho's form of a mapped value: date-times with a ``+00:00`` offset, not ``Z``."""
        meta = self.plan.meta.field(name)
        if meta is not None and meta.data_type == "datetime" and isinstance(value, str):
            stamp = parse_zoho_time(value)
            return format_zoho_time(stamp) if stamp is not None else value
        return value

    def _envelope(self, records: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {"data": records, "trigger": self.triggers, **extra}

    # -- creates -------------------------------------------------------------------------

    def _send_creates(
        self,
        operations: Sequence[WriteOp],
        chunk: list[int],
        bodies: Mapping[int, dict[str, Any]],
        results: dict[int, WriteResult],
    ) -> None:
        records = [bodies[i] for i in chunk]
        if self.create_with == "upsert":
            path = f"/{self.plan.module}/upsert"
            envelope = self._envelope(records, duplicate_check_fields=[self.plan.key_field])
        else:
            path = f"/{self.plan.module}"
            envelope = self._envelope(records)
        answer = self._write("POST", path, envelope, chunk, operations, results)
        if answer is not None:
            self._record_results(operations, chunk, answer, results)

    # -- updates ---------------------------------------------------------------------------

    def _send_updates(
        self,
        operations: Sequence[WriteOp],
        indexes: list[int],
        bodies: Mapping[int, dict[str, Any]],
        results: dict[int, WriteResult],
    ) -> None:
        ready: list[int] = []
        for index in indexes:
            op = operations[index]
            try:
                checked_id(op.record_id or "")
            except ValueError:
                results[index] = _failed(op, VendorError(
                    "INVALID_DATA", f"update needs the Zoho record id, got {op.record_id!r}",
                    (RECORD_ID,),
                ))
                continue
            ready.append(index)
        self._learn_stamps([operations[i].record_id or "" for i in ready])
        groups: dict[datetime, list[int]] = defaultdict(list)
        for index in ready:
            op = operations[index]
            stamp = self.seen.stamp_for(op.record_id or "")
            if stamp is None:
                results[index] = _failed(op, VendorError(
                    "NOT_FOUND", f"Zoho has no live {self.plan.module} record {op.record_id}; "
                    "it was deleted after it was read", (RECORD_ID,),
                ))
                continue
            groups[stamp].append(index)
        for stamp in sorted(groups):
            for chunk in chunked(groups[stamp], MAX_RECORDS_PER_WRITE):
                records = [{RECORD_ID: operations[i].record_id, **bodies[i]} for i in chunk]
                answer = self._write(
                    "PUT", f"/{self.plan.module}", self._envelope(records), list(chunk),
                    operations, results, headers={"If-Unmodified-Since": format_zoho_time(stamp)},
                )
                if answer is not None:
                    self._record_results(operations, list(chunk), answer, results)

    def _learn_stamps(self, record_ids: list[str]) -> None:
        """``Modified_Time`` of records updated without having been read in this process
        (the Python API used without a pull first): the guard then covers edits made from
        now on only."""
        unknown = [
            rid for rid in dict.fromkeys(record_ids)
            if rid and self.seen.stamp_for(rid) is None
        ]
        for chunk in chunked(unknown, MAX_IDS_PER_CALL):
            answer = self.client.call(
                "GET", f"/{self.plan.module}",
                params={"ids": ",".join(chunk), "fields": MODIFIED_TIME},
            )
            for row in answer.data:
                if not isinstance(row, Mapping):
                    continue
                stamp = parse_zoho_time(row.get(MODIFIED_TIME))
                if stamp is not None:
                    self.stamps[str(row.get(RECORD_ID))] = stamp

    # -- archives ----------------------------------------------------------------------------

    def _send_archives(
        self, operations: Sequence[WriteOp], chunk: list[int], results: dict[int, WriteResult]
    ) -> None:
        ids: list[str] = []
        ready: list[int] = []
        for index in chunk:
            op = operations[index]
            try:
                ids.append(checked_id(op.record_id or ""))
            except ValueError:
                results[index] = _failed(op, VendorError(
                    "INVALID_DATA", f"archive needs the Zoho record id, got {op.record_id!r}",
                    (RECORD_ID,),
                ))
                continue
            ready.append(index)
        if not ready:
            return
        answer = self._write(
            "DELETE", f"/{self.plan.module}", None, ready, operations, results,
            params={"ids": ",".join(ids), "wf_trigger": "false"},
        )
        if answer is None:
            return
        self._record_results(operations, ready, answer, results)
        for index in ready:
            result = results[index]
            if not result.ok and result.error is not None and result.error.code in _NOT_FOUND_CODES:
                # Already gone (a retried archive): the goal of the operation holds.
                results[index] = WriteResult(
                    result.key, True, "archive", operations[index].record_id
                )
            if results[index].ok:
                self.stamps.pop(operations[index].record_id or "", None)

    # -- calls and results -----------------------------------------------------------------------

    def _write(
        self,
        method: str,
        path: str,
        body: Any,
        chunk: list[int],
        operations: Sequence[WriteOp],
        results: dict[int, WriteResult],
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> ZohoResponse | None:
        try:
            return self.client.call(
                method, path, params=params, body=body, headers=headers, accept=WRITE_STATUSES
            )
        except ZohoApiError as exc:  # refused as a whole: every record of the call says so
            error = VendorError(exc.code, str(exc), _fields(exc.details))
            for index in chunk:
                results[index] = _failed(operations[index], error)
            return None

    def _record_results(
        self,
        operations: Sequence[WriteOp],
        chunk: list[int],
        answer: ZohoResponse,
        results: dict[int, WriteResult],
    ) -> None:
        entries = [e for e in answer.data if isinstance(e, Mapping)]
        if not entries:  # a whole-call error body ({"code": ...}) for every record
            code, message, details = error_parts(answer.body)
            error = VendorError(code, f"Zoho answered HTTP {answer.status} {code}: {message}",
                                _fields(details))
            for index in chunk:
                results[index] = _failed(operations[index], error)
            return
        placed = _place(entries, len(chunk))
        for position, index in enumerate(chunk):
            entry = placed.get(position)
            op = operations[index]
            if entry is None:
                results[index] = _failed(op, VendorError(
                    "NO_RESULT", "Zoho's answer has no entry for this record", retryable=True,
                ))
                continue
            results[index] = self._result(op, entry)

    def _result(self, op: WriteOp, entry: Mapping[str, Any]) -> WriteResult:
        details = entry.get("details") if isinstance(entry.get("details"), Mapping) else {}
        assert isinstance(details, Mapping)
        code = str(entry.get("code") or "UNKNOWN")
        if str(entry.get("status")).lower() == "success" or code == "SUCCESS":
            record_id = str(details.get(RECORD_ID) or op.record_id or "") or None
            stamp = parse_zoho_time(details.get(MODIFIED_TIME))
            if record_id is not None and stamp is not None:
                self.stamps[record_id] = stamp
            return WriteResult(op.key, True, op.action, record_id)
        message = str(entry.get("message") or code)
        existing = None
        if code == "DUPLICATE_DATA":
            duplicate = details.get("duplicate_record")
            if isinstance(duplicate, Mapping) and duplicate.get(RECORD_ID):
                existing = str(duplicate[RECORD_ID])
            elif details.get(RECORD_ID):
                existing = str(details[RECORD_ID])
            if existing:
                message = f"{message} (existing record {existing})"
        if code == "ALREADY_MODIFIED":
            self.stamps.pop(op.record_id or "", None)  # read it again before any retry
            changed = details.get(MODIFIED_TIME)
            message = (
                f"changed in Zoho{f' at {changed}' if changed else ''} after contactsync read "
                "it; not overwritten: the next reconcile reads the change and plans again"
            )
        error = VendorError(code, message, _fields(details), retryable=False)
        return WriteResult(op.key, False, op.action, existing or op.record_id, error)


def _place(entries: list[Mapping[str, Any]], count: int) -> dict[int, Mapping[str, Any]]:
    """Which input each answer entry belongs to: by position when the counts agree, else by
    ``details.json_path``."""
    if len(entries) == count:
        return dict(enumerate(entries))
    placed: dict[int, Mapping[str, Any]] = {}
    for entry in entries:
        details = entry.get("details")
        path = details.get("json_path") if isinstance(details, Mapping) else None
        found = _JSON_PATH_INDEX.match(path) if isinstance(path, str) else None
        if found is not None and int(found.group(1)) < count:
            placed.setdefault(int(found.group(1)), entry)
    return placed


def _fields(details: Mapping[str, Any]) -> tuple[str, ...]:
    name = details.get("api_name")
    return (str(name),) if isinstance(name, str) and name else ()


def _failed(op: WriteOp, error: VendorError) -> WriteResult:
    return WriteResult(op.key, False, op.action, op.record_id, error)


__all__ = ["Pusher"]

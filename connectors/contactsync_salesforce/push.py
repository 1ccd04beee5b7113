"""Writing one object with sObject Collections, at most ``batch_size`` (≤ 200) records a call.

* **create** → upsert by the contactsync key, ``PATCH composite/sobjects/{Object}/{Key}``:
  a retry after a timeout that hid the commit updates the record it made instead of
  making a second one.
* **update** of a record whose id is known → ``PATCH composite/sobjects`` by record id:
  that also stamps the key on a record people created in Salesforce without one (an upsert
  by the new key would have created a copy), and a record deleted meanwhile is reported
  (``ENTITY_IS_DELETED``) rather than silently made again. Without an id: upsert by key.
* **archive** → ``DELETE composite/sobjects?ids=...`` (to the recycle bin, restorable for
  15 days); a record already gone counts as archived.

Every call is ``allOrNone=false`` and its results are matched to the records by position.
A record that failed with a passing error (``UNABLE_TO_LOCK_ROW``) is sent again, alone
with the others that did, after a backoff; a record's lasting error becomes its result
with the vendor's code, message and fields. A whole call refused for good fails each of
its records the same way; quota and authentication errors stop the push.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal

from contactsync.connector import VendorError, WriteOp, WriteResult
from contactsync.errors import AuthError, ContactsyncError, QuotaExhausted, RetryableError
from contactsync_salesforce.api import SalesforceApi
from contactsync_salesforce.errors import SalesforceCallError, record_error
from contactsync_salesforce.records import UnwritableValue, nest
from contactsync_salesforce.soql import is_record_id, quote_all, select

Sleep = Callable[[float], None]
SendMode = Literal["upsert", "update"]
ALREADY_GONE = frozenset({"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"})
_KEYS_PER_QUERY = 100


def backoff(attempt: int, cap: float) -> float:
    """Exponential with jitter: about 1, 2, 4... seconds, never above ``cap``."""
    return float(min(cap, 2 ** (attempt - 1) + random.uniform(0, 1)))


class ObjectPush:
    """Writes one batch of operations to one object.

    Args:
        api: the org.
        obj: the object.
        key_field: the external-id field holding the contactsync key.
        batch_size: records per call (≤ 200).
        max_attempts: sends of a record that keeps failing with a passing error.
        max_wait: the longest wait between two sends.
        sleep: waits between sends (tests pass a recorder).
    """

    def __init__(
        self,
        api: SalesforceApi,
        obj: str,
        key_field: str,
        *,
        batch_size: int,
        max_attempts: int,
        max_wait: float,
        sleep: Sleep,
    ) -> None:
        self.api = api
        self.object = obj
        self.key_field = key_field
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.sleep = sleep

    def write(self, ops: Sequence[WriteOp]) -> list[WriteResult]:
        """One result per operation, in order."""
        results: dict[int, WriteResult] = {}
        upserts: list[int] = []
        updates: list[int] = []
        archives: list[int] = []
        for index, op in enumerate(ops):
            if not op.key.strip():
                results[index] = _failed(op, VendorError("INVALID_KEY", "no contactsync key"))
            elif op.action == "archive":
                archives.append(index)
            elif op.action == "update" and is_record_id(op.record_id):
                updates.append(index)
            else:
                upserts.append(index)
        for chunk in self._chunks(upserts):
            self._send(ops, chunk, "upsert", results)
        for chunk in self._chunks(updates):
            self._send(ops, chunk, "update", results)
        for chunk in self._chunks(archives):
            self._archive(ops, chunk, results)
        return [results[index] for index in range(len(ops))]

    def _chunks(self, indexes: list[int]) -> Iterator[list[int]]:
        for start in range(0, len(indexes), self.batch_size):
            yield indexes[start : start + self.batch_size]

    # -- upsert and update ----------------------------------------------------------------

    def _send(
        self, ops: Sequence[WriteOp], chunk: list[int], mode: SendMode,
        results: dict[int, WriteResult],
    ) -> None:
        pending: list[tuple[int, dict[str, Any]]] = []
        for index in chunk:
            op = ops[index]
            try:
                body = nest(op.values)
            except UnwritableValue as exc:
                error = VendorError("UNWRITABLE_FIELD", str(exc), (exc.field,))
                results[index] = _failed(op, error)
                continue
            body[self.key_field] = op.key
            record: dict[str, Any] = {"attributes": {"type": self.object}, **body}
            if mode == "update":
                record["id"] = op.record_id
            pending.append((index, record))
        attempt = 1
        while pending:
            try:
                answer = self._call(mode, [record for _, record in pending])
            except (QuotaExhausted, AuthError):
                raise
            except ContactsyncError as exc:
                error = _call_error(exc)
                for index, _ in pending:
                    results[index] = _failed(ops[index], error)
                return
            again = self._take(ops, [index for index, _ in pending], answer, attempt, results)
            pending = [(index, record) for index, record in pending if index in again]
            if pending:
                self.sleep(backoff(attempt, self.max_wait))
                attempt += 1

    def _call(self, mode: SendMode, records: list[dict[str, Any]]) -> Any:
        body = {"allOrNone": False, "records": records}
        if mode == "upsert":
            path = f"composite/sobjects/{self.object}/{self.key_field}"
            call = f"the upsert of {len(records)} {self.object} record(s)"
        else:
            path = "composite/sobjects"
            call = f"the update of {len(records)} {self.object} record(s)"
        return self.api.rest("PATCH", path, call, body=body)

    def _take(
        self, ops: Sequence[WriteOp], indexes: list[int], answer: Any, attempt: int,
        results: dict[int, WriteResult], *, ids: Mapping[int, str] | None = None,
    ) -> set[int]:
        """Record the results of one call; the indexes to send again.

        ``ids`` (deletions) are the record ids sent; a record already gone counts as done.
        """
        if not isinstance(answer, list) or len(answer) != len(indexes):
            count = len(answer) if isinstance(answer, list) else 0
            error = VendorError(
                "RESULT_MISMATCH", f"Salesforce answered {count} result(s) for {len(indexes)}"
            )
            for index in indexes:
                results[index] = _failed(ops[index], error)
            return set()
        again: set[int] = set()
        for index, item in zip(indexes, answer, strict=True):
            op = ops[index]
            sent_id = ids.get(index) if ids is not None else None
            if isinstance(item, dict) and item.get("success") is True:
                record_id = item.get("id") or sent_id or op.record_id
                results[index] = WriteResult(op.key, True, op.action, str(record_id or "") or None)
                continue
            error = record_error(item.get("errors") if isinstance(item, dict) else None)
            if ids is not None and error.code in ALREADY_GONE:
                results[index] = WriteResult(op.key, True, op.action, sent_id)
            elif error.retryable and attempt < self.max_attempts:
                again.add(index)
            else:
                results[index] = _failed(op, error)
        return again

    # -- archive --------------------------------------------------------------------------

    def _archive(
        self, ops: Sequence[WriteOp], chunk: list[int], results: dict[int, WriteResult]
    ) -> None:
        targets: dict[int, str] = {}
        unknown: list[int] = []
        for index in chunk:
            record_id = ops[index].record_id
            if record_id is not None and is_record_id(record_id):
                targets[index] = record_id
            else:
                unknown.append(index)
        if unknown:
            found: dict[str, str] = {}
            try:
                found = self._ids_by_key([ops[index].key for index in unknown])
            except (QuotaExhausted, AuthError):
                raise
            except ContactsyncError as exc:
                for index in unknown:
                    results[index] = _failed(ops[index], _call_error(exc))
                unknown = []
            for index in unknown:
                key = ops[index].key
                if key in found:
                    targets[index] = found[key]
                else:  # no live record holds the key: already archived
                    results[index] = WriteResult(key, True, "archive", None)
        pending = sorted(targets)
        attempt = 1
        while pending:
            ids = [targets[index] for index in pending]
            try:
                answer = self.api.rest(
                    "DELETE", "composite/sobjects",
                    f"the deletion of {len(ids)} {self.object} record(s)",
                    params={"ids": ",".join(ids), "allOrNone": "false"},
                )
            except (QuotaExhausted, AuthError):
                raise
            except ContactsyncError as exc:
                for index in pending:
                    results[index] = _failed(ops[index], _call_error(exc))
                return
            again = self._take(ops, pending, answer, attempt, results, ids=targets)
            pending = [index for index in pending if index in again]
            if pending:
                self.sleep(backoff(attempt, self.max_wait))
                attempt += 1

    def _ids_by_key(self, keys: list[str]) -> dict[str, str]:
        """Record id of each key that a live record holds (escaped into SOQL)."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            part = keys[start : start + _KEYS_PER_QUERY]
            soql = select(
                self.object, ["Id", self.key_field], [f"{self.key_field} IN {quote_all(part)}"],
                order="",
            )
            call = f"the lookup of {len(part)} {self.object} key(s)"
            answer = self.api.query(soql, call)
            while True:
                for row in answer.get("records") or []:
                    key, record_id = row.get(self.key_field), row.get("Id")
                    if isinstance(key, str) and is_record_id(record_id):
                        found[key] = str(record_id)
                next_url = answer.get("nextRecordsUrl")
                if not next_url or answer.get("done") is True:
                    break
                answer = self.api.query_more(str(next_url), call)
        return found


def _call_error(exc: ContactsyncError) -> VendorError:
    if isinstance(exc, SalesforceCallError) and exc.errors:
        first = exc.errors[0]
        return VendorError(first.code, first.message, first.fields, retryable=False)
    if isinstance(exc, RetryableError):
        return VendorError("CALL_RETRIES_EXHAUSTED", str(exc), retryable=True)
    return VendorError("CALL_FAILED", str(exc))


def _failed(op: WriteOp, error: VendorError) -> WriteResult:
    return WriteResult(op.key, False, op.action, op.record_id, error)

"""The read routes: queries with paging, describe, records by external id, limits, Get
Deleted / Get Updated, and ``/composite`` GET subrequests."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from contactsync.testing.emulator import EmulatorApp, Request, Response, json_response, route
from contactsync_salesforce.emulator.base import (
    CallRefused,
    Locator,
    OrgBase,
    field_named,
    sf_error,
)
from contactsync_salesforce.emulator.soql import Query, SoqlError, check_literals, matches, parse
from contactsync_salesforce.emulator.soql import sort_key as soql_sort_key
from contactsync_salesforce.emulator.values import format_datetime, parse_datetime

MAX_SUBREQUESTS = 25
DELETE_LOG_DAYS = 15
_BY_KEY = re.compile(r"/services/data/(v[^/]+)/sobjects/([^/]+)/([^/]+)/(.+)")
_RESERVED = ("describe", "deleted", "updated")


class OrgReads(OrgBase):
    """``OrgBase`` with the read routes (and the dispatch that finds records by key)."""

    # -- dispatch ---------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        api = request.path.startswith("/services/data/")
        if api:
            refused = self._check_session(request)
            if refused is not None:
                return self._headed(refused, api=True)
            if self.api_used >= self.api_limit:
                return self._headed(
                    sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
                    api=True,
                )
            self.api_used += 1
            self.api_calls += 1
            found = _BY_KEY.fullmatch(request.path)
            if found and found.group(3) not in _RESERVED and request.method == "GET":
                version, obj, key_field, value = found.groups()
                return self._headed(self._by_key(version, obj, key_field, value, request), api=True)
        return self._headed(super().dispatch(request), api=api)

    # -- queries ----------------------------------------------------------------------------

    @route("GET", "/services/data/{version}/query/")
    @route("GET", "/services/data/{version}/query")
    def _query(self, request: Request) -> Response:
        return self._run_query(request, include_deleted=False)

    @route("GET", "/services/data/{version}/queryAll/")
    @route("GET", "/services/data/{version}/queryAll")
    def _query_all(self, request: Request) -> Response:
        return self._run_query(request, include_deleted=True)

    def _run_query(self, request: Request, *, include_deleted: bool) -> Response:
        try:
            version = self._version(request)
            text = request.arg("q")
            if not text:
                raise SoqlError("MALFORMED_QUERY", "the q parameter is missing")
            query = parse(text)
            rows = self._select(query, include_deleted, version)
        except SoqlError as exc:
            return sf_error(400, exc.code, exc.message)
        except CallRefused as exc:
            return sf_error(400 if exc.code != "NOT_FOUND" else 404, exc.code, exc.message)
        if query.count:
            return json_response({"totalSize": len(rows), "done": True, "records": []})
        return self._page(rows, 0, self._batch_size(request), version, None)

    @route("GET", "/services/data/{version}/query/{locator}")
    @route("GET", "/services/data/{version}/queryAll/{locator}")
    def _query_more(self, request: Request) -> Response:
        locator, _, offset = request.params["locator"].partition("-")
        found = self._locators.get(locator)
        if found is None or not offset.isdigit():
            return sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(found.rows, int(offset), found.batch, request.params["version"], locator)

    def _batch_size(self, request: Request) -> int:
        options = request.headers.get("sforce-query-options", "")
        found = re.search(r"batchSize\s*=\s*(\d+)", options)
        wanted = int(found.group(1)) if found else 2000
        return max(self.min_batch_size, min(2000, wanted))

    def _page(
        self, rows: list[dict[str, Any]], offset: int, batch: int, version: str, locator: str | None
    ) -> Response:
        chunk = rows[offset : offset + batch]
        done = offset + batch >= len(rows)
        body: dict[str, Any] = {"totalSize": len(rows), "done": done}
        if not done:
            if locator is None:
                self._serial += 1
                locator = f"0r8EMU{self._serial:012d}"
                self._locators[locator] = Locator(rows, batch)
            path = f"/services/data/{version}/query/{locator}-{offset + batch}"
            body["nextRecordsUrl"] = self.instance_url + path if self.absolute_next_urls else path
        body["records"] = chunk
        return json_response(body)

    def _select(self, query: Query, include_deleted: bool, version: str) -> list[dict[str, Any]]:
        spec = self._spec(query.object)
        names = [*query.fields, *query.condition_fields(), *(o.field for o in query.order)]
        chains = {name: self._path(spec, name) for name in names}
        check_literals(query, lambda name: chains[name][-1].type)
        records = [
            r for r in self.store.all(spec.name) if include_deleted or r.deleted_at is None
        ]
        chosen = [r for r in records if matches(query.where, self._reader(spec, r, chains))]
        if query.order:
            chosen.sort(key=lambda r: soql_sort_key(query.order, self._reader(spec, r, chains)))
        if query.limit is not None:
            chosen = chosen[: query.limit]
        return [self._row(spec, r, query.fields, version, chains) for r in chosen]

    # -- describe and single records --------------------------------------------------------

    @route("GET", "/services/data/{version}/sobjects/{object}/describe")
    @route("GET", "/services/data/{version}/sobjects/{object}/describe/")
    def _describe(self, request: Request) -> Response:
        try:
            version = self._version(request)
        except CallRefused as exc:
            return sf_error(404, exc.code, exc.message)
        spec = self.org.get(request.params["object"])
        if spec is None:
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        return json_response(spec.describe(version))

    def _by_key(
        self, version: str, obj: str, key_field: str, value: str, request: Request
    ) -> Response:
        spec = self.org.get(obj)
        key = field_named(spec, key_field) if spec else None
        if spec is None or key is None or not (key.external_id or key.type == "id"):
            return sf_error(
                404, "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {key_field}",
            )
        matches_ = [
            r for r in self.store.live(spec.name)
            if (r.id if key.type == "id" else r.values.get(key.name)) == value
        ]
        if not matches_:
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        if len(matches_) > 1:
            return json_response([f"/services/data/{version}/sobjects/{obj}/{r.id}"
                                  for r in matches_], 300)
        wanted = request.arg("fields")
        names = [n for n in (wanted or "").split(",") if n] or list(spec.fields)
        try:
            return json_response(self._row(spec, matches_[0], names, version))
        except SoqlError as exc:
            return sf_error(400, exc.code, exc.message)

    @route("GET", "/services/data/{version}/limits")
    @route("GET", "/services/data/{version}/limits/")
    def _limits(self, request: Request) -> Response:
        remaining = max(0, self.api_limit - self.api_used)
        return json_response({"DailyApiRequests": {"Max": self.api_limit, "Remaining": remaining}})

    # -- replication ------------------------------------------------------------------------

    @route("GET", "/services/data/{version}/sobjects/{object}/deleted/")
    @route("GET", "/services/data/{version}/sobjects/{object}/deleted")
    def _deleted(self, request: Request) -> Response:
        return self._replication(request, deleted=True)

    @route("GET", "/services/data/{version}/sobjects/{object}/updated/")
    @route("GET", "/services/data/{version}/sobjects/{object}/updated")
    def _updated(self, request: Request) -> Response:
        return self._replication(request, deleted=False)

    def _replication(self, request: Request, *, deleted: bool) -> Response:
        spec = self.org.get(request.params["object"])
        if spec is None:
            return sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        start, end = _minute(request.arg("start")), _minute(request.arg("end"))
        if start is None or end is None:
            return sf_error(400, "MALFORMED_QUERY", "start and end must be date-times")
        now = self.store.clock.now
        if end - start <= timedelta(minutes=1):
            return sf_error(
                400, "INVALID_REPLICATION_DATE",
                "startDate must chronologically precede endDate by more than one minute",
            )
        horizon = now.replace(second=0, microsecond=0) - timedelta(days=DELETE_LOG_DAYS)
        if start < horizon:
            return sf_error(400, "INVALID_REPLICATION_DATE",
                            f"startDate cannot be more than {DELETE_LOG_DAYS} days ago")
        covered = min(end, now.replace(second=0, microsecond=0))
        earliest = max(horizon, self.purged_before or horizon)
        if deleted:
            log = {record_id: when for obj, record_id, when in self.delete_log if obj == spec.name}
            for record in self.store.all(spec.name):  # deleted straight in the store
                if record.deleted_at is not None:
                    log[record.id] = max(log.get(record.id, record.deleted_at), record.deleted_at)
            gone = sorted((when, record_id) for record_id, when in log.items()
                          if start <= when < end)
            return json_response({
                "deletedRecords": [
                    {"id": record_id, "deletedDate": format_datetime(when)}
                    for when, record_id in gone
                ],
                "earliestDateAvailable": format_datetime(earliest),
                "latestDateCovered": format_datetime(covered),
            })
        ids = [r.id for r in self.store.live(spec.name) if start <= r.modified_at < end]
        return json_response({"ids": ids, "latestDateCovered": format_datetime(covered)})

    # -- composite --------------------------------------------------------------------------

    @route("POST", "/services/data/{version}/composite")
    @route("POST", "/services/data/{version}/composite/")
    def _composite(self, request: Request) -> Response:
        body = request.json()
        items = body.get("compositeRequest") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            return sf_error(400, "INVALID_FIELD", "compositeRequest must be a list")
        if len(items) > MAX_SUBREQUESTS:
            return sf_error(400, "LIMIT_EXCEEDED",
                            f"composite requests cannot exceed {MAX_SUBREQUESTS} subrequests")
        answers = []
        for item in items:
            method = str(item.get("method", "")).upper()
            url = str(item.get("url", ""))
            ref = item.get("referenceId")
            parts = urlsplit(url)
            sub = Request(
                method=method, path=unquote(parts.path),
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={"authorization": request.headers.get("authorization", "")}, body=b"",
            )
            if method != "GET":
                result = sf_error(400, "METHOD_NOT_ALLOWED", "this emulator runs GET subrequests")
            else:
                result = EmulatorApp.dispatch(self, sub)
            answers.append({
                "body": json.loads(result.body.decode("utf-8")) if result.body else None,
                "httpHeaders": {},
                "httpStatusCode": result.status,
                "referenceId": ref,
            })
        return json_response({"compositeResponse": answers})


def _minute(value: str | None) -> datetime | None:
    moment = parse_datetime((value or "").replace(" ", "+"))
    return moment.replace(second=0, microsecond=0) if moment else None


__all__ = ["OrgReads"]


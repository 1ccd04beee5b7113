"""The read routes: Get Records, Search, COQL and the deleted records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from contactsync.testing.emulator import Request, Response, StoredRecord, json_response, route
from contactsync_zoho.emulator.base import API, PAGE_TOKEN_EXPIRY, ZohoBase
from contactsync_zoho.emulator.queries import QueryError, parse_coql, parse_criteria
from contactsync_zoho.emulator.schema import ModuleSpec
from contactsync_zoho.emulator.values import USER
from contactsync_zoho.timefmt import parse_zoho_time

DISCRETE_LIMIT = 2000


class ReadRoutes(ZohoBase):
    """``GET /{module}``, ``GET /{module}/search``, ``POST /coql``, ``GET /{module}/deleted``."""

    @route("POST", API + "/coql")
    def coql(self, request: Request) -> Response:
        body = request.json()
        query_text = body.get("select_query") if isinstance(body, Mapping) else None
        if not isinstance(query_text, str):
            return self._fail(400, "REQUIRED_PARAM_MISSING", "select_query is missing",
                              param_name="select_query")
        try:
            query = parse_coql(query_text)
        except QueryError as exc:
            return self._fail(400, "SYNTAX_ERROR", f"error at query: {exc}")
        found = self._module(query.module)
        if isinstance(found, Response):
            return found
        spec = found
        fields = [f for f in query.fields if f != "id"]
        unknown = [f for f in fields if spec.field(f) is None]
        if unknown or len(query.fields) > 50 or query.limit > 2000:
            return self._fail(400, "INVALID_QUERY", "invalid query formed",
                              column_name=(unknown or ["limit"])[0])
        rows = [r for r in self.store.live(spec.api_name) if query.where(self._view(spec, r))]
        for name, descending in reversed(query.order):

            def order_key(record: StoredRecord, field: str = name) -> tuple[int, Any]:
                return _sort_value(self._view(spec, record).get(field))

            rows.sort(key=order_key, reverse=descending)
        chosen = rows[query.offset : query.offset + query.limit]
        if not chosen:
            return Response(204)
        return json_response({
            "data": [self._render(spec, r, fields, coql=True) for r in chosen],
            "info": {"count": len(chosen),
                     "more_records": query.offset + query.limit < len(rows)},
        })

    @route("GET", API + "/{module}/search")
    def search(self, request: Request) -> Response:
        found = self._module(request.params["module"])
        if isinstance(found, Response):
            return found
        spec = found
        criteria = request.arg("criteria")
        if not criteria:
            return self._fail(400, "REQUIRED_PARAM_MISSING", "criteria is missing",
                              param_name="criteria")
        try:
            predicate = parse_criteria(criteria)
        except QueryError as exc:
            return self._fail(400, "INVALID_QUERY", f"invalid query formed: {exc}",
                              param_name="criteria")
        fields = self._fields_arg(spec, request.arg("fields") or ",".join(spec.field_names))
        if isinstance(fields, Response):
            return fields
        rows = [r for r in self.store.live(spec.api_name) if predicate(self._view(spec, r))]
        rows.sort(key=lambda r: int(r.id))
        page, per_page = int(request.arg("page") or 1), int(request.arg("per_page") or 200)
        chosen = rows[(page - 1) * per_page : page * per_page]
        if not chosen:
            return Response(204)
        return json_response({
            "data": [self._render(spec, r, fields) for r in chosen],
            "info": {"per_page": per_page, "count": len(chosen), "sort_by": "id", "page": page,
                     "sort_order": "desc", "more_records": page * per_page < len(rows)},
        })

    @route("GET", API + "/{module}/deleted")
    def deleted(self, request: Request) -> Response:
        found = self._module(request.params["module"])
        if isinstance(found, Response):
            return found
        spec = found
        since = self._since(request, "if-modified-since")
        if isinstance(since, Response):
            return since
        rows = [
            r for r in self.store.all(spec.api_name)
            if r.deleted_at is not None and (since is None or r.deleted_at > since)
        ]
        rows.sort(key=lambda r: (r.deleted_at or r.modified_at, int(r.id)))
        page, per_page = int(request.arg("page") or 1), int(request.arg("per_page") or 200)
        chosen = rows[(page - 1) * per_page : page * per_page]
        if not chosen:
            return Response(204)
        return json_response({
            "data": [
                {"deleted_by": dict(USER), "id": r.id,
                 "display_name": r.values.get(spec.name_field), "type": "recycle",
                 "created_by": dict(USER),
                 "deleted_time": self.stamp(r.deleted_at or r.modified_at)}
                for r in chosen
            ],
            "info": {"per_page": per_page, "count": len(chosen), "page": page,
                     "more_records": page * per_page < len(rows)},
        })

    @route("GET", API + "/{module}")
    def get_records(self, request: Request) -> Response:
        found = self._module(request.params["module"])
        if isinstance(found, Response):
            return found
        spec = found
        fields = self._fields_arg(spec, request.arg("fields"))
        if isinstance(fields, Response):
            return fields
        ids = request.arg("ids")
        if ids:
            wanted = [i for i in ids.split(",") if i]
            if len(wanted) > 100:
                return self._fail(400, "LIMIT_EXCEEDED", "ids limit exceeded", limit=100,
                                  param_name="ids")
            rows = [r for r in (self._live(spec.api_name, i) for i in wanted) if r is not None]
            if not rows:
                return Response(204)
            return json_response({"data": [self._render(spec, r, fields) for r in rows],
                                  "info": {"per_page": len(rows), "count": len(rows), "page": 1,
                                           "more_records": False}})
        return self._record_page(request, spec, fields)

    def _record_page(self, request: Request, spec: ModuleSpec, fields: list[str]) -> Response:
        per_page = int(request.arg("per_page") or 200)
        if not 1 <= per_page <= 200:
            return self._fail(400, "INVALID_DATA", "invalid data", param_name="per_page")
        sort_by = request.arg("sort_by") or "id"
        sort_order = request.arg("sort_order") or "desc"
        if sort_by not in ("id", "Modified_Time", "Created_Time") or sort_order not in (
            "asc", "desc"
        ):
            return self._fail(400, "INVALID_DATA", "invalid data", param_name="sort_by",
                              supported_values=["id", "Created_Time", "Modified_Time"])
        since = self._since(request, "if-modified-since")
        if isinstance(since, Response):
            return since
        token = request.arg("page_token")
        if token:
            if token not in self._page_tokens:
                return self._fail(400, "INVALID_DATA", "invalid page token",
                                  param_name="page_token")
            start = self._page_tokens[token]
        else:
            page = int(request.arg("page") or 1)
            start = (page - 1) * per_page
            if start + per_page > DISCRETE_LIMIT:
                return self._fail(400, "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
                                  "You can only get the first 2000 records without using "
                                  "page_token param", limit=DISCRETE_LIMIT)
        rows = [r for r in self.store.live(spec.api_name)
                if since is None or r.modified_at > since]
        key = {
            "id": lambda r: (int(r.id),),
            "Modified_Time": lambda r: (r.modified_at, int(r.id)),
            "Created_Time": lambda r: (r.created_at, int(r.id)),
        }[sort_by]
        rows.sort(key=key, reverse=sort_order == "desc")
        chosen = rows[start : start + per_page]
        if not chosen:
            return Response(304 if since is not None else 204)
        more = start + per_page < len(rows)
        next_token = None
        if more:
            next_token = f"PT{next(self._token_serial):06d}"
            self._page_tokens[next_token] = start + per_page
        return json_response({
            "data": [self._render(spec, r, fields) for r in chosen],
            "info": {
                "call": False, "per_page": per_page, "next_page_token": next_token,
                "count": len(chosen), "sort_by": sort_by, "page": start // per_page + 1,
                "page_token_expiry": self.stamp(self.store.clock.now + PAGE_TOKEN_EXPIRY)
                if next_token else None,
                "sort_order": sort_order, "email": False, "more_records": more,
                "previous_page_token": None,
            },
        })


def _sort_value(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str):
        stamp = parse_zoho_time(value)
        if stamp is not None:
            return (2, stamp.astimezone(UTC).isoformat())
        if value.isdigit():
            return (1, f"{int(value):020d}")
    return (3, str(value))

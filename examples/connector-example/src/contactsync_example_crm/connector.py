"""``ExampleCrmConnector``: both kinds in the Example CRM, each in its own object."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests

from contactsync.connector import (
    Capabilities,
    Connector,
    ConnectorContext,
    Cursor,
    FieldSchema,
    ObjectSchema,
    PullPage,
    VendorError,
    VendorRecord,
    WriteOp,
    WriteResult,
)
from contactsync.models import Kind
from contactsync_example_crm.client import ExampleCrmClient, Sleep, vendor_error
from contactsync_example_crm.paging import PullState, parse_iso
from contactsync_example_crm.settings import ExampleCrmSettings

MAPPING_FILE = Path(__file__).with_name("mapping.toml")

VENDOR_BATCH = 50
"""The most records one upsert or delete call takes (the API refuses more)."""

CAPABILITIES = Capabilities(
    kinds=frozenset(Kind),
    incremental=True,
    deletes="feed",
    batch_size=VENDOR_BATCH,
    upsert_by_external_id=True,
    archive=True,
)


class ExampleCrmConnector(Connector):
    """Pulls by keyset pages with a compound cursor and a lookback; pushes upserts by
    external id in batches of at most 50, one result per record.

    Args:
        context: the system's context; its ``session`` is the HTTP seam (cassettes,
            emulators); a new ``requests.Session`` when it has none.
        sleep: how to wait between tries (tests pass one that records the waits).
    """

    capabilities = CAPABILITIES

    def __init__(self, context: ConnectorContext, *, sleep: Sleep = time.sleep) -> None:
        super().__init__(context)
        self.settings = ExampleCrmSettings.from_settings(
            context.settings, f"system {context.system!r}"
        )
        self.session = context.session or requests.Session()
        self.client = ExampleCrmClient(self.session, self.settings, sleep)

    # -- describe -------------------------------------------------------------------------

    def describe(self) -> dict[Kind, ObjectSchema]:
        schemas: dict[Kind, ObjectSchema] = {}
        for kind in sorted(self.context.mapping.kinds):
            name = self.object_for(kind)
            data = self._json(self.client.call("GET", f"/v1/objects/{name}/describe"), "describe")
            fields = {
                f["name"]: FieldSchema(
                    f["name"], f["type"], bool(f["external_id"]), (), bool(f["required"])
                )
                for f in data["fields"]
            }
            schemas[kind] = ObjectSchema(name=data["object"], fields=fields)
        return schemas

    # -- pull -----------------------------------------------------------------------------

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        """Pages of ``kind``; see ``contactsync_example_crm.paging`` for the phases."""
        name = self.object_for(kind)
        key_field = self.context.mapping.for_kind(kind).key_field
        lookback = timedelta(seconds=self.settings.lookback_seconds)
        state = PullState.start(name, since, lookback)
        while True:
            if state.phase == "deleted":
                response = self.client.call(
                    "GET", f"/v1/objects/{name}/deleted", params=self._params(state, "since")
                )
                if response.status_code == 410:  # the feed forgot: enumerate everything
                    state = PullState(name, "full", mark=state.mark)
                    continue
                data = self._json(response, "deleted feed")
                records = [self._deletion(name, key_field, item) for item in data["deleted"]]
                for item in data["deleted"]:
                    state = state.seen(item["deleted_at"], item["id"])
            else:
                key = "modified_since" if state.phase == "changes" else None
                data = self._json(
                    self.client.call(
                        "GET", f"/v1/objects/{name}/records", params=self._params(state, key)
                    ),
                    "records",
                )
                records = [self._record(name, item) for item in data["records"]]
                for item in data["records"]:
                    state = state.seen(item["modified_at"], item["id"])
            following = data.get("next_cursor")
            if following:
                state = PullState(state.object, state.phase, state.since, following, state.mark)
                yield PullPage(records=records, cursor=state.cursor(final=False))
                continue
            if state.phase == "deleted":
                state = PullState(name, "changes", state.since, None, state.mark)
                if records:
                    yield PullPage(records=records, cursor=state.cursor(final=False))
                continue
            yield PullPage(
                records=records,
                cursor=state.cursor(final=True),
                last=True,
                complete=state.phase == "full",
            )
            return

    def _params(self, state: PullState, since_key: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": self.settings.page_size}
        if state.vendor_cursor:
            params["cursor"] = state.vendor_cursor
        elif since_key is not None and state.since is not None:
            params[since_key] = state.since
        return params

    @staticmethod
    def _record(name: str, item: dict[str, Any]) -> VendorRecord:
        return VendorRecord(item["id"], dict(item["fields"]), name, parse_iso(item["modified_at"]))

    @staticmethod
    def _deletion(name: str, key_field: str, item: dict[str, Any]) -> VendorRecord:
        return VendorRecord(
            item["id"],
            {key_field: item.get("external_id")},
            name,
            parse_iso(item["deleted_at"]),
            deleted=True,
        )

    @staticmethod
    def _json(response: requests.Response, what: str) -> dict[str, Any]:
        if response.status_code >= 400:
            code, message = vendor_error(response)
            raise RuntimeError(
                f"Example CRM {what}: {code}: {message}"
            )  # a bug, not a passing fault
        data: dict[str, Any] = response.json()
        return data

    # -- push -----------------------------------------------------------------------------

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        """Upserts and archives, in calls of at most 50; one result per operation, in order.

        The work is done before this returns. ``create`` and ``update`` are the same upsert
        by external id, so a retry after a lost answer updates instead of duplicating.
        """
        name = self.object_for(kind)
        key_field = self.context.mapping.for_kind(kind).key_field
        results: dict[int, WriteResult] = {}
        writes = [(i, op) for i, op in enumerate(operations) if op.action != "archive"]
        archives = [(i, op) for i, op in enumerate(operations) if op.action == "archive"]
        for start in range(0, len(writes), VENDOR_BATCH):
            chunk = writes[start : start + VENDOR_BATCH]
            body = {
                "external_id_field": key_field,
                "records": [{**op.values, key_field: op.key} for _, op in chunk],
            }
            results.update(self._send(f"/v1/objects/{name}/records/upsert", body, chunk))
        for start in range(0, len(archives), VENDOR_BATCH):
            chunk = archives[start : start + VENDOR_BATCH]
            body = {"external_id_field": key_field, "external_ids": [op.key for _, op in chunk]}
            results.update(self._send(f"/v1/objects/{name}/records/delete", body, chunk))
        return iter([results[i] for i in range(len(operations))])

    def _send(
        self, path: str, body: dict[str, Any], chunk: list[tuple[int, WriteOp]]
    ) -> dict[int, WriteResult]:
        response = self.client.call("POST", path, body=body)
        if response.status_code >= 400:  # the whole call refused: every record says so
            code, message = vendor_error(response)
            return {i: _failed(op, VendorError(code, message)) for i, op in chunk}
        by_index = {item["index"]: item for item in response.json().get("results", [])}
        results: dict[int, WriteResult] = {}
        for position, (i, op) in enumerate(chunk):
            item = by_index.get(position)
            if item is None:
                results[i] = _failed(
                    op, VendorError("NO_RESULT", "the API returned no result for this record")
                )
            elif item.get("status") == "error":
                errors = item.get("errors") or [{}]
                first = errors[0]
                fields = tuple(str(e["field"]) for e in errors if e.get("field"))
                results[i] = _failed(
                    op,
                    VendorError(
                        str(first.get("code", "ERROR")), str(first.get("message", "")), fields
                    ),
                )
            else:
                results[i] = WriteResult(op.key, True, op.action, str(item.get("id")))
        return results

    def close(self) -> None:
        if self.context.session is None:
            self.session.close()


def _failed(op: WriteOp, error: VendorError) -> WriteResult:
    return WriteResult(op.key, False, op.action, op.record_id, error)


__all__ = ["CAPABILITIES", "MAPPING_FILE", "VENDOR_BATCH", "ExampleCrmConnector"]

"""Pulling one module, page by page, resumable between pages.

* **Full** (no cursor): Get Records sorted by ``id``, ``page`` 1-10 of ``page_size``, then
  ``page_token`` past 2,000 records; the last page is ``complete``.
* **Changes** (a cursor with a watermark): records modified since ``watermark -
  lookback``, through Get Records with ``If-Modified-Since`` (304 and 204 are empty pages)
  or through COQL (``where Modified_Time >= ... order by Modified_Time, id``, keyset
  paged); then the deleted-records API with the same ``If-Modified-Since``, as
  ``deleted`` records.
* At most 50 fields a call: when the mapping reads more, the rest are fetched by ``ids``.
* ``Modified_Time`` (any offset) is read aware and kept in UTC; the cursor's watermark is
  the highest ``(Modified_Time, id)`` seen, never lower than the one the pull started at.

``Cursor.page_state`` holds where the pull is (stage, page or token, keyset position), so
a pull interrupted between pages resumes there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from contactsync.connector import (
    Cursor,
    PullFull,
    PullPage,
    PullResume,
    RowError,
    VendorRecord,
    pull_start,
)
from contactsync.errors import ConfigError, RetryableError
from contactsync_zoho.accounts import AccountKeys, chunked
from contactsync_zoho.client import ZohoClient, ZohoResponse
from contactsync_zoho.modules import MODIFIED_TIME, RECORD_ID, ModulePlan, Seen
from contactsync_zoho.query import coql_changes_query
from contactsync_zoho.settings import (
    MAX_DISCRETE_PAGES,
    MAX_FIELDS_PER_CALL,
    MAX_IDS_PER_CALL,
    MAX_PER_PAGE,
    IncrementalMode,
)
from contactsync_zoho.timefmt import format_zoho_time, parse_zoho_time

Mode = Literal["full", "changes"]
Stage = Literal["records", "deleted"]
Position = tuple[str, str]
_VERSION = 1


@dataclass(frozen=True)
class PullState:
    """Where a pull is between two pages (``Cursor.page_state``).

    Attributes:
        module: the module being read (a state is refused for another).
        mode: ``full`` or ``changes``.
        stage: ``records``, then (changes only) ``deleted``.
        since: changes only: the ``If-Modified-Since`` lower bound (UTC ISO).
        page: the next page number.
        token: the next ``page_token``, once past the discrete pages.
        after: COQL: the last ``(Modified_Time, id)`` read.
        mark: the high-water mark so far.
    """

    module: str
    mode: Mode
    stage: Stage = "records"
    since: str | None = None
    page: int = 1
    token: str | None = None
    after: Position | None = None
    mark: Position | None = None

    @classmethod
    def start(cls, module: str, since: Cursor | None, lookback: timedelta) -> PullState:
        """The state a pull from ``since`` starts in (resuming when it has a page state).

        ``If-Modified-Since`` filters by time alone, so even without a lookback the pull
        reads from the watermark itself (``strictly_after`` is not used); the reconciler
        drops the records it has already seen.
        """
        start = pull_start(since, lookback)
        if isinstance(start, PullResume):
            return cls.decode(start.page_state, module)
        if isinstance(start, PullFull):
            return cls(module, "full")
        lower = format_zoho_time(start.lower)
        mark = (format_zoho_time(start.watermark), start.last_id)
        return cls(module, "changes", since=lower, mark=mark)

    def marked(self, stamp: datetime | None, record_id: str) -> PullState:
        if stamp is None:
            return self
        position = (format_zoho_time(stamp), record_id)
        if self.mark is None or _order(position) > _order(self.mark):
            return replace(self, mark=position)
        return self

    def cursor(self, *, final: bool) -> Cursor:
        watermark = parse_zoho_time(self.mark[0]) if self.mark else None
        last_id = self.mark[1] if self.mark else None
        return Cursor(watermark, last_id, None if final else self.encode())

    def encode(self) -> str:
        return json.dumps(
            {
                "v": _VERSION, "module": self.module, "mode": self.mode, "stage": self.stage,
                "since": self.since, "page": self.page, "token": self.token,
                "after": list(self.after) if self.after else None,
                "mark": list(self.mark) if self.mark else None,
            },
            sort_keys=True,
        )

    @classmethod
    def decode(cls, text: str, module: str) -> PullState:
        """Read a state written by ``encode``.

        Raises:
            ConfigError: it is not one, or belongs to another module.
        """
        try:
            data = json.loads(text)
            if data.get("v") != _VERSION or data["mode"] not in ("full", "changes"):
                raise ValueError("unknown version or mode")
            if data["stage"] not in ("records", "deleted"):
                raise ValueError("unknown stage")
            state = cls(
                module=str(data["module"]), mode=data["mode"], stage=data["stage"],
                since=data.get("since"), page=int(data.get("page") or 1),
                token=data.get("token"), after=_position(data.get("after")),
                mark=_position(data.get("mark")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"cursor page_state is not a zoho page state ({exc})") from None
        if state.module != module:
            raise ConfigError(
                f"cursor page_state belongs to module {state.module!r}, not {module!r}"
            )
        return state


def _order(position: Position) -> tuple[str, str]:
    """Positions compare by stamp (UTC ISO text sorts in time order), then by id as a
    number: Zoho ids are digits, not always of one length."""
    return (position[0], position[1].zfill(20))


def _position(value: Any) -> Position | None:
    if value is None:
        return None
    stamp, record_id = value
    return (str(stamp), str(record_id))


@dataclass(frozen=True)
class PageRead:
    rows: list[Mapping[str, Any]]
    more: bool
    next_token: str | None


class Puller:
    """Reads one module. See the module docstring.

    Args:
        client: the tenant's client.
        plan: the module's plan (fields, key, customer lookup).
        accounts: the customer-key resolver, when the customer is an Account lookup.
        page_size: records per page.
        incremental: ``if_modified_since`` or ``coql``.
        seen: what was read (stamps, and since when unseen records are unchanged), shared
            with push for ``If-Unmodified-Since``.
    """

    def __init__(
        self,
        client: ZohoClient,
        plan: ModulePlan,
        accounts: AccountKeys | None,
        *,
        page_size: int = MAX_PER_PAGE,
        incremental: IncrementalMode = "if_modified_since",
        seen: Seen,
    ) -> None:
        self.client = client
        self.plan = plan
        self.accounts = accounts
        self.page_size = page_size
        self.incremental = incremental
        self.seen = seen
        first, *rest = list(chunked(list(plan.fields), MAX_FIELDS_PER_CALL - 1))
        self.first_fields: list[str] = list(first)
        self.more_fields: list[list[str]] = [list(chunk) for chunk in rest]

    # -- the page loop --------------------------------------------------------------------

    def pages(self, state: PullState) -> Iterator[PullPage]:
        if state.mode == "changes" and state.since:
            # A record this read does not return has not changed since ``since``.
            self.seen.unchanged_since = parse_zoho_time(state.since)
        else:
            self.seen.unchanged_since = None
        while True:
            if state.stage == "records":
                read, state = self._records_page(state)
                found, state, errors = self._convert(read.rows, state)
                if read.more:
                    yield PullPage(found, state.cursor(final=False), errors=errors)
                    continue
                if state.mode == "full":
                    yield PullPage(found, state.cursor(final=True), errors=errors,
                                   last=True, complete=True)
                    return
                state = replace(state, stage="deleted", page=1, token=None, after=None)
                yield PullPage(found, state.cursor(final=False), errors=errors)
                continue
            records, more, state = self._deleted_page(state)
            if more:
                yield PullPage(records, state.cursor(final=False))
                continue
            yield PullPage(records, state.cursor(final=True), last=True)
            return

    # -- records ----------------------------------------------------------------------------

    def _records_page(self, state: PullState) -> tuple[PageRead, PullState]:
        if state.mode == "changes" and self.incremental == "coql":
            return self._coql_page(state)
        params: dict[str, Any] = {
            "fields": ",".join(self.first_fields),
            "per_page": self.page_size,
            "sort_by": "id" if state.mode == "full" else MODIFIED_TIME,
            "sort_order": "asc",
        }
        if state.token:
            params["page_token"] = state.token
        else:
            params["page"] = state.page
        headers = {}
        if state.mode == "changes" and state.since:
            headers["If-Modified-Since"] = state.since
        answer = self.client.call("GET", f"/{self.plan.module}", params=params, headers=headers)
        read = _page_read(answer)
        if not read.more:
            return read, state
        if state.token is None and state.page < MAX_DISCRETE_PAGES:
            return read, replace(state, page=state.page + 1)
        if not read.next_token:
            raise RetryableError(
                f"Zoho module {self.plan.module}: more records follow page {state.page} but "
                "the answer gave no next_page_token"
            )
        return read, replace(state, token=read.next_token, page=state.page + 1)

    def _coql_page(self, state: PullState) -> tuple[PageRead, PullState]:
        assert state.since is not None
        since = parse_zoho_time(state.since)
        assert since is not None
        after = None
        if state.after is not None:
            stamp = parse_zoho_time(state.after[0])
            assert stamp is not None
            after = (stamp, state.after[1])
        query = coql_changes_query(
            self.plan.module, [RECORD_ID, *self.first_fields], since=since, after=after,
            limit=self.page_size,
        )
        answer = self.client.call("POST", "/coql", body={"select_query": query})
        read = _page_read(answer)
        if read.rows:
            last = read.rows[-1]
            stamp = parse_zoho_time(last.get(MODIFIED_TIME))
            if stamp is None:
                raise RetryableError(
                    f"COQL answer for {self.plan.module}: a record has no Modified_Time"
                )
            state = replace(state, after=(format_zoho_time(stamp), str(last.get(RECORD_ID))))
        return read, state

    def _convert(
        self, rows: list[Mapping[str, Any]], state: PullState
    ) -> tuple[list[VendorRecord], PullState, list[RowError]]:
        rows = self._with_more_fields(rows)
        keys = self._customer_keys(rows)
        records: list[VendorRecord] = []
        errors: list[RowError] = []
        for row in rows:
            record_id = str(row.get(RECORD_ID) or "")
            if not record_id:
                continue
            stamp = parse_zoho_time(row.get(MODIFIED_TIME))
            state = state.marked(stamp, record_id)
            if stamp is not None:
                self.seen.stamps[record_id] = stamp
            values: dict[str, Any] = {name: row.get(name) for name in self.plan.fields}
            values[RECORD_ID] = record_id
            customer = self.plan.customer_field
            if customer is not None:
                account_id = _lookup_id(row.get(customer))
                if account_id is not None and keys.get(account_id) is None:
                    errors.append(RowError(
                        self.plan.module, record_id,
                        f"its {customer} points to Account {account_id}, which has no "
                        f"{self.accounts.key_field if self.accounts else 'customer key'} "
                        "(the customer key contactsync matches customers by) or no "
                        "longer exists",
                        field=customer,
                    ))
                    continue
                values[customer] = keys.get(account_id) if account_id is not None else None
            records.append(VendorRecord(record_id, values, self.plan.module, modified_at=stamp))
        return records, state, errors

    def _with_more_fields(self, rows: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """Rows with the fields past the first 50, fetched by ``ids``."""
        if not self.more_fields or not rows:
            return rows
        merged = {str(row.get(RECORD_ID)): dict(row) for row in rows}
        ids = list(merged)
        for fields in self.more_fields:
            for chunk in chunked(ids, MAX_IDS_PER_CALL):
                answer = self.client.call(
                    "GET", f"/{self.plan.module}",
                    params={"ids": ",".join(chunk), "fields": ",".join(fields)},
                )
                for extra in answer.data:
                    target = merged.get(str(extra.get(RECORD_ID)))
                    if target is not None:
                        target.update({k: v for k, v in extra.items() if k in fields})
        return list(merged.values())

    def _customer_keys(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, str | None]:
        if self.plan.customer_field is None or self.accounts is None:
            return {}
        ids = [i for i in (_lookup_id(r.get(self.plan.customer_field)) for r in rows) if i]
        return self.accounts.keys_for(ids) if ids else {}

    # -- deletions ---------------------------------------------------------------------------

    def _deleted_page(self, state: PullState) -> tuple[list[VendorRecord], bool, PullState]:
        headers = {"If-Modified-Since": state.since} if state.since else {}
        answer = self.client.call(
            "GET", f"/{self.plan.module}/deleted",
            params={"type": "all", "page": state.page, "per_page": MAX_PER_PAGE},
            headers=headers,
        )
        read = _page_read(answer)
        records = []
        for row in read.rows:
            record_id = str(row.get(RECORD_ID) or "")
            if not record_id:
                continue
            stamp = parse_zoho_time(row.get("deleted_time"))
            state = state.marked(stamp, record_id)
            self.seen.stamps.pop(record_id, None)
            records.append(
                VendorRecord(record_id, {}, self.plan.module, modified_at=stamp, deleted=True)
            )
        if read.more:
            state = replace(state, page=state.page + 1)
        return records, read.more, state


def _page_read(answer: ZohoResponse) -> PageRead:
    rows = [row for row in answer.data if isinstance(row, Mapping)]
    info = answer.info
    token = info.get("next_page_token")
    return PageRead(rows, bool(info.get("more_records")) and bool(rows),
                    str(token) if token else None)


def _lookup_id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None

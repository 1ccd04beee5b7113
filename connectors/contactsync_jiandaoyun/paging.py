"""Pulling a form page by page: ``data/list`` with ``limit`` and the ``data_id`` cursor.

``data/list`` always answers in ``_id`` order and pages by ``data_id`` (the last ``_id``
of the page before). A record's ``_id`` never changes, so a record edited while a pull
runs is neither skipped nor read twice, and one created meanwhile comes at the end.

* A full pull (no watermark) reads every row and ends ``complete``: deletions are
  inferred from it by the core.
* An incremental pull filters ``updateTime`` with an inclusive ``range`` starting
  ``lookback`` before the stored watermark, so the boundary row is read again (the core
  de-duplicates it) and a late commit or a skewed clock loses nothing. It never ends
  ``complete``.
* The watermark is the form's ``dataModifyTime`` (``widget/list``) taken when the pull
  started: every change before it has been read. A change made while the pull ran, to a
  row already passed, is after it, so the next pull reads it again. When
  ``dataModifyTime`` has not moved past the watermark, the form has not changed: the pull
  ends at once, without a ``data/list`` call.

``Cursor.page_state`` holds the position between pages, so a pull resumed after a restart
goes on after the last row it yielded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from contactsync.connector import Cursor, PullPage, RowError, VendorRecord
from contactsync.errors import ConfigError
from contactsync_jiandaoyun.client import JiandaoyunClient
from contactsync_jiandaoyun.forms import DATA_LIST, data_rows, format_time, parse_time
from contactsync_jiandaoyun.settings import FormRef
from contactsync_jiandaoyun.shapes import Shaper

Mode = Literal["full", "changes"]
_VERSION = 1


@dataclass(frozen=True)
class PageState:
    """Where a pull is between pages.

    Attributes:
        entry: the form (a state is refused for another form).
        mode: ``full`` or ``changes``.
        lower: ``changes``: the lowest ``updateTime`` read (watermark - lookback).
        after: the ``_id`` of the last row read; the next page starts after it.
        mark: ``dataModifyTime`` when the pull started (the next watermark).
        seen: the highest ``updateTime`` read so far (the watermark when ``mark`` is unknown).
        floor: the watermark the pull started from (the cursor never goes below it).
    """

    entry: str
    mode: Mode
    lower: str | None = None
    after: str | None = None
    mark: str | None = None
    seen: str | None = None
    floor: str | None = None

    def cursor(self, *, final: bool) -> Cursor:
        stamps = [parse_time(s) for s in (self.mark or self.seen, self.floor) if s]
        known = [s for s in stamps if s is not None]
        return Cursor(max(known) if known else None, None, None if final else self.encode())

    def advanced(self, last_id: str | None, stamps: list[datetime]) -> PageState:
        seen = parse_time(self.seen) if self.seen else None
        top = max([*stamps, *([seen] if seen else [])], default=None)
        return replace(
            self, after=last_id or self.after, seen=format_time(top) if top else self.seen
        )

    def encode(self) -> str:
        data = {"v": _VERSION, **{k: getattr(self, k) for k in _FIELDS}}
        return json.dumps(data, sort_keys=True)

    @classmethod
    def decode(cls, text: str, entry: str) -> PageState:
        """Read a page state written by ``encode``.

        Raises:
            ConfigError: when it is not one, or belongs to another form.
        """
        try:
            data = json.loads(text)
            if data.get("v") != _VERSION or data.get("mode") not in ("full", "changes"):
                raise ValueError("unknown version or mode")
            state = cls(**{k: data.get(k) for k in _FIELDS})
            if not isinstance(state.entry, str):
                raise ValueError("no form")
        except (ValueError, TypeError, AttributeError) as exc:
            raise ConfigError(f"cursor page_state is not a jiandaoyun page state ({exc})") from None
        if state.entry != entry:
            raise ConfigError(f"cursor page_state belongs to form {state.entry!r}, not {entry!r}")
        return state


_FIELDS = ("entry", "mode", "lower", "after", "mark", "seen", "floor")


def start_state(
    form: FormRef, since: Cursor | None, modified: datetime | None, lookback: timedelta
) -> PageState | None:
    """The state a fresh pull starts in, or ``None`` when the form has not changed since
    ``since`` (an incremental pull with nothing to read)."""
    mark = format_time(modified) if modified else None
    if since is None or since.watermark is None:
        return PageState(form.entry_id, "full", mark=mark)
    if modified is not None and modified <= since.watermark:
        return None
    return PageState(
        form.entry_id,
        "changes",
        lower=format_time(since.watermark - lookback),
        mark=mark,
        floor=format_time(since.watermark),
    )


def list_body(form: FormRef, state: PageState, page_size: int) -> dict[str, Any]:
    body: dict[str, Any] = {**form.body(), "limit": page_size}
    if state.after:
        body["data_id"] = state.after
    if state.mode == "changes":
        body["filter"] = {
            "rel": "and",
            "cond": [
                {
                    "field": "updateTime",
                    "type": "datetime",
                    "method": "range",
                    "value": [state.lower, None],
                }
            ],
        }
    return body


def read_pages(
    client: JiandaoyunClient,
    form: FormRef,
    obj: str,
    state: PageState,
    page_size: int,
    shaper: Callable[[], Shaper],
) -> Iterator[PullPage]:
    """Pages from ``state`` on, one ``data/list`` call each (``shaper`` is asked per page,
    so a schema refreshed meanwhile is used)."""
    while True:
        rows = data_rows(client.call(DATA_LIST, list_body(form, state, page_size)), form)
        records, errors, stamps = _convert(rows, obj, shaper())
        last_id = rows[-1].get("_id") if rows else None
        state = state.advanced(last_id if isinstance(last_id, str) else None, stamps)
        if len(rows) >= page_size:
            yield PullPage(records=records, cursor=state.cursor(final=False), errors=errors)
            continue
        yield PullPage(
            records=records,
            cursor=state.cursor(final=True),
            errors=errors,
            last=True,
            complete=state.mode == "full",
        )
        return


def _convert(
    rows: list[dict[str, Any]], obj: str, shaper: Shaper
) -> tuple[list[VendorRecord], list[RowError], list[datetime]]:
    records: list[VendorRecord] = []
    errors: list[RowError] = []
    stamps: list[datetime] = []
    for row in rows:
        record_id = row.get("_id")
        modified = parse_time(row.get("updateTime"))
        if modified is not None:
            stamps.append(modified)
        if not isinstance(record_id, str) or not record_id:
            errors.append(RowError(obj, "(no _id)", "the row has no _id"))
            continue
        values, problem = shaper.read(row)
        if problem is not None:
            errors.append(RowError(obj, record_id, str(problem), problem.field))
            continue
        records.append(VendorRecord(record_id, values, obj, modified_at=modified))
    return records, errors, stamps


def skip_page(since: Cursor) -> PullPage:
    """The one page of an incremental pull of a form that has not changed."""
    return PullPage(records=[], cursor=Cursor(since.watermark, since.last_id, None), last=True)


__all__ = ["PageState", "list_body", "read_pages", "skip_page", "start_state"]

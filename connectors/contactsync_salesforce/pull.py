"""Pulling one object: SOQL in ``SystemModstamp, Id`` order, ``nextRecordsUrl`` to the end,
and deletions from Get Deleted.

* **Full** (no cursor): every live record, ``complete`` on the last page, so the reconciler
  may take a known record that is absent as deleted.
* **Changes** (a cursor): records with ``SystemModstamp >= watermark - lookback`` (or, with
  no lookback, strictly after the compound position ``(watermark, last_id)``), then the
  deletions Get Deleted reports from the same moment on. A deletion of a record this pull
  also saw alive with a newer stamp (deleted, then restored) is left out.
* **Window exceeded**: Get Deleted only reaches back about 15 days. When it refuses the
  window (``INVALID_REPLICATION_DATE``) or says deletions before the start are gone
  (``earliestDateAvailable``), the pull goes on with a full enumeration, ending
  ``complete``.

The cursor's watermark is the highest of the records' positions and the server's time
when the first query ran (its ``Date`` header), so an object nobody touches does not fall
out of the deletion window; in changes mode it does not pass Get Deleted's
``latestDateCovered`` (but never goes back behind the cursor the pull started from).
Deletions the delete log shows late are caught by the lookback, like late commits. Each
page's cursor carries a ``page_state``: a pull started again from it goes on after the
last record yielded (a new query, not the expired query locator).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from contactsync.connector import (
    Cursor,
    PullFull,
    PullPage,
    PullResume,
    RowError,
    VendorError,
    VendorRecord,
    pull_start,
)
from contactsync.errors import ConfigError
from contactsync_salesforce.api import SalesforceApi
from contactsync_salesforce.errors import SalesforceCallError
from contactsync_salesforce.records import flatten
from contactsync_salesforce.soql import (
    after_position,
    ceil_minute,
    datetime_literal,
    floor_minute,
    floor_second,
    is_record_id,
    parse_datetime,
    select,
)

log = logging.getLogger("contactsync.salesforce")

Mode = Literal["full", "changes"]
Position = tuple[datetime, str]
Clock = Callable[[], datetime]
_STATE_VERSION = 1
WINDOW_CODES = frozenset({"INVALID_REPLICATION_DATE", "EXCEEDED_ID_LIMIT"})


@dataclass(frozen=True)
class PullState:
    """Where a pull of one object stands.

    Attributes:
        object: the object read (a state is refused for another one).
        mode: ``full`` or ``changes``.
        lower: changes with a lookback: the lowest ``SystemModstamp`` read.
        since: changes without a lookback: read strictly after this position.
        after: the last record yielded; the next batch starts strictly after it.
        mark: the high-water mark so far, for the cursor.
    """

    object: str
    mode: Mode
    lower: datetime | None = None
    since: Position | None = None
    after: Position | None = None
    mark: Position | None = None

    @classmethod
    def start(cls, obj: str, since: Cursor | None, lookback: timedelta) -> PullState:
        """The state a pull from ``since`` starts in (resuming when it has a page state)."""
        start = pull_start(since, lookback)
        if isinstance(start, PullResume):
            return cls.decode(start.page_state, obj)
        if isinstance(start, PullFull):
            return cls(obj, "full")
        mark = (start.watermark.astimezone(UTC), start.last_id)
        if start.strictly_after:
            return cls(obj, "changes", since=mark, mark=mark)
        # From the UTC mark rather than ``start.lower``: the lookback is elapsed time, and a
        # watermark in a zone with summer time would otherwise be moved on the wall clock.
        return cls(obj, "changes", lower=floor_second(mark[0] - lookback), mark=mark)

    @property
    def first_stamp(self) -> datetime | None:
        """The earliest modification time this pull covers (deletions start there)."""
        return self.lower if self.lower is not None else (self.since[0] if self.since else None)

    def conditions(self) -> list[str]:
        found = []
        if self.lower is not None:
            found.append(f"SystemModstamp >= {datetime_literal(self.lower)}")
        if self.since is not None:
            found.append(after_position(*self.since))
        if self.after is not None:
            found.append(after_position(*self.after))
        return found

    def advanced(self, last: Position) -> PullState:
        return replace(self, after=last, mark=_highest(self.mark, last))

    def marked(self, position: Position | None) -> PullState:
        return replace(self, mark=_highest(self.mark, position))

    def cursor(self, *, final: bool) -> Cursor:
        mark = self.mark
        return Cursor(
            watermark=mark[0] if mark else None,
            last_id=(mark[1] or None) if mark else None,
            page_state=None if final else self.encode(),
        )

    def encode(self) -> str:
        return json.dumps(
            {
                "v": _STATE_VERSION,
                "object": self.object,
                "mode": self.mode,
                "lower": self.lower.isoformat() if self.lower else None,
                "since": _pos_json(self.since),
                "after": _pos_json(self.after),
                "mark": _pos_json(self.mark),
            },
            sort_keys=True,
        )

    @classmethod
    def decode(cls, text: str, obj: str) -> PullState:
        """Read a page state written by ``encode``.

        Raises:
            ConfigError: when it is not one, or belongs to another object.
        """
        try:
            data = json.loads(text)
            if data.get("v") != _STATE_VERSION or data["mode"] not in ("full", "changes"):
                raise ValueError("unknown version or mode")
            state = cls(
                object=str(data["object"]),
                mode=data["mode"],
                lower=_stamp(data.get("lower")),
                since=_pos(data.get("since")),
                after=_pos(data.get("after")),
                mark=_pos(data.get("mark")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"cursor page_state is not a salesforce page state ({exc})") from None
        if state.object != obj:
            raise ConfigError(f"cursor page_state belongs to {state.object!r}, not {obj!r}")
        return state


def _highest(a: Position | None, b: Position | None) -> Position | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _pos_json(pos: Position | None) -> list[str] | None:
    return [pos[0].isoformat(), pos[1]] if pos else None


def _stamp(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("a stamp without a time zone")
    return moment.astimezone(UTC)


def _pos(value: Any) -> Position | None:
    if value is None:
        return None
    stamp, record_id = value
    moment = _stamp(stamp)
    assert moment is not None
    return (moment, str(record_id))


class ObjectPull:
    """One pull of one object (a generator of pages).

    Args:
        api: the org.
        obj: the object.
        fields: the vendor fields to read (the mapping's, relationship paths included).
        page_size: records per query batch.
        lookback: how far before the cursor's watermark a pull of changes reads again.
        clock: the local time, used only when the server sent no ``Date``.
    """

    def __init__(
        self,
        api: SalesforceApi,
        obj: str,
        fields: Sequence[str],
        *,
        page_size: int,
        lookback: timedelta,
        clock: Clock,
    ) -> None:
        self.api = api
        self.object = obj
        self.fields = list(dict.fromkeys(["Id", "SystemModstamp", *fields]))
        self.page_size = page_size
        self.lookback = lookback
        self.clock = clock

    def pages(self, since: Cursor | None) -> Iterator[PullPage]:
        state = PullState.start(self.object, since, self.lookback)
        if state.mode == "full":
            yield from self._enumerate(state)
            return
        live: dict[str, datetime] = {}
        read = state
        for page, after in self._batches(state, live):
            yield page
            read = after
        deleted, done, refused = self._deletions(read, live, state.mark)
        if refused:
            log.warning(
                "salesforce: deletions of %s before the cursor are no longer available (%s); "
                "reading every record instead", self.object, refused,
            )
            yield from self._enumerate(PullState(self.object, "full", mark=done.mark))
            return
        yield PullPage(records=deleted, cursor=done.cursor(final=True), last=True)

    def _enumerate(self, state: PullState) -> Iterator[PullPage]:
        last: PullPage | None = None
        read = state
        for page, after in self._batches(state, None):
            if last is not None:
                yield last
            last, read = page, after
        records = last.records if last else []
        errors = last.errors if last else []
        yield PullPage(
            records=records, errors=errors, cursor=read.cursor(final=True), last=True,
            complete=True,
        )

    def _batches(
        self, state: PullState, live: dict[str, datetime] | None
    ) -> Iterator[tuple[PullPage, PullState]]:
        """One page per query batch (the first one even when empty)."""
        call = f"the query of {self.object}"
        soql = select(self.object, self.fields, state.conditions())
        answer = self.api.query(soql, call, batch_size=self.page_size)
        server = self.api.server_time
        if server is not None:
            state = state.marked((floor_second(server), ""))
        while True:
            records, errors = self._records(answer)
            for record in records:
                if live is not None and record.modified_at is not None:
                    live[record.record_id] = record.modified_at
            positions = [(r.modified_at, r.record_id) for r in records if r.modified_at]
            if positions:
                state = state.advanced(max(positions))
            yield PullPage(records=records, errors=errors, cursor=state.cursor(final=False)), state
            next_url = answer.get("nextRecordsUrl") if isinstance(answer, dict) else None
            if not next_url or (isinstance(answer, dict) and answer.get("done") is True):
                return
            answer = self.api.query_more(str(next_url), call)

    def _records(self, answer: Any) -> tuple[list[VendorRecord], list[RowError]]:
        rows = answer.get("records") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise SalesforceCallError(
                f"the query of {self.object}", 200,
                [VendorError("MALFORMED_RESPONSE", "the answer holds no list of records")],
            )
        records: list[VendorRecord] = []
        errors: list[RowError] = []
        for row in rows:
            record_id = row.get("Id") if isinstance(row, dict) else None
            stamp = parse_datetime(row.get("SystemModstamp")) if isinstance(row, dict) else None
            if not is_record_id(record_id) or stamp is None:
                errors.append(
                    RowError(self.object, str(record_id), "the record has no Id or SystemModstamp")
                )
                continue
            assert isinstance(row, dict) and isinstance(record_id, str)
            records.append(
                VendorRecord(
                    record_id=record_id,
                    values=flatten(row, self.fields),
                    object=self.object,
                    modified_at=stamp,
                )
            )
        return records, errors

    def _deletions(
        self, state: PullState, live: dict[str, datetime], floor: Position | None
    ) -> tuple[list[VendorRecord], PullState, str | None]:
        """Deleted records since the pull's first stamp; the third value says why the
        window was refused (``None`` when it was not)."""
        first = state.first_stamp
        assert first is not None  # a changes pull always has one
        start = floor_minute(first)
        now = self.api.server_time or self.clock()
        end = max(ceil_minute(now), start + timedelta(minutes=2))
        try:
            answer = self.api.rest(
                "GET",
                f"sobjects/{self.object}/deleted/",
                f"the deletions of {self.object}",
                params={"start": start.isoformat(), "end": end.isoformat()},
            )
        except SalesforceCallError as exc:
            first_error = exc.errors[0] if exc.errors else None
            return [], state, first_error.code if first_error else "refused"
        if not isinstance(answer, dict):
            return [], state, "no answer"
        earliest = parse_datetime(answer.get("earliestDateAvailable"))
        if earliest is not None and earliest > start:
            return [], state, f"earliestDateAvailable {earliest.isoformat()}"
        deleted: list[VendorRecord] = []
        for item in answer.get("deletedRecords") or []:
            if not isinstance(item, dict) or not is_record_id(item.get("id")):
                continue
            when = parse_datetime(item.get("deletedDate"))
            seen = live.get(item["id"])
            if seen is not None and (when is None or seen > when):
                continue  # deleted, then restored: the live copy is the newer news
            deleted.append(
                VendorRecord(
                    record_id=item["id"], values={}, object=self.object, modified_at=when,
                    deleted=True,
                )
            )
        covered = parse_datetime(answer.get("latestDateCovered"))
        if covered is not None and state.mark is not None and state.mark > (covered, ""):
            # Not past what the delete log covered, and never behind where this pull began.
            state = replace(state, mark=_highest(floor, (covered, "")))
        return deleted, state, None

"""Where an Example CRM pull is between two pages (``Cursor.page_state``).

A full pull lists every live record (``full``) and ends complete. An incremental pull
first reads the delete feed (``deleted``), then the records changed since
(``changes``), both from ``watermark - lookback``; when the feed has forgotten that far
back (``410 FEED_EXPIRED``) it lists everything instead (``full``), so deletions are
still found, by a complete enumeration.

The vendor pages by an opaque ``next_cursor``, kept here as it was given. The watermark
is the highest ``(modified_at, id)`` seen, never lower than the one the pull started from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from contactsync.connector import Cursor, PullFull, PullResume, pull_start
from contactsync.errors import ConfigError

Phase = Literal["full", "deleted", "changes"]
Mark = tuple[str, str]  # (ISO stamp, id)
_VERSION = 1


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class PullState:
    """Attributes:
    object: the object read (a state is refused for another).
    phase: what is being read.
    since: incremental only: ``watermark - lookback``, as sent to the API.
    vendor_cursor: the API's ``next_cursor`` for the next page of this phase.
    mark: the watermark so far.
    """

    object: str
    phase: Phase
    since: str | None = None
    vendor_cursor: str | None = None
    mark: Mark | None = None

    @classmethod
    def start(cls, object_name: str, since: Cursor | None, lookback: timedelta) -> PullState:
        start = pull_start(since, lookback)  # the kit's rule: resume, full, or changes
        if isinstance(start, PullResume):
            return cls.decode(start.page_state, object_name)
        if isinstance(start, PullFull):
            return cls(object_name, "full")
        mark = (iso(start.watermark), start.last_id)
        return cls(object_name, "deleted", since=iso(start.lower), mark=mark)

    def seen(self, stamp: str, record_id: str) -> PullState:
        position = (iso(parse_iso(stamp)), record_id)
        if self.mark is None or (parse_iso(position[0]), position[1]) > (
            parse_iso(self.mark[0]),
            self.mark[1],
        ):
            return replace(self, mark=position)
        return self

    def cursor(self, *, final: bool) -> Cursor:
        watermark = parse_iso(self.mark[0]) if self.mark else None
        return Cursor(
            watermark, self.mark[1] if self.mark else None, None if final else self.encode()
        )

    def encode(self) -> str:
        return json.dumps(
            {
                "v": _VERSION,
                "object": self.object,
                "phase": self.phase,
                "since": self.since,
                "vendor_cursor": self.vendor_cursor,
                "mark": list(self.mark) if self.mark else None,
            },
            sort_keys=True,
        )

    @classmethod
    def decode(cls, text: str, object_name: str) -> PullState:
        """Raises ``ConfigError`` for a state that is not one, or is another object's."""
        try:
            data = json.loads(text)
            if data.get("v") != _VERSION or data["phase"] not in ("full", "deleted", "changes"):
                raise ValueError("unknown version or phase")
            mark = data.get("mark")
            state = cls(
                str(data["object"]),
                data["phase"],
                data.get("since"),
                data.get("vendor_cursor"),
                (str(mark[0]), str(mark[1])) if mark else None,
            )
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise ConfigError(f"cursor page_state is not an Example CRM state ({exc})") from None
        if state.object != object_name:
            raise ConfigError(f"cursor page_state belongs to {state.object!r}, not {object_name!r}")
        return state

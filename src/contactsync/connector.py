"""The connector interface every vendor plugin implements.

A connector moves vendor-native records: it knows the vendor's API, paging, batching,
errors and limits. It does not know the canonical model: the mapping engine
(``contactsync.mapping``) turns its records into canonical values and back. That keeps a
connector small and lets every installation rename fields without touching code.

HTTP connectors take the ``requests.Session`` in ``ConnectorContext.session``: it is the one
seam for cassettes, emulators, fault injection and a shared rate budget.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from contactsync.models import Kind

if TYPE_CHECKING:
    import requests

    from contactsync.mapping import SystemMapping
    from contactsync.secrets import SecretStore

POSITIONAL_ID_PREFIX = "row:"
"""Record ids starting with this are positions in a file without a key column. They are
never used as links and never taken as evidence of a deletion: rows move."""

DeleteSource = Literal["feed", "enumeration", "none"]
WriteAction = Literal["create", "update", "archive"]


@dataclass(frozen=True)
class Capabilities:
    """What a connector can do; the planner and the contract suite rely on it.

    Attributes:
        kinds: the contact kinds it stores (each in its own object).
        incremental: whether ``pull`` honours a cursor and returns only changes.
        deletes: ``feed`` (the vendor reports deletions), ``enumeration`` (deletions are
            inferred after a complete read) or ``none``.
        batch_size: the most records one push call may carry.
        upsert_by_external_id: writes are keyed by the contactsync key, so a retry cannot
            create a duplicate.
        archive: whether it can archive (delete or deactivate) records.
    """

    kinds: frozenset[Kind]
    incremental: bool = False
    deletes: DeleteSource = "enumeration"
    batch_size: int = 100
    upsert_by_external_id: bool = True
    archive: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "kinds": sorted(k.value for k in self.kinds),
            "incremental": self.incremental,
            "deletes": self.deletes,
            "batch_size": self.batch_size,
            "upsert_by_external_id": self.upsert_by_external_id,
            "archive": self.archive,
        }


@dataclass(frozen=True)
class Cursor:
    """A resumable position in a pull.

    A compound high-watermark (modification time, then record id) tells an incremental pull
    where to start; ``page_state`` lets a pull interrupted between pages resume mid-way.
    Connectors read again from ``watermark - lookback`` and the reconciler de-duplicates,
    so a record sharing the watermark's timestamp is never missed.
    """

    watermark: datetime | None = None
    last_id: str | None = None
    page_state: str | None = None

    def to_json(self) -> str:
        return json.dumps(
            {
                "watermark": self.watermark.isoformat() if self.watermark else None,
                "last_id": self.last_id,
                "page_state": self.page_state,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> Cursor:
        data = json.loads(text)
        mark = data.get("watermark")
        return cls(
            watermark=datetime.fromisoformat(mark) if mark else None,
            last_id=data.get("last_id"),
            page_state=data.get("page_state"),
        )


@dataclass(frozen=True)
class PullResume:
    """A pull that goes on from a page state its connector wrote (``Cursor.page_state``)."""

    page_state: str


@dataclass(frozen=True)
class PullFull:
    """A pull that reads every live record: no cursor, or one without a watermark."""


@dataclass(frozen=True)
class PullChanges:
    """An incremental pull from a cursor's watermark.

    The datetimes are the cursor's, unconverted: each connector writes them in its own
    form (and decides what a naive one means).

    Attributes:
        watermark: the cursor's watermark.
        last_id: the cursor's last id (``""`` when it has none).
        lower: ``watermark - lookback``, the lowest modification time to read again.
        strictly_after: ``True`` when there is no (positive) lookback: a connector that can
            page by the compound position reads strictly after ``mark`` instead of from
            ``lower``, so the records at the watermark it has already seen are not read
            again. One that can only filter by time reads from ``lower`` (the watermark).
    """

    watermark: datetime
    last_id: str
    lower: datetime
    strictly_after: bool

    @property
    def mark(self) -> tuple[datetime, str]:
        """The compound position ``(watermark, last_id)`` the pull starts at."""
        return (self.watermark, self.last_id)


PullStart = PullResume | PullFull | PullChanges
"""Where a pull starts; see ``pull_start``."""


def pull_start(since: Cursor | None, lookback: timedelta) -> PullStart:
    """Where a pull from ``since`` starts, before any vendor's stamp format comes in.

    A page state wins (an interrupted pull resumes); no cursor or no watermark is a full
    read; otherwise changes from ``watermark - lookback``, or with a lookback of zero (or
    less) strictly after ``(watermark, last_id)``.
    """
    if since is not None and since.page_state:
        return PullResume(since.page_state)
    if since is None or since.watermark is None:
        return PullFull()
    return PullChanges(
        watermark=since.watermark,
        last_id=since.last_id or "",
        lower=since.watermark - lookback,
        strictly_after=lookback <= timedelta(0),
    )


@dataclass(frozen=True)
class VendorRecord:
    """One record as the vendor holds it.

    Attributes:
        record_id: the vendor's id (for files: the contactsync key, or the row number).
        values: vendor field name to value, as read.
        modified_at: the vendor's modification stamp, when it has one.
        deleted: ``True`` for an entry of a delete feed (``values`` may be empty).
        object: the object, table, sheet or form it was read from.
        locator: where a person finds it, when the id does not say (``row 7``).
    """

    record_id: str
    values: Mapping[str, Any]
    object: str
    modified_at: datetime | None = None
    deleted: bool = False
    locator: str | None = None

    @property
    def positional(self) -> bool:
        """Whether ``record_id`` is only a position (a row number), not an identity."""
        return self.record_id.startswith(POSITIONAL_ID_PREFIX)


@dataclass(frozen=True)
class RowError:
    """A record the connector could read but not make sense of (a malformed row)."""

    object: str
    record_id: str
    reason: str
    field: str | None = None


@dataclass(frozen=True)
class PullPage:
    """One page of a pull.

    Attributes:
        records: the page's records, in the vendor's order.
        errors: rows that could not be read, each with its reason; never dropped silently.
        cursor: where to resume after this page.
        last: ``True`` on the final page.
        complete: ``True`` when the pull enumerated every live record of the object, so
            that a known record absent from it may be taken as deleted.
    """

    records: list[VendorRecord]
    cursor: Cursor
    errors: list[RowError] = field(default_factory=list)
    last: bool = False
    complete: bool = False


@dataclass(frozen=True)
class WriteOp:
    """One write, with vendor-native values already mapped.

    Attributes:
        action: create, update or archive.
        key: the contactsync key (the external id every system carries).
        record_id: the vendor's id, when the record exists there.
        values: vendor field name to value (for archive, may be empty).
        idempotency_key: stable across retries of the same operation (kept in the journal).
    """

    action: WriteAction
    key: str
    values: Mapping[str, Any]
    record_id: str | None = None
    idempotency_key: str = ""


@dataclass(frozen=True)
class VendorError:
    """A vendor's per-record error, kept as the vendor said it."""

    code: str
    message: str
    fields: tuple[str, ...] = ()
    retryable: bool = False


@dataclass(frozen=True)
class WriteResult:
    """The outcome of one ``WriteOp``: ``ok`` with the record id, or the vendor's error."""

    key: str
    ok: bool
    action: WriteAction
    record_id: str | None = None
    error: VendorError | None = None


@dataclass(frozen=True)
class FieldSchema:
    name: str
    type: str
    external_id: bool = False
    reference_to: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class ObjectSchema:
    """The vendor's description of one object (describe, fields API, widget list)."""

    name: str
    fields: Mapping[str, FieldSchema]


@dataclass
class ConnectorContext:
    """What a connector gets when it is built.

    Attributes:
        system: the system's name in the configuration.
        settings: the system's table from ``contactsync.toml`` (credentials resolved).
        mapping: the system's mapping (objects and field names per kind).
        base_dir: the configuration file's folder; relative paths are relative to it.
        session: an injected HTTP session, for connectors that speak HTTP.
        secrets: the system's secrets, sealed in the state store (OAuth tokens a
            connector keeps between runs); ``None`` when built outside a workspace.
    """

    system: str
    settings: Mapping[str, Any]
    mapping: SystemMapping
    base_dir: Path
    session: requests.Session | None = None
    secrets: SecretStore | None = None


class Connector(ABC):
    """Base class of every connector. See ``docs/writing_connectors.md``."""

    capabilities: Capabilities

    def __init__(self, context: ConnectorContext) -> None:
        self.context = context

    @property
    def system(self) -> str:
        return self.context.system

    def object_for(self, kind: Kind) -> str:
        """The vendor object this system keeps ``kind`` in (from the mapping)."""
        return self.context.mapping.object_for(kind)

    @abstractmethod
    def describe(self) -> dict[Kind, ObjectSchema]:
        """The vendor schema of each kind's object."""

    @abstractmethod
    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        """Yield pages of ``kind``'s object; ``since=None`` is a full enumeration."""

    @abstractmethod
    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        """Send ``operations`` (at most ``capabilities.batch_size``); one result each."""

    def check_schema(self) -> list[str]:
        """Problems with the live schema beyond a missing field, one sentence each.

        ``contactsync check --online`` already reports mapped fields that ``describe``
        lacks; override this to add vendor rules (field types, external-id flags,
        lookups pointing at the right object). The default finds nothing more.
        """
        return []

    def check_offline(self) -> list[str]:
        """Problems found without calling the vendor, one sentence each.

        ``contactsync check`` reports them (and exits 2): what the settings alone cannot
        show, such as a token store that cannot be used or a file that is not there. The
        default finds nothing.
        """
        return []

    def close(self) -> None:  # noqa: B027 - optional hook, most connectors hold nothing
        """Release files, sessions or connections."""


ConnectorFactory = Callable[[ConnectorContext], Connector]

# Keys every system's table may hold whatever its connector: the core reads them.
COMMON_SETTINGS = frozenset({"credentials"})


def read_number(
    settings: Mapping[str, Any],
    key: str,
    default: float,
    where: str,
    *,
    low: float,
    high: float = math.inf,
    open_low: bool = False,
) -> float:
    """Setting ``key`` as a number within ``low``..``high`` (above ``low`` with
    ``open_low``); NaN and infinities (TOML's ``nan``, ``inf``) are refused too.

    Raises:
        ConfigError: naming ``where``, the setting and its range.
    """
    from contactsync.errors import ConfigError

    value = settings.get(key, default)
    ok = (
        isinstance(value, int | float) and not isinstance(value, bool)
        and math.isfinite(value) and (value > low if open_low else value >= low)
        and value <= high
    )
    if ok:
        return float(value)
    if open_low:
        bound = f"greater than {_figure(low)}" + (
            f" and at most {_figure(high)}" if math.isfinite(high) else ""
        )
    else:
        bound = f"from {_figure(low)} to {_figure(high)}" if math.isfinite(high) else (
            f"of {_figure(low)} or more"
        )
    got = f", not {value}" if isinstance(value, float) and not math.isfinite(value) else ""
    raise ConfigError(f"{where}: setting {key!r} must be a number {bound}{got}")


def _figure(value: float) -> str:
    """``86,400`` or ``0.001``: separators keep a bound from reading as a phone number."""
    return f"{int(value):,}" if value == int(value) else f"{value:g}"


def local_file_problem(path: Path) -> str | None:
    """Why a file a connector reads and writes cannot be used, when that is certain
    (for ``Connector.check_offline``): a folder in its place, a part of its folder that is
    a file, or no permission to read it. A missing file is no problem (the first write
    creates it): ``None`` then, and when nothing is wrong.
    """
    import os
    import stat

    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return f"{path}: cannot be created (a part of its folder is a file)"
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror or exc})"
    if not stat.S_ISREG(info.st_mode):
        return f"{path}: is not a file"
    if not os.access(path, os.R_OK):
        return f"{path}: cannot be read (permission denied)"
    return None


def refuse_unknown_settings(settings: Mapping[str, Any], known: set[str], where: str) -> None:
    """Raise ``ConfigError`` naming settings a connector does not read (``encodng``...)."""
    from contactsync.errors import ConfigError

    unknown = sorted(set(settings) - known - COMMON_SETTINGS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting(s) {', '.join(map(repr, unknown))}; "
            f"this connector reads {', '.join(sorted(known))}"
        )


@dataclass(frozen=True)
class ConnectorSpec:
    """How a plugin registers a connector.

    Attributes:
        name: the name used as ``connector = "..."`` in the configuration.
        factory: builds the connector for one configured system.
        capabilities: what it can do (also on the built connector).
        default_mapping: file name of its default mapping in ``mappings/``.
        description: one line for ``contactsync connectors``.
    """

    name: str
    factory: ConnectorFactory
    capabilities: Capabilities
    default_mapping: str
    description: str = ""

"""What a form holds (``widget/list``) and the link from contact forms to the customer form.

``widget/list`` answers with the form's fields (``widgets``: the name data uses, which is
the alias when one is set, the fixed ``_widget_…`` id, the label and the type), its system
fields and ``dataModifyTime``, the time of the latest data change in the form: a cheap
way to tell that a form has not changed since the last pull.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from contactsync.errors import ConfigError
from contactsync_jiandaoyun.client import JiandaoyunClient
from contactsync_jiandaoyun.settings import MAX_PAGE_SIZE, CustomerForm, FormRef

WIDGET_LIST = "app/entry/widget/list"
DATA_LIST = "app/entry/data/list"

SYSTEM_FIELDS = frozenset(
    {
        "_id",
        "appId",
        "entryId",
        "creator",
        "updater",
        "deleter",
        "createTime",
        "updateTime",
        "deleteTime",
        "flowState",
        "ext",
        "wx_open_id",
        "wx_nickname",
        "wx_gender",
    }
)
"""Fields the platform sets: read only, never written."""


@dataclass(frozen=True)
class Widget:
    """One field of a form.

    Attributes:
        name: the name data uses (the alias when set, else the widget id).
        widget_id: the fixed ``_widget_…`` id.
        label: the title shown in the form.
        type: ``text``, ``number``, ``datetime``, ``phone``, ``linkdata``, ``subform``...
        items: a subform's own fields.
    """

    name: str
    widget_id: str
    label: str
    type: str
    items: tuple[Widget, ...] = ()

    def item(self, name: str) -> Widget | None:
        return next((w for w in self.items if w.name == name), None)


@dataclass(frozen=True)
class FormSchema:
    """A form as ``widget/list`` describes it."""

    form: FormRef
    widgets: Mapping[str, Widget]
    system_fields: tuple[str, ...]
    data_modify_time: datetime | None = None

    def widget(self, name: str) -> Widget | None:
        return self.widgets.get(name)


def parse_widget_list(form: FormRef, body: Mapping[str, Any]) -> FormSchema:
    """The schema in a ``widget/list`` answer (fields of unknown shape are skipped)."""
    raw = body.get("widgets")
    if not isinstance(raw, list):
        raise ConfigError(f"form {form}: widget/list answered without a widget list")
    widgets = {w.name: w for w in (_widget(item) for item in raw) if w is not None}
    system = tuple(
        str(item["name"])
        for item in body.get("sysWidgets") or ()
        if isinstance(item, Mapping) and isinstance(item.get("name"), str)
    )
    return FormSchema(form, widgets, system, parse_time(body.get("dataModifyTime")))


def _widget(item: Any) -> Widget | None:
    if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
        return None
    items = tuple(w for w in (_widget(sub) for sub in item.get("items") or ()) if w is not None)
    return Widget(
        name=item["name"],
        widget_id=str(item.get("widgetName") or item["name"]),
        label=str(item.get("label") or ""),
        type=str(item.get("type") or ""),
        items=items,
    )


def parse_time(value: Any) -> datetime | None:
    """A Jiandaoyun time (``2021-09-08T03:40:26.586Z``) as an aware UTC datetime."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def format_time(value: datetime) -> str:
    """``value`` as Jiandaoyun writes times: UTC, milliseconds, ``Z``."""
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def list_rows(
    client: JiandaoyunClient,
    form: FormRef,
    *,
    fields: list[str] | None = None,
    filter: Mapping[str, Any] | None = None,
    page_size: int = MAX_PAGE_SIZE,
) -> Iterator[dict[str, Any]]:
    """Every row of ``form`` matching ``filter``, paging by ``data_id`` (rows in id order)."""
    after: str | None = None
    while True:
        body: dict[str, Any] = {**form.body(), "limit": page_size}
        if after:
            body["data_id"] = after
        if fields is not None:
            body["fields"] = fields
        if filter is not None:
            body["filter"] = dict(filter)
        rows = data_rows(client.call(DATA_LIST, body), form)
        yield from rows
        if len(rows) < page_size or not isinstance(rows[-1].get("_id"), str):
            return
        after = rows[-1]["_id"]


def data_rows(body: Mapping[str, Any], form: FormRef) -> list[dict[str, Any]]:
    rows = body.get("data")
    if not isinstance(rows, list):
        raise ConfigError(f"form {form}: data/list answered without a data list")
    return [row for row in rows if isinstance(row, dict)]


def link_id(value: Any) -> str | None:
    """The record id a link (关联数据) holds: as text, or ``{"id"|"_id"|"value": ...}``."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, Mapping):
        for name in ("id", "_id", "value"):
            found = value.get(name)
            if isinstance(found, str) and found.strip():
                return found.strip()
    return None


@dataclass
class CustomerLinks:
    """Customer keys to customer-form record ids and back, read from the customer form.

    The whole form's key field is read on first need (100 rows a call) and again at most
    once per pull or push when a key or id is not found, so a customer added meanwhile is
    seen without re-reading the form for every record.
    """

    client: JiandaoyunClient
    customer_form: CustomerForm
    page_size: int = MAX_PAGE_SIZE
    _by_id: dict[str, str] = field(default_factory=dict)
    _by_key: dict[str, list[str]] = field(default_factory=dict)
    _fresh: bool = False

    def reset(self) -> None:
        """Allow one more read of the form (at the start of each pull and push)."""
        self._fresh = False

    def key_for(self, record_id: str) -> str | None:
        if record_id not in self._by_id and not self._fresh:
            self._load()
        return self._by_id.get(record_id)

    def ids_for(self, key: str) -> list[str]:
        if key not in self._by_key and not self._fresh:
            self._load()
        return list(self._by_key.get(key, ()))

    def _load(self) -> None:
        key_field = self.customer_form.key_field
        by_id: dict[str, str] = {}
        by_key: dict[str, list[str]] = {}
        for row in list_rows(
            self.client, self.customer_form.form, fields=[key_field], page_size=self.page_size
        ):
            record_id, key = row.get("_id"), row.get(key_field)
            if not isinstance(record_id, str) or key in (None, ""):
                continue
            text = str(key).strip()
            by_id[record_id] = text
            by_key.setdefault(text, []).append(record_id)
        self._by_id, self._by_key, self._fresh = by_id, by_key, True


__all__ = [
    "DATA_LIST",
    "SYSTEM_FIELDS",
    "WIDGET_LIST",
    "CustomerLinks",
    "FormSchema",
    "Widget",
    "data_rows",
    "format_time",
    "link_id",
    "list_rows",
    "parse_time",
    "parse_widget_list",
]

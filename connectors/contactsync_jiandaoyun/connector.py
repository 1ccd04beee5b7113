"""``JiandaoyunConnector``: contacts kept in two ordinary Jiandaoyun forms, over open API v5.

Each kind lives in its own form (the mapping's object: the form's ``entry_id``, or
``<app_id>/<entry_id>``); ``describe`` and every pull read the form's ``widget/list``,
which also says when its data last changed. Reading is ``paging.py``, writing
``writer.py``, field shapes ``shapes.py``, transport ``client.py``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import timedelta

import requests

from contactsync.connector import (
    Capabilities,
    Connector,
    ConnectorContext,
    Cursor,
    FieldSchema,
    ObjectSchema,
    PullPage,
    WriteOp,
    WriteResult,
)
from contactsync.errors import ConfigError
from contactsync.mapping import check_separate_storage
from contactsync.models import Kind
from contactsync_jiandaoyun.client import JiandaoyunClient
from contactsync_jiandaoyun.forms import (
    WIDGET_LIST,
    CustomerLinks,
    FormSchema,
    parse_widget_list,
)
from contactsync_jiandaoyun.limiter import Clock, RateLimiter, Sleep
from contactsync_jiandaoyun.paging import PageState, read_pages, skip_page, start_state
from contactsync_jiandaoyun.settings import MAX_BATCH, FormRef, JiandaoyunSettings
from contactsync_jiandaoyun.shapes import Shaper
from contactsync_jiandaoyun.writer import FormWriter

CAPABILITIES = Capabilities(
    kinds=frozenset(Kind),
    incremental=True,
    deletes="enumeration",
    batch_size=MAX_BATCH,
    upsert_by_external_id=True,
    archive=True,
)

_SYSTEM_TYPES = {"createTime": "datetime", "updateTime": "datetime", "deleteTime": "datetime"}


class JiandaoyunConnector(Connector):
    """Emergency and business contacts in two Jiandaoyun forms.

    Args:
        context: the system's context; settings in ``contactsync_jiandaoyun.settings``.
        clock: monotonic seconds for the rate limiter (tests inject a fake one).
        sleep: waits for the rate limiter and retries (tests inject one that records).
        jitter: the random source of backoff jitter.

    Raises:
        ConfigError: bad settings, a missing API key, or a mapping whose kinds share a form.
    """

    capabilities = CAPABILITIES

    def __init__(
        self,
        context: ConnectorContext,
        *,
        clock: Clock | None = None,
        sleep: Sleep | None = None,
        jitter: random.Random | None = None,
    ) -> None:
        super().__init__(context)
        where = f"system {context.system!r}"
        self.settings = JiandaoyunSettings.from_settings(context.settings, where)
        check_separate_storage(context.mapping)
        self.forms: dict[Kind, FormRef] = {
            kind: self.settings.form(om.object, f"{where} ({context.mapping.source})")
            for kind, om in context.mapping.objects.items()
        }
        if len({str(form) for form in self.forms.values()}) < len(self.forms):
            raise ConfigError(f"{where}: both kinds are mapped to one form; give each its own")
        self._owns_session = context.session is None
        session = context.session or requests.Session()
        limiter = RateLimiter(self.settings.rate_share, clock=clock, sleep=sleep)
        self.client = JiandaoyunClient(session, self.settings, limiter, sleep=sleep, jitter=jitter)
        customer = self.settings.customer_form
        self.links = (
            CustomerLinks(self.client, customer, self.settings.page_size) if customer else None
        )
        self._schemas: dict[Kind, FormSchema] = {}

    # -- forms -------------------------------------------------------------------------

    def schema(self, kind: Kind, *, fresh: bool = False) -> FormSchema:
        """The kind's form as ``widget/list`` describes it (read again when ``fresh``)."""
        if fresh or kind not in self._schemas:
            form = self._form(kind)
            self._schemas[kind] = parse_widget_list(
                form, self.client.call(WIDGET_LIST, form.body())
            )
        return self._schemas[kind]

    def _form(self, kind: Kind) -> FormRef:
        if kind not in self.forms:
            self.context.mapping.for_kind(kind)  # raises the mapping's ConfigError
            raise ConfigError(f"system {self.system!r}: no form for {kind.value}")
        return self.forms[kind]

    def shaper(self, kind: Kind) -> Shaper:
        """Reads and writes the kind's fields; refuses a customer link it cannot resolve."""
        schema = self.schema(kind)
        field = _customer_field(self, kind)
        widget = schema.widget(field) if field else None
        if widget is not None and widget.type == "linkdata" and self.links is None:
            raise ConfigError(
                f"system {self.system!r}: field {field!r} of form {schema.form} links to "
                "another form; set customer_form = { entry_id = ..., key_field = ... } so "
                "the link reads as the customer's key"
            )
        return Shaper(schema, self.context.mapping.for_kind(kind), self.links)

    # -- describe ----------------------------------------------------------------------

    def describe(self) -> dict[Kind, ObjectSchema]:
        """Each form's fields from ``widget/list``, plus ``_id`` and the system fields."""
        schemas: dict[Kind, ObjectSchema] = {}
        for kind in sorted(self.forms):
            om = self.context.mapping.for_kind(kind)
            form = self.schema(kind, fresh=True)
            fields = {
                "_id": FieldSchema("_id", "id", required=True),
                **{
                    name: FieldSchema(name, _SYSTEM_TYPES.get(name, "system"))
                    for name in ("appId", "entryId", *form.system_fields)
                },
            }
            for name, widget in form.widgets.items():
                key = name == om.key_field
                link = self.links is not None and name == _customer_field(self, kind)
                fields[name] = FieldSchema(
                    name,
                    widget.type,
                    external_id=key,
                    required=key,
                    reference_to=(str(self.links.customer_form.form),)
                    if link and self.links
                    else (),
                )
            schemas[kind] = ObjectSchema(name=om.object, fields=fields)
        return schemas

    # -- pull --------------------------------------------------------------------------

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        """Pages of the kind's form; see ``contactsync_jiandaoyun.paging``.

        ``since=None`` (or no watermark): every row, ``complete``. A watermark: the rows
        changed since ``watermark - lookback_seconds``, or nothing at all when the form's
        ``dataModifyTime`` says it has not changed. A ``page_state`` resumes a pull.
        """
        form = self._form(kind)
        om = self.context.mapping.for_kind(kind)
        if self.links is not None:
            self.links.reset()
        if since is not None and since.page_state:
            state: PageState | None = PageState.decode(since.page_state, form.entry_id)
            self.schema(kind)
        else:
            modified = self.schema(kind, fresh=True).data_modify_time
            lookback = timedelta(seconds=self.settings.lookback_seconds)
            state = start_state(form, since, modified, lookback)
        if state is None:
            assert since is not None
            yield skip_page(since)
            return
        yield from read_pages(
            self.client,
            form,
            om.object,
            state,
            self.settings.page_size,
            lambda: self.shaper(kind),
        )

    # -- push --------------------------------------------------------------------------

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        """Creates, updates and archives; see ``contactsync_jiandaoyun.writer``. The work
        is done before this returns; one result per operation, in order."""
        if self.links is not None:
            self.links.reset()
        writer = FormWriter(
            self.client,
            self._form(kind),
            self.context.mapping.for_kind(kind),
            self.shaper(kind),
            self.settings.page_size,
        )
        return iter(writer.push(operations))

    def close(self) -> None:
        if self._owns_session:
            self.client.session.close()
        self._schemas.clear()


def _customer_field(connector: JiandaoyunConnector, kind: Kind) -> str | None:
    fmap = connector.context.mapping.for_kind(kind).fields.get("customer")
    return fmap.vendor_fields[0] if fmap is not None else None


__all__ = ["CAPABILITIES", "JiandaoyunConnector"]

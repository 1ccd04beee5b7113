"""``ZohoConnector``: Zoho CRM through REST API v8, on contactsync's own thin client.

One connector object is one tenant: its own token provider, client, metadata cache,
account-key cache and concurrency limit. Nothing is global and nothing is written to disk,
so any number of tenants run side by side in one process (threads included).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
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
    WriteOp,
    WriteResult,
)
from contactsync.errors import ConfigError
from contactsync.models import Kind
from contactsync.secrets import SecretCipher
from contactsync_zoho.accounts import AccountKeys
from contactsync_zoho.auth import Clock, TokenProvider, utc_now
from contactsync_zoho.client import ZohoApiError, ZohoClient
from contactsync_zoho.metadata import Metadata
from contactsync_zoho.modules import ModulePlan, Seen, plan_module
from contactsync_zoho.pull import Puller, PullState
from contactsync_zoho.push import Pusher
from contactsync_zoho.retry import RetryPolicy, Sleep
from contactsync_zoho.settings import MAX_RECORDS_PER_WRITE, ZohoSettings
from contactsync_zoho.tokens import (
    SECRET_NAME,
    MemoryTokenStore,
    StateTokenStore,
    TokenStore,
    issuer_fingerprint,
)
from contactsync_zoho.zcrmsdk_store import ZcrmsdkFileTokenStore

CAPABILITIES = Capabilities(
    kinds=frozenset(Kind),
    incremental=True,
    deletes="feed",
    batch_size=MAX_RECORDS_PER_WRITE,
    upsert_by_external_id=True,
    archive=True,
)


class ZohoConnector(Connector):
    """Zoho CRM, each kind in its own module (``Emergency_Contacts``, ``Contacts``).

    Args:
        context: the system's context. Settings: see ``ZohoSettings``; credentials
            ``client_id``, ``client_secret`` and ``refresh_token`` (the last may come from
            the token store instead).
        token_store: where tokens are kept; default: the ``token_store`` setting (in
            memory; sealed in the state store; or the ``zcrmsdk`` file named by
            ``zcrmsdk_token_file``).
        clock: the time source for token expiry (tests inject one).
        sleep: how retries wait (tests inject one that records and returns).

    Raises:
        ConfigError: bad settings. Missing credentials are reported by the first call
            that needs a token (commands that never call Zoho work without them).
    """

    capabilities = CAPABILITIES

    def __init__(
        self,
        context: ConnectorContext,
        *,
        token_store: TokenStore | None = None,
        clock: Clock = utc_now,
        sleep: Sleep | None = None,
    ) -> None:
        super().__init__(context)
        where = f"system {context.system!r}"
        self.settings = ZohoSettings.from_settings(context.settings, where, context.base_dir)
        credentials = _credentials(context.settings, where)
        self._store_from_settings = token_store is None
        store = token_store or self._default_store(credentials.get("client_id", ""))
        self.token_store = store
        self._owns_session = context.session is None
        self.session = context.session or requests.Session()
        self.retry = RetryPolicy(attempts=self.settings.max_attempts, sleep=sleep)
        self.tokens = TokenProvider(
            self.session,
            accounts_url=self.settings.accounts_url,
            client_id=credentials.get("client_id", ""),
            client_secret=credentials.get("client_secret", ""),
            refresh_token=credentials.get("refresh_token"),
            store=store,
            clock=clock,
            retry=self.retry,
            timeout=self.settings.timeout_seconds,
        )
        self.client = ZohoClient(
            self.session, self.tokens, retry=self.retry,
            timeout=self.settings.timeout_seconds,
            max_concurrency=self.settings.max_concurrency,
            quota_share=self.settings.quota_share,
        )
        self.metadata = Metadata(self.client)
        self.accounts = AccountKeys(
            self.client, self.settings.accounts_module, self.settings.account_key_field
        )
        self._plans: dict[Kind, ModulePlan] = {}
        self._seen: dict[Kind, Seen] = {kind: Seen() for kind in Kind}
        self._lock = threading.Lock()

    def _default_store(self, client_id: str) -> TokenStore:
        if self.settings.token_store == "zcrmsdk":
            return self._zcrmsdk_store()
        if self.settings.token_store == "state":
            if self.context.secrets is None:
                raise ConfigError(
                    f"system {self.system!r}: token_store = 'state' needs a state store; "
                    "build the connector through a workspace, or inject a token store"
                )
            issuer = issuer_fingerprint(self.settings.accounts_url, client_id)
            return StateTokenStore(self.context.secrets, issuer=issuer)
        return MemoryTokenStore()

    def _zcrmsdk_store(self) -> ZcrmsdkFileTokenStore:
        assert self.settings.zcrmsdk_token_file is not None  # the settings require it
        return ZcrmsdkFileTokenStore(self.settings.zcrmsdk_token_file, self.settings.zcrmsdk_user)

    def check_offline(self) -> list[str]:
        """What makes the configured token store unusable, found without calling Zoho.

        ``state``: ``CONTACTSYNC_SECRET_KEY`` unset or not a key (the key itself is never
        shown). ``zcrmsdk``: ``zcrmsdk_token_file`` missing, unreadable, not a zcrmsdk
        token file, or without the refresh token of the user to use.
        """
        if not self._store_from_settings:
            return []  # an injected store: the setting is not what is used
        if self.settings.token_store == "state":
            try:
                SecretCipher.from_env()
            except ConfigError as exc:
                return [f"token_store = 'state' cannot keep tokens: {exc}"]
            kept = self.context.secrets.problem(SECRET_NAME) if self.context.secrets else None
            if kept is not None:
                return [f"token_store = 'state': the kept token cannot be used: {kept}"]
        elif self.settings.token_store == "zcrmsdk":
            try:
                self._zcrmsdk_store().load()
            except ConfigError as exc:
                return [f"token_store = 'zcrmsdk' (setting 'zcrmsdk_token_file'): {exc}"]
        return []

    # -- modules ---------------------------------------------------------------------------

    def module_plan(self, kind: Kind) -> ModulePlan:
        """``kind``'s module, checked against ``/settings/fields`` once.

        Raises:
            ConfigError: naming the system, the module and what is wrong.
        """
        with self._lock:
            plan = self._plans.get(kind)
            if plan is not None:
                return plan
        om = self.context.mapping.for_kind(kind)
        try:
            plan = plan_module(
                om, self.metadata,
                accounts_module=self.settings.accounts_module,
                account_key_field=self.settings.account_key_field,
            )
        except ConfigError as exc:
            raise ConfigError(f"system {self.system!r}: {exc}") from None
        with self._lock:
            self._plans[kind] = plan
        return plan

    def describe(self) -> dict[Kind, ObjectSchema]:
        schemas: dict[Kind, ObjectSchema] = {}
        for kind in sorted(self.context.mapping.kinds):
            plan = self.module_plan(kind)
            fields = {
                name: FieldSchema(
                    name=name,
                    type=meta.data_type,
                    external_id=meta.unique,
                    reference_to=(meta.lookup_module,) if meta.lookup_module else (),
                    required=meta.mandatory,
                )
                for name, meta in sorted(plan.meta.fields.items())
            }
            schemas[kind] = ObjectSchema(name=plan.module, fields=fields)
        return schemas

    # -- pull and push -------------------------------------------------------------------

    def pull(self, kind: Kind, since: Cursor | None = None) -> Iterator[PullPage]:
        plan = self.module_plan(kind)
        lookback = timedelta(seconds=self.settings.lookback_seconds)
        state = PullState.start(plan.module, since, lookback)
        puller = Puller(
            self.client, plan, self._accounts_for(plan),
            page_size=self.settings.page_size, incremental=self.settings.incremental,
            seen=self._seen[kind],
        )
        try:
            yield from puller.pages(state)
        except ZohoApiError as exc:
            if exc.code in ("INVALID_MODULE", "INVALID_DATA", "REQUIRED_PARAM_MISSING",
                            "LIMIT_EXCEEDED", "NO_PERMISSION"):
                raise ConfigError(f"system {self.system!r}: reading {plan.module}: {exc}") from None
            raise

    def push(self, kind: Kind, operations: Sequence[WriteOp]) -> Iterator[WriteResult]:
        """Write ``operations``; every result is known before this returns."""
        plan = self.module_plan(kind)
        pusher = Pusher(
            self.client, plan, self._accounts_for(plan), seen=self._seen[kind],
            create_with=self.settings.create_with, triggers=self.settings.triggers,
        )
        results: list[WriteResult] = []
        for start in range(0, len(operations), MAX_RECORDS_PER_WRITE):
            results.extend(pusher.push(operations[start : start + MAX_RECORDS_PER_WRITE]))
        return iter(results)

    def _accounts_for(self, plan: ModulePlan) -> AccountKeys | None:
        return self.accounts if plan.customer_field is not None else None

    def close(self) -> None:
        if self._owns_session:
            self.session.close()


def _credentials(settings: Mapping[str, Any], where: str) -> dict[str, str]:
    """The resolved credentials; checked when a token is first needed, not here, so that
    commands that never call Zoho (``quarantine list``) work without them."""
    raw = settings.get("credentials") or {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: credentials must be a table")
    return {str(k): str(v) for k, v in raw.items() if isinstance(v, str) and v}


__all__ = ["CAPABILITIES", "ZohoConnector"]

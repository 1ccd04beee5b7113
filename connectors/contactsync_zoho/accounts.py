"""The customer of a contact: the Account its lookup points to, known by its customer key.

Contacts in Zoho point at their customer with a lookup to Accounts (``{"id": ..., "name":
...}``). Zoho ids differ per org and the Account's name is no key, so contactsync's
customer is the value of the Account's ``account_key_field`` (``Account_Number`` by
default): the same customer number every other system holds.

* Reading, the lookup's Account id becomes that key (Accounts fetched by id, 100 a call).
* Writing, the key becomes ``{"id": <Account id>}`` (Accounts searched by key, 10 keys a
  call with ``in``; the Search API's ``equals``/``in`` match loosely, so the answer is
  filtered for exact keys). A key with no Account, or with several, fails that record:
  contactsync never creates or guesses a customer.

Both directions are cached in memory for the connector's life.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from contactsync_zoho.client import ZohoClient
from contactsync_zoho.query import criteria_in
from contactsync_zoho.settings import MAX_IDS_PER_CALL, MAX_PER_PAGE, MAX_SEARCH_VALUES


def chunked(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def key_text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


class AccountKeys:
    """Account id ⇄ customer key, for one tenant."""

    def __init__(self, client: ZohoClient, module: str, key_field: str) -> None:
        self._client = client
        self.module = module
        self.key_field = key_field
        self._key_of: dict[str, str | None] = {}
        self._ids_of: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def remember(self, account_id: str, key: str | None) -> None:
        with self._lock:
            self._key_of[account_id] = key
            if key is not None:
                ids = self._ids_of.setdefault(key, [])
                if account_id not in ids:
                    ids.append(account_id)

    def keys_for(self, account_ids: Iterable[str]) -> dict[str, str | None]:
        """The customer key of each Account id (``None``: no key, or no such Account)."""
        wanted = list(dict.fromkeys(account_ids))
        with self._lock:
            unknown = [i for i in wanted if i not in self._key_of]
        for chunk in chunked(unknown, MAX_IDS_PER_CALL):
            answer = self._client.call(
                "GET", f"/{self.module}",
                params={"ids": ",".join(chunk), "fields": self.key_field},
            )
            found = set()
            for record in answer.data:
                if isinstance(record, Mapping) and record.get("id") is not None:
                    account_id = str(record["id"])
                    found.add(account_id)
                    self.remember(account_id, key_text(record.get(self.key_field)))
            for account_id in chunk:
                if account_id not in found:
                    self.remember(account_id, None)
        with self._lock:
            return {i: self._key_of.get(i) for i in wanted}

    def ids_for(self, keys: Iterable[str]) -> dict[str, list[str]]:
        """The Account ids holding each customer key (empty list: none)."""
        wanted = list(dict.fromkeys(keys))
        with self._lock:
            unknown = [k for k in wanted if k not in self._ids_of]
        for chunk in chunked(unknown, MAX_SEARCH_VALUES):
            for record in self._search(chunk):
                key = key_text(record.get(self.key_field))
                if key in chunk and record.get("id") is not None:  # exact match only
                    self.remember(str(record["id"]), key)
            with self._lock:
                for key in chunk:
                    self._ids_of.setdefault(key, [])
        with self._lock:
            return {k: sorted(self._ids_of.get(k, [])) for k in wanted}

    def _search(self, keys: Sequence[str]) -> list[Mapping[str, Any]]:
        records: list[Mapping[str, Any]] = []
        page = 1
        while True:
            answer = self._client.call(
                "GET", f"/{self.module}/search",
                params={
                    "criteria": criteria_in(self.key_field, keys),
                    "fields": self.key_field,
                    "page": page,
                    "per_page": MAX_PER_PAGE,
                },
            )
            records.extend(r for r in answer.data if isinstance(r, Mapping))
            if not answer.info.get("more_records") or page >= 10:
                return records
            page += 1

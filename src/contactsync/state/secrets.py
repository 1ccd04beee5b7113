"""Sealed secrets of connectors (see ``contactsync.secrets``): the store keeps only the
sealed text; sealing and opening happen outside it, so no plaintext ever reaches SQL."""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from contactsync.secrets import SEAL_VERSION
from contactsync.state.access import Access
from contactsync.state.codec import from_utc_text, utc_text
from contactsync.state.records import SecretEntry
from contactsync.state.schema import secrets as table

UNREADABLE_KEY_ID = "?"
"""The ``key_id`` of a kept row whose sealed text is not in ``v1:<keyid>:<body>`` form
(damaged, or written by something else): no key opens it, but it can be listed and
forgotten."""

_KEY_ID = re.compile(r"[0-9A-Za-z]{1,64}")


def sealed_key_id(sealed: object) -> str:
    """The public name of the key that sealed ``sealed``, or ``UNREADABLE_KEY_ID``."""
    if not isinstance(sealed, str):
        return UNREADABLE_KEY_ID
    version, _, rest = sealed.partition(":")
    key_id, _, body = rest.partition(":")
    if version != SEAL_VERSION or not body or not _KEY_ID.fullmatch(key_id):
        return UNREADABLE_KEY_ID
    return key_id


class Secrets(Access):
    def get_secret(self, system: str, name: str) -> str | None:
        """The sealed text kept for ``system``'s secret ``name``, or ``None``."""
        query = select(table.c.sealed).where(table.c.system == system, table.c.name == name)
        with self._read() as conn:
            sealed: str | None = conn.execute(query).scalar_one_or_none()
        return sealed

    def put_secret(self, system: str, name: str, sealed: str) -> None:
        """Keep ``sealed`` for ``system``'s secret ``name`` (replacing what was there)."""
        row = {"system": system, "name": name, "sealed": sealed,
               "updated_at": utc_text(self._now())}
        with self._write() as conn:
            conn.execute(self._upsert(table, ("system", "name"), ("sealed", "updated_at")), row)

    def delete_secret(self, system: str, name: str) -> bool:
        """Forget ``system``'s secret ``name``; ``False`` when there was none."""
        statement = delete(table).where(table.c.system == system, table.c.name == name)
        with self._write() as conn:
            return conn.execute(statement).rowcount == 1

    def secret_entries(self, system: str | None = None) -> list[SecretEntry]:
        """Which secrets are kept (never their values), by system and name.

        A row whose sealed text cannot be read has ``key_id == UNREADABLE_KEY_ID``.
        """
        query = select(table).order_by(table.c.system, table.c.name)
        if system is not None:
            query = query.where(table.c.system == system)
        with self._read() as conn:
            return [
                SecretEntry(row.system, row.name, sealed_key_id(row.sealed),
                            from_utc_text(row.updated_at))
                for row in conn.execute(query)
            ]

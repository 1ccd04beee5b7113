"""Secrets a connector keeps between runs (OAuth tokens), encrypted in the state store.

A connector that must remember a secret (a refreshed access token, a rotated refresh
token) gets a ``SecretStore`` in its ``ConnectorContext``: a small key/value store bound to
its system. Values are sealed with AES-256-GCM before they reach the database, so a copy of
the state store (a backup, a shared PostgreSQL schema) holds no usable token. The
system and the secret's name are the cipher's associated data: a row copied to another
system or name does not open.

The key comes from the environment, never from a file contactsync writes:
``CONTACTSYNC_SECRET_KEY`` holds one or more keys (``contactsync secrets new-key`` prints
one), separated by commas. The first seals; every key is tried when opening, so a key is
rotated by putting the new one first and dropping the old one once ``contactsync secrets
list`` shows every secret re-sealed (each is re-sealed when its connector next saves it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets as random_source
import shlex
import string
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from contactsync.errors import ConfigError

SECRET_KEY_ENV = "CONTACTSYNC_SECRET_KEY"
KEY_BYTES = 32
NONCE_BYTES = 12
SEAL_VERSION = "v1"


class SecretStore(Protocol):
    """A system's secrets, by name; what a connector sees. Implementations are thread-safe."""

    def get(self, name: str) -> dict[str, Any] | None:
        """The secret kept under ``name``, or ``None``."""

    def put(self, name: str, value: Mapping[str, Any]) -> None:
        """Keep ``value`` (JSON-serialisable) under ``name``, replacing what was there."""

    def delete(self, name: str) -> None:
        """Forget ``name`` (nothing happens when it is not there)."""

    def problem(self, name: str) -> str | None:
        """Why the secret kept under ``name`` cannot be used (no usable key, sealed with
        a key not held, altered), or ``None``: for ``contactsync check``, which must not
        create a state store to find out."""


class SecretRows(Protocol):
    """Where sealed secrets are kept: the state store's ``secrets`` table."""

    def get_secret(self, system: str, name: str) -> str | None: ...

    def put_secret(self, system: str, name: str, sealed: str) -> None: ...

    def delete_secret(self, system: str, name: str) -> bool: ...


def _key_id(key: bytes) -> str:
    """A short, public name of a key, so ``open`` knows which key sealed a value."""
    return hashlib.sha256(b"contactsync-secret-key:" + key).hexdigest()[:8]


def new_key() -> str:
    """A fresh random key, in the form ``CONTACTSYNC_SECRET_KEY`` takes."""
    return base64.urlsafe_b64encode(random_source.token_bytes(KEY_BYTES)).decode("ascii")


_MAKE_ONE = "(make one with `contactsync secrets new-key`)"
# URL-safe base64, as `new-key` prints; the standard alphabet's + and / are taken too.
_BASE64_CHARS = frozenset(string.ascii_letters + string.digits + "-_+/")


def _bad_character(char: str) -> str:
    """What a character that is not base64 is, without showing a key's own character."""
    if char in "\"'`":
        return "a quote (write the key without quotes)"
    if char.isspace():
        return "a space or other blank (copy the key again)"
    if char == "=":
        return "an '=' before the end (copy the key again)"
    return f"outside the base64 alphabet {_MAKE_ONE}"


def _decode_key(text: str, position: int) -> bytes:
    """One key of ``CONTACTSYNC_SECRET_KEY``, decoded strictly; no message shows the key."""
    where = f"{SECRET_KEY_ENV}: key {position}"
    body = text.rstrip("=")
    for index, char in enumerate(body, start=1):
        if char not in _BASE64_CHARS:
            raise ConfigError(
                f"{where} is not base64: character {index} is {_bad_character(char)}"
            )
    if len(body) % 4 == 1:
        raise ConfigError(f"{where} is not base64: a character is missing or extra {_MAKE_ONE}")
    size = len(body) * 3 // 4
    if size != KEY_BYTES:
        raise ConfigError(f"{where} is {size} bytes, not {KEY_BYTES} {_MAKE_ONE}")
    padding, needed = len(text) - len(body), -len(body) % 4
    if padding < needed:
        raise ConfigError(
            f"{where} is missing '=' padding: a key ends with {'=' * needed} "
            "(copy the whole key)"
        )
    if padding > needed:
        raise ConfigError(f"{where} is not base64: it ends with too many '=' {_MAKE_ONE}")
    try:
        return base64.b64decode(text.encode("ascii"), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise ConfigError(f"{where} is not base64 {_MAKE_ONE}") from None


def forget_command(context: str) -> str:
    """The command that forgets the secret of ``context`` (``system/name``)."""
    system, _, name = context.partition("/")
    return f"contactsync secrets forget {shlex.quote(system)} {shlex.quote(name)}".rstrip()


class SecretCipher:
    """Seals and opens secrets with AES-256-GCM; the first key seals, any key opens.

    Args:
        keys: one or more 32-byte keys.
    """

    def __init__(self, keys: Sequence[bytes]) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if not keys:
            raise ConfigError(f"{SECRET_KEY_ENV} holds no key")
        self._ciphers = {_key_id(key): AESGCM(key) for key in keys}
        self._sealing = _key_id(keys[0])

    @classmethod
    def from_text(cls, text: str) -> SecretCipher:
        """Keys as ``CONTACTSYNC_SECRET_KEY`` holds them: base64, comma-separated."""
        parts = [part.strip() for part in text.split(",")]
        return cls([_decode_key(part, n) for n, part in enumerate(parts, start=1) if part])

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SecretCipher:
        """The cipher of ``CONTACTSYNC_SECRET_KEY``.

        Raises:
            ConfigError: the variable is unset, empty or holds a bad key.
        """
        text = (os.environ if environ is None else environ).get(SECRET_KEY_ENV, "")
        if not text.strip():
            raise ConfigError(
                f"secrets are kept encrypted in the state store, and {SECRET_KEY_ENV} "
                "is not set: set it to a key from `contactsync secrets new-key`"
            )
        return cls.from_text(text)

    def seal(self, plaintext: bytes, context: str) -> str:
        """``plaintext`` encrypted and bound to ``context`` (``system/name``)."""
        nonce = random_source.token_bytes(NONCE_BYTES)
        sealed = self._ciphers[self._sealing].encrypt(nonce, plaintext, context.encode())
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{SEAL_VERSION}:{self._sealing}:{body}"

    def open(self, sealed: str, context: str) -> bytes:
        """The plaintext of ``sealed``.

        Raises:
            ConfigError: no key given opens it (a rotated-out key), or it was altered or
                copied from another ``context``.
        """
        from cryptography.exceptions import InvalidTag

        version, _, rest = sealed.partition(":")
        key_id, _, body = rest.partition(":")
        if version != SEAL_VERSION or not body:
            raise ConfigError(f"secret {context}: not a sealed secret this contactsync knows")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise ConfigError(
                f"secret {context}: sealed with key {key_id}, which {SECRET_KEY_ENV} does "
                "not hold (add the old key after the new one, or forget the secret with "
                f"`{forget_command(context)}`)"
            )
        try:
            raw = base64.urlsafe_b64decode(body.encode("ascii"))
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
        except (InvalidTag, binascii.Error, ValueError):
            raise ConfigError(
                f"secret {context}: does not open with key {key_id} (altered, or copied "
                "from another system)"
            ) from None

    @property
    def sealing_key_id(self) -> str:
        """The public name of the key that seals (the first one)."""
        return self._sealing

    @property
    def key_ids(self) -> frozenset[str]:
        """The public names of every key held (any of them opens)."""
        return frozenset(self._ciphers)

    def __repr__(self) -> str:
        return f"SecretCipher(keys={len(self._ciphers)}, sealing={self._sealing})"


class SystemSecrets:
    """``SecretStore`` of one system, over the state store's sealed rows.

    Both the rows and the cipher are made on first use, so a run that never keeps a secret
    needs neither the state store open nor ``CONTACTSYNC_SECRET_KEY`` set.

    Args:
        system: the system's name (part of every secret's associated data).
        rows: returns the state store.
        cipher: returns the cipher (default: from ``CONTACTSYNC_SECRET_KEY``).
        present: whether the state store exists already (``problem`` opens it only then).
    """

    def __init__(
        self,
        system: str,
        rows: Callable[[], SecretRows],
        cipher: Callable[[], SecretCipher] = SecretCipher.from_env,
        present: Callable[[], bool] = lambda: True,
    ) -> None:
        self.system = system
        self._rows = rows
        self._present = present
        self._cipher_factory = cipher
        self._cipher: SecretCipher | None = None
        self._lock = threading.Lock()

    def _context(self, name: str) -> str:
        return f"{self.system}/{name}"

    def _cipher_now(self) -> SecretCipher:
        with self._lock:
            if self._cipher is None:
                self._cipher = self._cipher_factory()
            return self._cipher

    def get(self, name: str) -> dict[str, Any] | None:
        # The key is checked first, even when nothing is kept yet: a caller that would
        # fetch a new secret and then fail to keep it learns before it fetches.
        cipher = self._cipher_now()
        sealed = self._rows().get_secret(self.system, name)
        if sealed is None:
            return None
        plain = cipher.open(sealed, self._context(name))
        value = json.loads(plain)
        if not isinstance(value, dict):
            raise ConfigError(f"secret {self._context(name)}: not a table")
        return value

    def put(self, name: str, value: Mapping[str, Any]) -> None:
        plain = json.dumps(dict(value), sort_keys=True).encode()
        sealed = self._cipher_now().seal(plain, self._context(name))
        self._rows().put_secret(self.system, name, sealed)

    def delete(self, name: str) -> None:
        self._rows().delete_secret(self.system, name)

    def problem(self, name: str) -> str | None:
        try:
            self._cipher_now()
            if self._present():
                self.get(name)
        except ConfigError as exc:
            return str(exc)
        return None

    def __repr__(self) -> str:
        return f"SystemSecrets({self.system!r})"


__all__ = [
    "SECRET_KEY_ENV",
    "SecretCipher",
    "SecretRows",
    "SecretStore",
    "SystemSecrets",
    "new_key",
]

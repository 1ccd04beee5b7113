"""Reading the token file of a ``zcrmsdk`` (Zoho's archived Python SDK) installation.

``zcrmsdk``'s file persistence keeps ``zcrm_oauthtokens.pkl`` in the configured
``token_persistence_path``: a sequence of pickles, one per user, each an instance of
``zcrmsdk.OAuthClient.ZohoOAuthTokens`` with the attributes ``refreshToken``,
``accessToken``, ``expiryTime`` (epoch milliseconds) and ``userEmail``.

The file is read without importing ``zcrmsdk`` and without trusting it: the unpickler
accepts that one class (under its two module names) and nothing else, so a tampered file
cannot run code. The connector never writes the file: a refreshed access token is kept in
memory only (the refresh token does not change on refresh, so the file stays valid).
"""

from __future__ import annotations

import io
import pickle
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contactsync.errors import ConfigError
from contactsync_zoho.tokens import AccessToken, StoredTokens

PERSISTENCE_FILE_NAME = "zcrm_oauthtokens.pkl"
_TOKEN_CLASSES = {
    ("zcrmsdk.OAuthClient", "ZohoOAuthTokens"),
    ("OAuthClient", "ZohoOAuthTokens"),  # zcrmsdk's fallback import when run from its folder
}


class _ZcrmsdkTokens:
    """Stands in for ``ZohoOAuthTokens`` while unpickling: plain attributes, no methods.

    The attribute names are the SDK's, as pickled.
    """

    refreshToken: Any = None
    accessToken: Any = None
    expiryTime: Any = None
    userEmail: Any = None


def _reconstruct(cls: Any, base: Any, state: Any) -> Any:
    """``copyreg._reconstructor`` for the one class allowed (protocols 0 and 1)."""
    if cls is not _ZcrmsdkTokens or base is not object or state is not None:
        raise pickle.UnpicklingError("unexpected object in a zcrmsdk token file")
    return _ZcrmsdkTokens.__new__(_ZcrmsdkTokens)


class _TokenUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _TOKEN_CLASSES:
            return _ZcrmsdkTokens
        if (module, name) in (("copyreg", "_reconstructor"), ("copy_reg", "_reconstructor")):
            return _reconstruct
        if (module, name) in (("builtins", "object"), ("__builtin__", "object")):
            return object
        raise pickle.UnpicklingError(f"refusing {module}.{name} in a zcrmsdk token file")


@dataclass(frozen=True)
class ZcrmsdkEntry:
    """One user's tokens as ``zcrmsdk`` saved them."""

    user_email: str
    refresh_token: str | None
    access_token: str | None
    expiry: datetime | None


def read_zcrmsdk_file(path: Path) -> list[ZcrmsdkEntry]:
    """Every entry of a ``zcrmsdk`` token file, in file order.

    Raises:
        ConfigError: the file is missing or is not a ``zcrmsdk`` token file.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the zcrmsdk token file ({exc.strerror})") from None
    stream = io.BytesIO(data)
    entries: list[ZcrmsdkEntry] = []
    while stream.tell() < len(data):
        try:
            obj = _TokenUnpickler(stream, encoding="utf-8").load()
        except EOFError:
            break
        except (pickle.UnpicklingError, ValueError, TypeError, AttributeError, IndexError) as exc:
            raise ConfigError(f"{path}: not a zcrmsdk token file ({exc})") from None
        if not isinstance(obj, _ZcrmsdkTokens):
            raise ConfigError(f"{path}: not a zcrmsdk token file (holds {type(obj).__name__})")
        entries.append(_entry(obj))
    return entries


def _entry(obj: _ZcrmsdkTokens) -> ZcrmsdkEntry:
    expiry = None
    if isinstance(obj.expiryTime, int | float) and not isinstance(obj.expiryTime, bool):
        expiry = datetime.fromtimestamp(obj.expiryTime / 1000, tz=UTC)
    return ZcrmsdkEntry(
        user_email=str(obj.userEmail or ""),
        refresh_token=_text(obj.refreshToken),
        access_token=_text(obj.accessToken),
        expiry=expiry,
    )


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value if isinstance(value, str) and value else None


class ZcrmsdkFileTokenStore:
    """A read-only token store over a ``zcrmsdk`` token file.

    Args:
        path: the ``zcrm_oauthtokens.pkl`` file, or the folder holding it (zcrmsdk's
            ``token_persistence_path``).
        user_email: whose tokens to use; may be left out when the file holds one user.

    ``load`` gives the refresh token, and the access token without an ``api_domain``
    (zcrmsdk did not keep it), so the first call refreshes once to learn it. ``save``
    keeps the refreshed token in memory; the file is never written.
    """

    def __init__(self, path: Path, user_email: str | None = None) -> None:
        self.path = path / PERSISTENCE_FILE_NAME if path.is_dir() else path
        self.user_email = user_email
        self._saved: StoredTokens | None = None
        self._lock = threading.Lock()

    def load(self) -> StoredTokens | None:
        with self._lock:
            if self._saved is not None:
                return self._saved
        entry = self._entry()
        access = None
        if entry.access_token and entry.expiry is not None:
            access = AccessToken(entry.access_token, entry.expiry, api_domain=None)
        return StoredTokens(refresh_token=entry.refresh_token, access=access)

    def save(self, tokens: StoredTokens) -> None:
        with self._lock:
            self._saved = tokens

    def _entry(self) -> ZcrmsdkEntry:
        entries = read_zcrmsdk_file(self.path)
        if not entries:
            raise ConfigError(f"{self.path}: holds no tokens (an empty zcrmsdk token file)")
        if self.user_email is None:
            users = sorted({e.user_email for e in entries})
            if len(users) != 1:
                raise ConfigError(
                    f"{self.path}: holds tokens of {len(users)} users; set zcrmsdk_user "
                    "to the user e-mail to use"
                )
            wanted = users[0]
        else:
            wanted = self.user_email
        found = [e for e in entries if e.user_email == wanted]
        if not found:
            raise ConfigError(f"{self.path}: holds no tokens for user {wanted!r}")
        entry = found[-1]  # zcrmsdk appends; the last one is the newest
        if entry.refresh_token is None:
            raise ConfigError(f"{self.path}: the tokens of {wanted!r} have no refresh token")
        return entry

    def __repr__(self) -> str:
        return f"ZcrmsdkFileTokenStore({str(self.path)!r})"

"""Commands that only read the state store must not create one to read it.

Opening a SQLite state store creates its file (and folder); a command that only looks
(``secrets list``, ``quarantine list``) asks ``missing_state_store`` first and says there is
nothing to show instead. PostgreSQL and in-memory stores are opened as before.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def missing_state_store(url: str) -> Path | None:
    """The SQLite file ``url`` names when it does not exist yet, else ``None``.

    ``None`` too for anything that is not a SQLite file (PostgreSQL, an in-memory store)
    and for a URL that cannot be parsed: opening it names the fault as usual.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database.startswith("file:"):  # a SQLite URI filename (?uri=true)
        database = urlsplit(database).path
    if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    path = Path(database).expanduser()
    return None if path.exists() else path


def no_state_store(url: str) -> str | None:
    """``"no state store at PATH"`` when ``url``'s SQLite file does not exist, else ``None``."""
    path = missing_state_store(url)
    return None if path is None else f"no state store at {path}"


__all__ = ["missing_state_store", "no_state_store"]

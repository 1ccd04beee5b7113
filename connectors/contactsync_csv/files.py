"""Which file holds a kind, and replacing a file atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from contactsync.errors import ConfigError

FileType = Literal["csv", "xlsx"]
SUFFIXES: dict[str, FileType] = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx"}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_NEW_FILE_MODE = 0o666 & ~_umask()


def file_type(path: Path) -> FileType:
    """``csv`` or ``xlsx`` from the file name.

    Raises:
        ConfigError: for any other suffix (``.xls`` included: save it as ``.xlsx``).
    """
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        hint = " (save it as .xlsx)" if path.suffix.lower() in (".xls", ".xlsm", ".et") else ""
        raise ConfigError(f"{path}: the csv connector reads .csv, .txt and .xlsx files{hint}")
    return kind


def archive_path(path: Path) -> Path:
    """Where archived rows of ``path`` go: ``contacts.csv`` → ``contacts.archived.csv``."""
    return path.with_name(f"{path.stem}.archived{path.suffix}")


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(temporary_path)``, then swap it in with ``os.replace``.

    The temporary file sits in the same folder (``os.replace`` is atomic only within one
    file system), is flushed to disk first, and gets the old file's permission bits, so a
    reader sees the old file or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    temporary = Path(name)
    try:
        write(temporary)
        with temporary.open("rb+") as handle:
            os.fsync(handle.fileno())
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else _NEW_FILE_MODE
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise

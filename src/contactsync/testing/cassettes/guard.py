"""The cassette guard: finds secrets and real personal data in committed cassettes.

``scan_cassette(path)`` reads a vcrpy cassette (YAML or JSON) and returns every leak:

* a bearer token (or ``Zoho-oauthtoken``), a JWT or a Salesforce session id anywhere;
* an ``Authorization`` / cookie / API-key header, or an ``access_token``,
  ``refresh_token``, ``client_secret``, ``password`` (...) field or parameter, whose
  value is not ``<redacted>`` (JSON bodies, form bodies, query strings, headers);
* a phone number or e-mail address that is not one of the allowed fakes
  (``contactsync.testing.fakes``).

Bodies are read whatever their form: text, JSON inside YAML strings, gzip/deflate bytes.
A leak's excerpt shows only the first characters of the secret.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import yaml  # type: ignore[import-untyped]  # PyYAML (vcrpy's dependency) ships no stubs

from contactsync.testing.cassettes.pii import (
    BEARER,
    JWT,
    SALESFORCE_SESSION,
    is_redacted,
    is_secret_key,
    mask,
    real_emails,
    real_phones,
)

CASSETTE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Leak:
    """Something a cassette must not hold.

    Attributes:
        path: the cassette file.
        where: where in it (``requests[0].headers.Authorization``...).
        kind: ``bearer token``, ``secret field``, ``phone number``, ``e-mail``...
        excerpt: the start of the value, masked.
    """

    path: Path
    where: str
    kind: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.kind} ({self.excerpt})"


def find_cassettes(roots: Iterable[Path]) -> list[Path]:
    """Every cassette file under ``roots`` (folders that do not exist are skipped)."""
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found.extend(
                p for p in root.rglob("*") if p.is_file() and p.suffix in CASSETTE_SUFFIXES
            )
    return sorted(set(found))


def repository_cassettes(repo: Path) -> list[Path]:
    """The committed cassettes of the repository: ``cassettes/`` and ``examples/*/cassettes/``."""
    return find_cassettes([repo / "cassettes", *sorted(repo.glob("examples/*/cassettes"))])


def scan_cassette(path: Path) -> list[Leak]:
    """Every leak in the cassette at ``path``."""
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError):
        data = text  # not a structure we know: read it as text
    return list(_walk(path, data, ""))


def scan_all(paths: Iterable[Path]) -> list[Leak]:
    return [leak for path in paths for leak in scan_cassette(path)]


def _walk(path: Path, node: Any, where: str) -> Iterator[Leak]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and is_secret_key(key):
                for item in value if isinstance(value, list) else [value]:
                    scalar = isinstance(item, str | int | float) and not isinstance(item, bool)
                    if scalar and not is_redacted(str(item)):
                        yield Leak(path, here, f"secret field {key!r}", mask(str(item)))
            yield from _walk(path, value, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(path, item, f"{where}[{index}]")
    elif isinstance(node, bytes):
        yield from _walk(path, _decode(node), where)
    elif isinstance(node, str):
        yield from _text(path, node, where)


def _decode(raw: bytes) -> str:
    for unpack in (gzip.decompress, zlib.decompress, lambda b: zlib.decompress(b, -zlib.MAX_WBITS)):
        try:
            raw = unpack(raw)
            break
        except (OSError, zlib.error, EOFError):
            continue
    return raw.decode("utf-8", errors="replace")


def _text(path: Path, text: str, where: str) -> Iterator[Leak]:
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            parsed = json.loads(stripped)
        except json.JSONDecodeError:
            pass
        else:
            yield from _walk(path, parsed, where + "<json>")
            return
    query = (
        urlsplit(stripped).query
        if stripped.startswith(("http://", "https://", "/"))
        else (stripped if "=" in stripped and " " not in stripped and "\n" not in stripped else "")
    )
    if query:
        pairs = dict(parse_qsl(query, keep_blank_values=True))
        yield from (
            leak for leak in _walk(path, pairs, where + "<query>") if leak.kind.startswith("secret")
        )
    for match in BEARER.finditer(text):
        if not is_redacted(match.group(2)):
            yield Leak(path, where, "bearer token", f"{match.group(1)} {mask(match.group(2))}")
    for pattern, kind in ((JWT, "JWT"), (SALESFORCE_SESSION, "Salesforce session id")):
        for match in pattern.finditer(text):
            yield Leak(path, where, kind, mask(match.group(0)))
    for found in real_emails(text):
        yield Leak(path, where, "e-mail that is not a fake", mask(found.text))
    for found in real_phones(text):
        yield Leak(path, where, "phone number that is not a fake", mask(found.text))

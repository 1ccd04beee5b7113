"""A CSV file's text format (encoding, byte order mark, line ending), detected or configured.

Detection, in order: a byte order mark decides; else a strict UTF-8 decode of the whole
file succeeds → ``utf-8``; else a strict GB18030 decode (a superset of GBK and GB2312)
succeeds → ``gb18030``; else the one of the two that decodes all but a few lines (the
rest are reported row by row); charset-normalizer only as a last resort.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from contactsync_csv.settings import AUTO

_CHUNK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CHINESE = "gb18030"


@dataclass(frozen=True)
class TextFormat:
    """How a CSV file's text is stored, so that writing it back keeps it.

    Attributes:
        codec: the Python codec used to read and write (never a BOM-writing variant).
        bom: whether the file starts with a byte order mark.
        newline: the line ending after each row (``\\r\\n``, ``\\n`` or ``\\r``).
        guessed: the bytes were plain ASCII, so the codec is only a guess; a format
            remembered from an earlier read of the same file is better.
    """

    codec: str
    bom: bool = False
    newline: str = "\r\n"
    guessed: bool = False

    @property
    def bom_bytes(self) -> bytes:
        return "\ufeff".encode(self.codec) if self.bom else b""


def new_file_format(configured: str) -> TextFormat:
    """The format of a file contactsync creates.

    ``auto`` gives UTF-8 with a BOM and CRLF: Excel opens that correctly on a Chinese
    Windows, where a BOM-less UTF-8 file would be read as GBK.
    """
    if configured == AUTO:
        return TextFormat("utf-8", bom=True)
    name = codecs.lookup(configured).name
    if name == "utf-8-sig":
        return TextFormat("utf-8", bom=True)
    if name in ("utf-16", "utf-32"):
        return TextFormat(f"{name}-le", bom=True)
    return TextFormat(name)


def detect_format(path: Path, configured: str) -> TextFormat:
    """The text format of the existing file ``path``; ``configured`` is a codec or ``auto``."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    bom_codec = next((codec for bom, codec in _BOMS if head.startswith(bom)), None)
    guessed = False
    if configured != AUTO:
        codec = _configured_codec(configured, bom_codec)
        bom = bom_codec == codec
    elif bom_codec is not None:
        codec, bom = bom_codec, True
    else:
        codec, guessed = _guess(path)
        bom = False
    return TextFormat(codec, bom, _newline(head, codec), guessed)


def _configured_codec(configured: str, bom_codec: str | None) -> str:
    name = codecs.lookup(configured).name
    if name == "utf-8-sig":
        return "utf-8"
    if name == "utf-16":
        return bom_codec if bom_codec and bom_codec.startswith("utf-16") else "utf-16-le"
    return name


def _guess(path: Path) -> tuple[str, bool]:
    decodes, ascii_only = _decodes(path, "utf-8")
    if decodes:
        return "utf-8", ascii_only
    if _decodes(path, _CHINESE)[0]:
        return _CHINESE, False
    damage = {codec: _bad_lines(path, codec) for codec in ("utf-8", _CHINESE)}
    best = min(damage, key=lambda codec: damage[codec][0])
    bad, lines = damage[best]
    if bad <= max(3, lines // 100):
        return best, False
    return _charset_normalizer_guess(path) or best, False


def wrong_codec(path: Path, codec: str) -> bool:
    """Whether ``codec`` is plainly the wrong reading of ``path``: more lines fail to decode
    than a few damaged rows would explain (those are reported row by row instead)."""
    if _decodes(path, codec)[0]:
        return False
    bad, lines = _bad_lines(path, codec)
    return bad > max(3, lines // 100)


def _decodes(path: Path, codec: str) -> tuple[bool, bool]:
    """Whether all of ``path`` decodes strictly as ``codec``, and whether it is ASCII."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    ascii_only = True
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(_CHUNK):
                ascii_only = ascii_only and chunk.isascii()
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False, False
    return True, ascii_only


def _bad_lines(path: Path, codec: str) -> tuple[int, int]:
    """How many lines of ``path`` do not decode as ``codec``, out of how many."""
    bad = lines = 0
    with path.open("rb") as handle:
        for line in handle:
            lines += 1
            try:
                line.decode(codec)
            except UnicodeDecodeError:
                bad += 1
    return bad, lines


def _charset_normalizer_guess(path: Path) -> str | None:
    from charset_normalizer import from_bytes

    with path.open("rb") as handle:
        sample = handle.read(_CHUNK)
    match = from_bytes(sample).best()
    if match is None:
        return None
    try:
        return codecs.lookup(match.encoding).name
    except LookupError:
        return None


def _newline(head: bytes, codec: str) -> str:
    text = head.decode(codec, errors="replace")
    cr, lf = text.find("\r"), text.find("\n")
    if cr == -1 and lf == -1:
        return "\r\n"
    if cr == -1 or (lf != -1 and lf < cr):
        return "\n"
    return "\r\n" if text[cr + 1 : cr + 2] == "\n" else "\r"

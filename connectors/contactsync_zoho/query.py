"""Values inside Search API criteria and COQL queries, escaped.

* **Search criteria** ``(field:operator:value)``: a backslash, parentheses and commas in a
  value are escaped with a backslash (Zoho's rule); requests percent-encodes the result.
  ``equals`` behaves like *contains* in the Search API, so callers filter the answer for
  exact matches themselves.
* **COQL** string literals are single-quoted; a quote or backslash inside is escaped with
  a backslash. Field and module names are API names, checked, never quoted from input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from contactsync.errors import ConfigError
from contactsync_zoho.timefmt import format_zoho_time

_API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:__s)?")
_RECORD_ID = re.compile(r"[0-9]{1,19}")
_CRITERIA_SPECIAL = re.compile(r"([\\(),])")


def api_name(name: str) -> str:
    """``name`` when it is a Zoho API name (letters, digits, ``_``), else ``ConfigError``."""
    if not _API_NAME.fullmatch(name):
        raise ConfigError(f"{name!r} is not a Zoho API name")
    return name


def record_id(value: str) -> str:
    """A Zoho record id (digits only), else ``ValueError``: ids go into queries unquoted."""
    if not _RECORD_ID.fullmatch(value):
        raise ValueError(f"{value!r} is not a Zoho record id")
    return value


# -- Search API criteria -------------------------------------------------------------


def escape_criteria_value(value: str) -> str:
    r"""``value`` safe inside ``(field:op:value)``: ``\`` ``(`` ``)`` ``,`` escaped."""
    return _CRITERIA_SPECIAL.sub(r"\\\1", value)


def criteria_in(field: str, values: Sequence[str]) -> str:
    """``(field:in:v1,v2,...)`` with every value escaped."""
    if not values:
        raise ValueError("an 'in' criterion needs at least one value")
    joined = ",".join(escape_criteria_value(v) for v in values)
    return f"({api_name(field)}:in:{joined})"


def criteria_equals(field: str, value: str) -> str:
    return f"({api_name(field)}:equals:{escape_criteria_value(value)})"


# -- COQL -----------------------------------------------------------------------------


def coql_string(value: str) -> str:
    """A COQL string literal: ``'O\\'Brien'``."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def coql_time(value: datetime) -> str:
    return coql_string(format_zoho_time(value))


def coql_changes_query(
    module: str,
    fields: Iterable[str],
    *,
    since: datetime,
    after: tuple[datetime, str] | None,
    limit: int,
) -> str:
    """Records of ``module`` changed at or after ``since``, in ``(Modified_Time, id)`` order.

    With ``after`` (the last record of the previous page) the query starts strictly after
    it, keyset style: no offset limit, and records sharing a stamp across a page boundary
    are neither skipped nor repeated.
    """
    names = ", ".join(api_name(f) for f in fields)
    if after is None:
        where = f"Modified_Time >= {coql_time(since)}"
    else:
        stamp, last = coql_time(after[0]), record_id(after[1])
        # COQL wants criteria grouped in pairs: (A or (B and C)).
        where = f"(Modified_Time > {stamp} or (Modified_Time = {stamp} and id > {last}))"
    return (
        f"select {names} from {api_name(module)} where {where} "
        f"order by Modified_Time asc, id asc limit {int(limit)}"
    )

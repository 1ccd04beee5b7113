"""The emulator's SOQL: the subset a sync client needs, parsed as strictly as Salesforce does.

``SELECT fields | COUNT() FROM Object [WHERE condition] [ORDER BY field [ASC|DESC]
[NULLS FIRST|LAST], ...] [LIMIT n]``. Conditions: ``=``, ``!=``/``<>``, ``<``, ``<=``,
``>``, ``>=``, ``LIKE``, ``[NOT] IN (...)``, ``NOT``, parentheses, ``AND``/``OR`` (mixing
the two at one level without parentheses is refused, as Salesforce refuses it). Values:
quoted strings (with SOQL's backslash escapes only; anything else is a malformed query),
numbers, ``true``/``false``/``null``, date-time literals (unquoted, with ``Z`` or an
offset) and dates. Errors are raised as ``SoqlError`` with Salesforce's code.

It is written apart from the connector's query builder on purpose: an emulator that
shared the builder's code could not catch the builder's mistakes.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


class SoqlError(Exception):
    """A query Salesforce would refuse: ``code`` is its ``errorCode``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*')
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),])
    """,
    re.VERBOSE,
)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'",
            "\\": "\\"}
_LIKE_ESCAPES = {"_": "\\_", "%": "\\%"}
KEYWORDS = frozenset({"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER",
                      "BY", "ASC", "DESC", "NULLS", "FIRST", "LAST", "LIMIT", "TRUE", "FALSE",
                      "NULL", "COUNT", "OFFSET"})


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    value: Any = None

    def word(self) -> str:
        return self.text.upper() if self.kind == "name" else ""


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            if text[position] == "'":
                raise SoqlError("MALFORMED_QUERY", f"unterminated string literal at {position}")
            raise SoqlError("MALFORMED_QUERY", f"unexpected character {text[position]!r} at "
                                                f"{position}")
        kind = match.lastgroup or ""
        raw = match.group(0)
        position = match.end()
        if kind == "space":
            continue
        value: Any = None
        if kind == "string":
            value = _unescape(raw[1:-1])
        elif kind == "datetime":
            value = datetime.fromisoformat(raw.replace("Z", "+00:00")).astimezone(UTC)
        elif kind == "date":
            value = date.fromisoformat(raw)
        elif kind == "number":
            value = float(raw) if "." in raw else int(raw)
        tokens.append(Token(kind, raw, value))
    return tokens


def _unescape(body: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(body):
        ch = body[index]
        if ch != "\\":
            out.append(ch)
            index += 1
            continue
        nxt = body[index + 1] if index + 1 < len(body) else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
        elif nxt in _LIKE_ESCAPES:
            out.append(_LIKE_ESCAPES[nxt])
        else:
            raise SoqlError(
                "MALFORMED_QUERY",
                f"Invalid string literal '{body}'. Illegal character sequence '\\{nxt}' in "
                "string literal.",
            )
        index += 2
    return "".join(out)


Predicate = Callable[[Callable[[str], Any]], bool]


@dataclass(frozen=True)
class Condition:
    """``field op value`` (``values`` for IN)."""

    field: str
    op: str
    value: Any = None
    values: tuple[Any, ...] = ()
    negate: bool = False


@dataclass(frozen=True)
class Group:
    """Conditions joined by one connective (``AND`` or ``OR``), or a ``NOT``."""

    connective: str
    parts: tuple[Condition | Group, ...]


@dataclass(frozen=True)
class Order:
    field: str
    descending: bool = False
    nulls_last: bool = False


@dataclass(frozen=True)
class Query:
    object: str
    fields: tuple[str, ...]
    where: Condition | Group | None = None
    order: tuple[Order, ...] = ()
    limit: int | None = None
    count: bool = False

    def condition_fields(self) -> list[str]:
        found: list[str] = []

        def walk(node: Condition | Group | None) -> None:
            if isinstance(node, Condition):
                found.append(node.field)
            elif isinstance(node, Group):
                for part in node.parts:
                    walk(part)

        walk(self.where)
        return found


@dataclass
class _Parser:
    tokens: list[Token]
    index: int = 0
    _stack: list[int] = field(default_factory=list)

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise SoqlError("MALFORMED_QUERY", "unexpected end of query")
        self.index += 1
        return token

    def expect_word(self, *words: str) -> str:
        token = self.take()
        if token.word() not in words:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {token.text!r}")
        return token.word()

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.word() in words

    def at_punct(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "punct" and token.text == text

    def name(self, reserved: frozenset[str] = KEYWORDS) -> str:
        """A field or object name; ``reserved`` words cannot be one here (``FROM Order`` is
        an object, ``SELECT FROM`` is not a field)."""
        token = self.take()
        if token.kind != "name" or token.word() in reserved:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {token.text!r}")
        return token.text

    def punct(self, text: str) -> None:
        token = self.take()
        if token.kind != "punct" or token.text != text:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {token.text!r}, wanted {text!r}")

    def query(self) -> Query:
        self.expect_word("SELECT")
        count = False
        fields: list[str] = []
        if self.at_word("COUNT"):
            self.take()
            self.punct("(")
            self.punct(")")
            count = True
        else:
            fields.append(self.name())
            while self.at_punct(","):
                self.take()
                fields.append(self.name())
        self.expect_word("FROM")
        obj = self.name(reserved=frozenset())
        where = None
        if self.at_word("WHERE"):
            self.take()
            where = self.expression()
        order: list[Order] = []
        if self.at_word("ORDER"):
            self.take()
            self.expect_word("BY")
            order.append(self.order())
            while self.at_punct(","):
                self.take()
                order.append(self.order())
        limit = None
        if self.at_word("LIMIT"):
            self.take()
            token = self.take()
            if token.kind != "number" or not isinstance(token.value, int) or token.value < 0:
                raise SoqlError("MALFORMED_QUERY", f"LIMIT must be a whole number: {token.text}")
            limit = token.value
        if self.peek() is not None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {self.take().text!r}")
        lowered = [f.lower() for f in fields]
        if len(set(lowered)) != len(lowered):
            raise SoqlError("MALFORMED_QUERY", "duplicate field selected")
        return Query(obj, tuple(fields), where, tuple(order), limit, count)

    def order(self) -> Order:
        name = self.name()
        descending = nulls_last = False
        if self.at_word("ASC", "DESC"):
            descending = self.take().word() == "DESC"
        nulls_last = descending
        if self.at_word("NULLS"):
            self.take()
            nulls_last = self.expect_word("FIRST", "LAST") == "LAST"
        return Order(name, descending, nulls_last)

    def expression(self) -> Condition | Group:
        first = self.factor()
        if not self.at_word("AND", "OR"):
            return first
        connective = self.peek().word()  # type: ignore[union-attr]  # at_word saw a token
        parts = [first]
        while self.at_word("AND", "OR"):
            word = self.take().word()
            if word != connective:
                raise SoqlError(
                    "MALFORMED_QUERY",
                    f"unexpected token: '{word}' (use parentheses to combine AND and OR)",
                )
            parts.append(self.factor())
        return Group(connective, tuple(parts))

    def factor(self) -> Condition | Group:
        if self.at_word("NOT"):
            self.take()
            return Group("NOT", (self.factor(),))
        if self.at_punct("("):
            self.take()
            inner = self.expression()
            self.punct(")")
            return inner
        name = self.name()
        if self.at_word("NOT"):
            self.take()
            self.expect_word("IN")
            return Condition(name, "IN", values=self.value_list(), negate=True)
        if self.at_word("IN"):
            self.take()
            return Condition(name, "IN", values=self.value_list())
        if self.at_word("LIKE"):
            self.take()
            token = self.take()
            if token.kind != "string":
                raise SoqlError("MALFORMED_QUERY", "LIKE needs a quoted string")
            return Condition(name, "LIKE", token.value)
        token = self.take()
        if token.kind != "op":
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {token.text!r}")
        op = "!=" if token.text == "<>" else token.text
        return Condition(name, op, self.value())

    def value_list(self) -> tuple[Any, ...]:
        self.punct("(")
        values = [self.value()]
        while self.at_punct(","):
            self.take()
            values.append(self.value())
        self.punct(")")
        return tuple(values)

    def value(self) -> Any:
        token = self.take()
        if token.kind in ("string", "datetime", "date", "number"):
            return Literal(token.kind, token.value)
        word = token.word()
        if word in ("TRUE", "FALSE"):
            return Literal("boolean", word == "TRUE")
        if word == "NULL":
            return Literal("null", None)
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: {token.text!r}")


@dataclass(frozen=True)
class Literal:
    kind: str
    value: Any


def parse(text: str) -> Query:
    """Parse ``text``.

    Raises:
        SoqlError: ``MALFORMED_QUERY`` for anything outside the supported grammar.
    """
    return _Parser(tokenize(text)).query()


# -- evaluation ---------------------------------------------------------------------------

FieldType = Callable[[str], str]
"""A field path's Salesforce type (``datetime``, ``string``, ``boolean``...)."""


def check_literals(query: Query, type_of: FieldType) -> None:
    """Refuse literals of the wrong type, as Salesforce does (a quoted date-time, an
    unquoted string...)."""

    def walk(node: Condition | Group | None) -> None:
        if isinstance(node, Group):
            for part in node.parts:
                walk(part)
        elif isinstance(node, Condition):
            kind = type_of(node.field)
            for literal in (node.values or (node.value,)):
                _check(node.field, kind, literal)

    walk(query.where)


def _check(name: str, kind: str, literal: Literal) -> None:
    if literal.kind == "null":
        return
    wanted = {
        "datetime": ("datetime",), "date": ("date",), "boolean": ("boolean",),
        "double": ("number",), "int": ("number",), "currency": ("number",),
        "percent": ("number",),
    }.get(kind, ("string",))
    if literal.kind not in wanted:
        article = "dateTime" if kind == "datetime" else kind
        raise SoqlError(
            "INVALID_FIELD",
            f"value of filter criterion for field '{name}' must be of type {article} and "
            f"should {'not ' if kind != 'string' else ''}be enclosed in quotes",
        )


def matches(node: Condition | Group | None, value_of: Callable[[str], Any]) -> bool:
    """Whether a record (read through ``value_of(field)``) meets ``node``."""
    if node is None:
        return True
    if isinstance(node, Group):
        if node.connective == "NOT":
            return not matches(node.parts[0], value_of)
        results = (matches(part, value_of) for part in node.parts)
        return all(results) if node.connective == "AND" else any(results)
    actual = value_of(node.field)
    if node.op == "IN":
        inside = any(_equal(actual, literal.value) for literal in node.values)
        return inside != node.negate
    expected = node.value.value if isinstance(node.value, Literal) else node.value
    if node.op == "=":
        return _equal(actual, expected)
    if node.op == "!=":
        return not _equal(actual, expected)
    if node.op == "LIKE":
        return isinstance(actual, str) and _like(expected).fullmatch(actual) is not None
    if actual is None or expected is None:
        return False
    compare = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[node.op]
    try:
        return bool(compare(actual, expected))
    except TypeError:
        return False


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.casefold() == expected.casefold()  # SOQL text compares ignore case
    return bool(actual == expected)


def _like(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    index = 0
    while index < len(pattern):
        ch = pattern[index]
        if ch == "\\" and index + 1 < len(pattern):
            out.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        index += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def sort_key(order: Sequence[Order], value_of: Callable[[str], Any]) -> tuple[Any, ...]:
    """A key sorting records by ``order`` (nulls first or last, as asked)."""
    key: list[Any] = []
    for item in order:
        value = value_of(item.field)
        if value is None:
            key.append((1 if item.nulls_last else 0, 0))
        else:
            key.append((0 if item.nulls_last else 1, _Reverse(value) if item.descending else value))
    return tuple(key)


class _Reverse:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Reverse) -> bool:
        return bool(self.value > other.value)  # reversed on purpose: DESC

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reverse) and bool(self.value == other.value)

    def __hash__(self) -> int:
        return hash(self.value)

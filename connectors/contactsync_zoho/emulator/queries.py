"""The two query languages the emulator understands: Search API criteria and a COQL subset.

Both parse escapes the way Zoho documents them, so the client's escaping is tested: in
criteria ``\\`` ``\\(`` ``\\)`` ``\\,`` inside a value, in COQL ``\\'`` and ``\\\\`` inside a
single-quoted literal. As in Zoho, ``equals`` in the Search API matches like *contains*
(case-insensitive), which is why clients must filter for exact values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contactsync_zoho.timefmt import parse_zoho_time

Predicate = Callable[[Mapping[str, Any]], bool]


class QueryError(ValueError):
    """A query the emulator cannot read (Zoho answers ``INVALID_QUERY`` / ``INVALID_DATA``)."""


def _text(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("id")
    return "" if value is None else str(value)


# -- Search API criteria --------------------------------------------------------------------


def parse_criteria(text: str) -> Predicate:
    """A predicate for ``((A:equals:x)and(B:in:y,z))``.

    Raises:
        QueryError: when the criteria cannot be read.
    """
    parser = _CriteriaParser(text.strip())
    predicate = parser.expression()
    if parser.pos != len(parser.text):
        raise QueryError(f"unexpected text at {parser.pos} in criteria")
    return predicate


class _CriteriaParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def expression(self) -> Predicate:
        terms = [self.group()]
        joins: list[str] = []
        while True:
            self._spaces()
            rest = self.text[self.pos :].lower()
            if rest.startswith("and"):
                joins.append("and")
                self.pos += 3
            elif rest.startswith("or"):
                joins.append("or")
                self.pos += 2
            else:
                break
            self._spaces()
            terms.append(self.group())
        return _combine(terms, joins)

    def group(self) -> Predicate:
        self._expect("(")
        self._spaces()
        if self.text[self.pos : self.pos + 1] == "(":
            inner = self.expression()
            self._spaces()
            self._expect(")")
            return inner
        field = self._until(":")
        operator = self._until(":").lower()
        raw = self._value()
        self._expect(")")
        return _condition(field.strip(), operator.strip(), raw)

    def _value(self) -> list[tuple[str, bool]]:
        """The raw value as (char, escaped) pairs, up to the unescaped ``)``."""
        chars: list[tuple[str, bool]] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\" and self.pos + 1 < len(self.text):
                chars.append((self.text[self.pos + 1], True))
                self.pos += 2
                continue
            if ch == ")":
                return chars
            if ch == "(":
                raise QueryError("an unescaped '(' inside a criteria value")
            chars.append((ch, False))
            self.pos += 1
        raise QueryError("criteria value not closed with ')'")

    def _until(self, stop: str) -> str:
        end = self.text.find(stop, self.pos)
        if end < 0:
            raise QueryError(f"expected {stop!r} in criteria")
        found = self.text[self.pos : end]
        self.pos = end + 1
        return found

    def _expect(self, ch: str) -> None:
        if self.text[self.pos : self.pos + 1] != ch:
            raise QueryError(f"expected {ch!r} at {self.pos} in criteria")
        self.pos += 1

    def _spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1


def _split_values(raw: list[tuple[str, bool]]) -> list[str]:
    values: list[str] = []
    current: list[str] = []
    for ch, escaped in raw:
        if ch == "," and not escaped:
            values.append("".join(current))
            current = []
        else:
            current.append(ch)
    values.append("".join(current))
    return values


def _condition(field: str, operator: str, raw: list[tuple[str, bool]]) -> Predicate:
    if operator == "in":
        wanted = {v.casefold() for v in _split_values(raw)}
        return lambda record: _text(record.get(field)).casefold() in wanted
    if any(ch == "," and not escaped for ch, escaped in raw):
        raise QueryError(f"an unescaped ',' in the value of ({field}:{operator}:...)")
    value = "".join(ch for ch, _ in raw).casefold()
    if operator == "equals":  # Zoho's Search API: equals matches like contains
        return lambda record: value in _text(record.get(field)).casefold()
    if operator == "starts_with":
        return lambda record: _text(record.get(field)).casefold().startswith(value)
    if operator == "not_equal":
        return lambda record: _text(record.get(field)).casefold() != value
    raise QueryError(f"unsupported criteria operator {operator!r}")


def _combine(terms: list[Predicate], joins: list[str]) -> Predicate:
    if not joins:
        return terms[0]
    if len(set(joins)) != 1:
        raise QueryError("mixing 'and' and 'or' needs parentheses")
    if joins[0] == "and":
        return lambda record: all(term(record) for term in terms)
    return lambda record: any(term(record) for term in terms)


# -- COQL ------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<number>-?\d+(?:\.\d+)?)"
    r"|(?P<op>>=|<=|!=|=|>|<)|(?P<punct>[(),*])|(?P<word>[A-Za-z_][A-Za-z0-9_$.]*))"
)


@dataclass(frozen=True)
class CoqlQuery:
    """A parsed ``select``: columns, module, filter, order and page."""

    fields: tuple[str, ...]
    module: str
    where: Predicate
    order: tuple[tuple[str, bool], ...]
    limit: int
    offset: int


def parse_coql(text: str) -> CoqlQuery:
    """The query, or ``QueryError``.

    Supports ``select a, b from M where <cond> [order by x [asc|desc], ...] [limit n [offset
    m] | limit m, n]``; conditions with ``= != > >= < <=``, ``in (...)``, ``is [not] null``,
    ``and``, ``or`` and parentheses.
    """
    tokens = _tokens(text)
    parser = _CoqlParser(tokens)
    return parser.query()


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None or found.end() == pos:
            raise QueryError(f"cannot read the query at {pos}: {text[pos:pos + 20]!r}")
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        pos = found.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


class _CoqlParser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        return token

    def word(self, expected: str | None = None) -> str:
        kind, value = self.take()
        if kind != "word" or (expected is not None and value.lower() != expected):
            raise QueryError(f"expected {expected or 'a name'}, found {value!r}")
        return value

    def query(self) -> CoqlQuery:
        self.word("select")
        fields = [self.word()]
        while self.peek() == ("punct", ","):
            self.take()
            fields.append(self.word())
        self.word("from")
        module = self.word()
        where: Predicate = lambda record: True  # noqa: E731 - the default filter
        if self.peek()[1].lower() == "where":
            self.take()
            where = self.condition()
        else:
            raise QueryError("COQL needs a where clause")
        order: list[tuple[str, bool]] = []
        if self.peek()[1].lower() == "order":
            self.take()
            self.word("by")
            while True:
                name = self.word()
                descending = False
                if self.peek()[1].lower() in ("asc", "desc"):
                    descending = self.take()[1].lower() == "desc"
                order.append((name, descending))
                if self.peek() != ("punct", ","):
                    break
                self.take()
        limit, offset = 200, 0
        if self.peek()[1].lower() == "limit":
            self.take()
            first = int(self.take()[1])
            if self.peek() == ("punct", ","):
                self.take()
                offset, limit = first, int(self.take()[1])
            else:
                limit = first
                if self.peek()[1].lower() == "offset":
                    self.take()
                    offset = int(self.take()[1])
        if self.peek()[0] != "end":
            raise QueryError(f"unexpected {self.peek()[1]!r} at the end of the query")
        return CoqlQuery(tuple(fields), module, where, tuple(order), limit, offset)

    def condition(self) -> Predicate:
        terms = [self.term()]
        joins = []
        while self.peek()[1].lower() in ("and", "or"):
            joins.append(self.take()[1].lower())
            terms.append(self.term())
        if len(terms) > 2 and len(set(joins)) > 1:
            raise QueryError("group the criteria in pairs with parentheses")
        return _combine(terms, joins)

    def term(self) -> Predicate:
        if self.peek() == ("punct", "("):
            self.take()
            inner = self.condition()
            if self.take() != ("punct", ")"):
                raise QueryError("expected ')'")
            return inner
        name = self.word()
        kind, value = self.take()
        if kind == "word" and value.lower() == "is":
            negate = False
            if self.peek()[1].lower() == "not":
                self.take()
                negate = True
            self.word("null")
            return lambda r: (_text(r.get(name)) == "") != negate
        if kind == "word" and value.lower() == "in":
            if self.take() != ("punct", "("):
                raise QueryError("expected '(' after in")
            values = [self._literal()]
            while self.peek() == ("punct", ","):
                self.take()
                values.append(self._literal())
            if self.take() != ("punct", ")"):
                raise QueryError("expected ')' after the in list")
            return lambda r: _coerce(name, r.get(name)) in {_coerce(name, v) for v in values}
        if kind != "op":
            raise QueryError(f"expected an operator after {name}, found {value!r}")
        operand = self._literal()
        return _compare(name, value, operand)

    def _literal(self) -> Any:
        kind, value = self.take()
        if kind == "string":
            return _unquote(value)
        if kind == "number":
            return value
        raise QueryError(f"expected a value, found {value!r}")


def _coerce(name: str, value: Any) -> Any:
    text = _text(value)
    if name in ("Modified_Time", "Created_Time") or name.endswith("_At"):
        stamp = parse_zoho_time(text)
        return stamp if stamp is not None else text
    if name == "id" and text.isdigit():
        return int(text)
    return text


def _compare(name: str, op: str, operand: Any) -> Predicate:
    def test(record: Mapping[str, Any]) -> bool:
        left, right = _coerce(name, record.get(name)), _coerce(name, operand)
        if isinstance(left, datetime) != isinstance(right, datetime):
            return False
        if type(left) is not type(right):
            left, right = str(left), str(right)
        if op == "=":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op == ">":
            return bool(left > right)
        if op == ">=":
            return bool(left >= right)
        if op == "<":
            return bool(left < right)
        return bool(left <= right)

    return test

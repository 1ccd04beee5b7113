"""A small base for vendor emulators: routing, requests and JSON answers, the record
store, per-record error injection and a log of write calls.

An emulator subclasses ``EmulatorApp`` and declares its routes with ``@route``::

    class MyCrm(EmulatorApp):
        @route("GET", "/v1/objects/{object}/records")
        def list_records(self, request: Request) -> Response:
            ...
            return json_response({"records": [...]})

An instance is a WSGI application: serve it with ``serve()`` or the ``emulator_server``
fixture. Emulators speak the vendor's real shapes (compare them with recorded responses
with ``contactsync.testing.shapes``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import parse_qs

from contactsync.testing.emulator.store import Clock, RecordStore

Handler = Callable[[Any, "Request"], "Response"]
F = TypeVar("F", bound=Callable[..., Any])


def route(method: str, pattern: str) -> Callable[[F], F]:
    """Mark an ``EmulatorApp`` method as the handler of ``method`` ``pattern``.

    ``pattern`` is a path where ``{name}`` matches one segment, passed in
    ``request.params["name"]``.
    """

    def mark(function: F) -> F:
        routes = list(getattr(function, "_emulator_routes", ()))
        routes.append((method.upper(), pattern))
        function._emulator_routes = routes  # type: ignore[attr-defined]  # a marker attribute
        return function

    return mark


def _compile(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[A-Za-z_][A-Za-z0-9_]*\})", pattern)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts
    )
    return re.compile(regex)


@dataclass
class Request:
    """One request as an emulator handler sees it.

    Attributes:
        method: the HTTP method, upper case.
        path: the path, percent-decoded.
        query: each query parameter with all its values.
        headers: header names in lower case.
        body: the raw body.
        params: the ``{name}`` segments of the matched route.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> Request:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        return cls(
            method=str(environ["REQUEST_METHOD"]).upper(),
            path=str(environ.get("PATH_INFO") or "/"),
            query=parse_qs(str(environ.get("QUERY_STRING") or ""), keep_blank_values=True),
            headers=headers,
            body=body,
        )

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of query parameter ``name``."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """The body as JSON.

        Raises:
            BadRequest: when it is not JSON (the emulator answers 400).
        """
        try:
            return json.loads(self.body.decode("utf-8") or "null")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BadRequest(f"the body is not JSON: {exc}") from None


@dataclass
class Response:
    """An emulator's answer."""

    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(
    data: Any, status: int = 200, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    """``data`` as a JSON answer (UTF-8, keys in the order given)."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(status, body, [("Content-Type", "application/json"), *headers])


class BadRequest(Exception):
    """Raised by a handler to answer 400 through ``EmulatorApp.bad_request``."""


@dataclass(frozen=True)
class VendorFault:
    """A per-record error an emulator is told to return for one record."""

    code: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class WriteCall:
    """One write call the emulator received: the object and how many records it carried."""

    object: str
    size: int
    action: str = "upsert"


class EmulatorApp:
    """Base of vendor emulators. See the module docstring.

    Attributes:
        store: the in-memory records (stable ids, modification stamps, paging).
        writes: every write call received, for batch-size checks.
        max_batch: the most records one write call may carry (the vendor's limit);
            ``note_write`` enforces it.
    """

    max_batch: int | None = None

    def __init__(self, *, clock: Clock | None = None) -> None:
        self.store = RecordStore(clock=clock)
        self.writes: list[WriteCall] = []
        self._rejections: dict[str, VendorFault] = {}
        self._lock = threading.RLock()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        for klass in reversed(type(self).__mro__):
            for name, member in vars(klass).items():
                for method, pattern in getattr(member, "_emulator_routes", ()):
                    self._routes.append((method, _compile(pattern), getattr(type(self), name)))

    # -- WSGI -------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request.from_environ(environ)
        with self._lock:  # one request at a time: the store is not meant to be clever
            response = self.dispatch(request)
        try:
            phrase = HTTPStatus(response.status).phrase
        except ValueError:
            phrase = "Status"
        start_response(f"{response.status} {phrase}", response.headers)
        return [response.body]

    def dispatch(self, request: Request) -> Response:
        """Route ``request``: ``authorize`` first, then the handler; 404/405 otherwise."""
        refused = self.authorize(request)
        if refused is not None:
            return refused
        allowed: list[str] = []
        for method, regex, handler in self._routes:
            found = regex.fullmatch(request.path)
            if found is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            request.params = found.groupdict()
            try:
                return handler(self, request)
            except BadRequest as exc:
                return self.bad_request(str(exc))
        if allowed:
            return self.error(405, "METHOD_NOT_ALLOWED", f"use {', '.join(sorted(allowed))}")
        return self.error(404, "NOT_FOUND", f"no route for {request.method} {request.path}")

    # -- hooks a vendor emulator overrides ----------------------------------------------

    def authorize(self, request: Request) -> Response | None:
        """Refuse a request (return the answer), or ``None`` to let it through."""
        return None

    def error(self, status: int, code: str, message: str) -> Response:
        """The vendor's shape of a whole-call error."""
        return json_response({"error": {"code": code, "message": message}}, status)

    def bad_request(self, message: str) -> Response:
        return self.error(400, "BAD_REQUEST", message)

    # -- batches and per-record errors --------------------------------------------------

    def note_write(self, object: str, size: int, action: str = "upsert") -> Response | None:
        """Log a write call; the vendor's refusal when it carries more than ``max_batch``."""
        self.writes.append(WriteCall(object, size, action))
        if self.max_batch is not None and size > self.max_batch:
            return self.error(
                400, "BATCH_TOO_LARGE", f"{size} records in one call; at most {self.max_batch}"
            )
        return None

    def reject(self, key: str, code: str, message: str, field: str | None = None) -> None:
        """Make the next write of the record with external id ``key`` fail with this error."""
        self._rejections[key] = VendorFault(code, message, field)

    def take_rejection(self, key: str) -> VendorFault | None:
        """The error injected for ``key`` by ``reject``, used up."""
        return self._rejections.pop(key, None)

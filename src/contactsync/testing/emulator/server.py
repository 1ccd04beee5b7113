"""Serving a WSGI emulator on 127.0.0.1, on an ephemeral port, for the length of a test.

``serve(app)`` starts a threaded server in the background and stops it when the ``with``
block ends; the pytest fixture ``emulator_server`` does the same at teardown. Each
connection carries one request (``Connection: close``), so a fault on one request never
leaks into the next. Everything is bounded: a silent client is dropped after
``request_timeout`` seconds, a held-open "commit then drop" after ``drop_wait``, and
stopping the server releases every wait at once.

The server only ever binds loopback: there is no host parameter, and the bound address is
checked after binding.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import select
import socket
import socketserver
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from contactsync.testing.emulator.faults import CommitThenDrop, Delay, FaultScript, Respond

LOOPBACK = "127.0.0.1"

StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


@dataclass
class SeenRequest:
    """One request the server received, as a test may inspect it afterwards.

    Attributes:
        method: the HTTP method.
        path: the path, percent-decoded.
        query: the raw query string.
        headers: the request headers (names as sent).
        body: the request body.
        fault: the name of the fault injected, if one was (``Respond``, ``CommitThenDrop``).
        status: the status sent back; ``None`` when nothing was sent. It is set before
            the answer is written, so a client that has its answer sees it here.
    """

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fault: str | None
    status: int | None


@dataclass
class RunningEmulator:
    """An emulator being served.

    Attributes:
        url: ``http://127.0.0.1:<port>``, without a trailing slash.
        app: the WSGI application served.
        faults: the fault script; add to it at any time.
        requests: every request received so far, in order.
    """

    url: str
    app: Any
    faults: FaultScript
    requests: list[SeenRequest] = field(default_factory=list)
    _stop: Callable[[], None] = field(default=lambda: None, repr=False)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        """Stop serving (also done when the ``serve`` block or the fixture ends)."""
        self._stop()


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, running: RunningEmulator, stopping: threading.Event, limits: _Limits):
        self.running = running
        self.stopping = stopping
        self.limits = limits
        self.log_lock = threading.Lock()
        super().__init__((LOOPBACK, 0), _Handler)

    def server_bind(self) -> None:
        super().server_bind()
        host = self.socket.getsockname()[0]
        if not ipaddress.ip_address(host).is_loopback:  # never reachable from elsewhere
            self.socket.close()
            raise RuntimeError(f"the emulator bound {host}, which is not loopback")


@dataclass(frozen=True)
class _Limits:
    request_timeout: float
    drop_wait: float


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.limits.request_timeout)  # a silent client is dropped

    def handle(self) -> None:  # one request per connection
        self.close_connection = True
        self.handle_one_request()

    def handle_one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (TimeoutError, OSError):
            return
        if not self.raw_requestline or len(self.raw_requestline) > 65536:
            return
        if not self.parse_request():
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
        except (TimeoutError, OSError, ValueError):
            return
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parts.query
        running = self.server.running
        fault = running.faults.take(self.command, path)
        seen = SeenRequest(
            method=self.command,
            path=path,
            query=query,
            headers=tuple(self.headers.items()),
            body=body,
            fault=type(fault).__name__ if fault is not None else None,
            status=None,
        )
        with self.server.log_lock:
            running.requests.append(seen)
        self._serve(fault, seen)

    def _serve(self, fault: object, seen: SeenRequest) -> None:
        if isinstance(fault, Respond):
            payload, headers = fault.encoded()
            self._send(fault.status, headers, payload, seen)
            return
        if isinstance(fault, Delay) and self.server.stopping.wait(fault.seconds):
            return
        status, headers, payload = self._call_app(seen.path, seen.query, seen.body)
        if isinstance(fault, CommitThenDrop):
            if fault.hold:
                self._hold_silently()
            self._drop()
            return
        self._send(status, headers, payload, seen)

    def _call_app(
        self, path: str, query: str, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        environ = self._environ(path, query, body)
        answer: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            answer["status"], answer["headers"] = status, headers
            return lambda chunk: None

        try:
            chunks = self.server.running.app(environ, start_response)
            try:
                payload = b"".join(chunks)
            finally:
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()
        except Exception as exc:  # an emulator bug: answer 500 and say so on stderr
            print(f"emulator error on {self.command} {path}: {exc!r}", file=sys.stderr)
            return 500, [("Content-Type", "text/plain")], f"emulator error: {exc!r}".encode()
        code = int(str(answer.get("status", "500")).split(" ", 1)[0])
        return code, list(answer.get("headers", [])), payload

    def _environ(self, path: str, query: str, body: bytes) -> dict[str, Any]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": LOOPBACK,
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                continue
            environ[f"HTTP_{key}"] = value
        return environ

    def _send(
        self, status: int, headers: list[tuple[str, str]], payload: bytes, seen: SeenRequest
    ) -> None:
        seen.status = status
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Status"
        lines = [f"HTTP/1.1 {status} {reason}"]
        for name, value in headers:
            if name.lower() not in ("content-length", "connection"):
                lines.append(f"{name}: {value}")
        lines += [f"Content-Length: {len(payload)}", "Connection: close"]
        try:
            self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
            self.wfile.flush()
        except OSError:
            pass  # the client went away; nothing to tell it

    def _hold_silently(self) -> None:
        """Keep the connection open and silent until the client closes it, the server
        stops, or ``drop_wait`` passes."""
        deadline = self.server.limits.drop_wait
        waited = 0.0
        step = 0.05
        while waited < deadline and not self.server.stopping.is_set():
            try:
                readable, _, _ = select.select([self.connection], [], [], step)
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    return  # the client gave up and closed its end
            except OSError:
                return
            waited += step

    def _drop(self) -> None:
        with contextlib.suppress(OSError):  # the client may be gone already
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads ``RunningEmulator.requests`` instead."""


@contextmanager
def serve(
    app: Any, *, request_timeout: float = 10.0, drop_wait: float = 5.0
) -> Iterator[RunningEmulator]:
    """Serve the WSGI ``app`` on ``127.0.0.1`` on a free port until the block ends.

    Args:
        app: a WSGI application (an ``EmulatorApp`` or any other).
        request_timeout: seconds a connection may stay silent before it is dropped.
        drop_wait: the longest a ``CommitThenDrop(hold=True)`` keeps a connection open.

    Yields:
        The running emulator: its ``url``, ``faults`` and ``requests``.
    """
    stopping = threading.Event()
    running = RunningEmulator(url="", app=app, faults=FaultScript())
    server = _Server(running, stopping, _Limits(request_timeout, drop_wait))
    running.url = f"http://{LOOPBACK}:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        daemon=True,
        name=f"emulator-{server.server_address[1]}",
    )
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=request_timeout + drop_wait)

    running._stop = stop
    thread.start()
    try:
        yield running
    finally:
        stop()


class EmulatorServers:
    """Starts emulators for a test and stops them all at its end (the pytest fixture)."""

    def __init__(self) -> None:
        self._running: list[tuple[Any, RunningEmulator]] = []

    def __call__(self, app: Any, **limits: float) -> RunningEmulator:
        manager = serve(app, **limits)
        running = manager.__enter__()
        self._running.append((manager, running))
        return running

    def close(self) -> None:
        while self._running:
            manager, _ = self._running.pop()
            manager.__exit__(None, None, None)

    def __enter__(self) -> EmulatorServers:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

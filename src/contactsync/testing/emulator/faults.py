"""Scripted faults for an emulator: what the next matching requests get instead of a
normal answer.

A script is a list of rules, each a request matcher (method, path) and a queue of faults.
A request takes the next fault of the first rule that matches it and still has one; when
no rule has a fault left, the emulator answers normally. Every fault that fired is kept
in ``FaultScript.fired``, so a test can tell that its fault was really exercised.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Respond:
    """Answer with ``status`` without calling the emulator (nothing is committed).

    Attributes:
        status: the HTTP status, e.g. 429 or 503.
        body: the body: ``bytes``, text, or anything JSON can write (sent as JSON).
        headers: extra headers.
        retry_after: seconds for a ``Retry-After`` header, when set.
    """

    status: int
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    retry_after: int | None = None

    def encoded(self) -> tuple[bytes, list[tuple[str, str]]]:
        """The body bytes and the headers to send."""
        headers = list(self.headers)
        if isinstance(self.body, bytes):
            body = self.body
        elif isinstance(self.body, str):
            body = self.body.encode("utf-8")
            headers.append(("Content-Type", "text/plain; charset=utf-8"))
        elif self.body is None:
            body = b""
        else:
            body = json.dumps(self.body, ensure_ascii=False).encode("utf-8")
            headers.append(("Content-Type", "application/json"))
        if self.retry_after is not None:
            headers.append(("Retry-After", str(self.retry_after)))
        return body, headers


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` before answering normally (bounded: the server's stop ends it)."""

    seconds: float


@dataclass(frozen=True)
class CommitThenDrop:
    """Let the emulator handle the request (the write commits), then send nothing.

    With ``hold`` (the default) the server keeps the connection open and silent until
    the client gives up (its read timeout) or the server's ``drop_wait`` passes, then
    closes it: the client sees a timeout. Without ``hold`` it closes at once: the client
    sees the connection dropped. Either way the client cannot know the write committed.
    """

    hold: bool = True


Fault = Respond | Delay | CommitThenDrop


@dataclass
class FaultRule:
    """Faults for the requests that match ``method`` and ``path``.

    Attributes:
        method: the HTTP method, or ``None`` for any; ``"WRITE"`` matches every method
            but GET, HEAD and OPTIONS.
        path: a regular expression the whole path must match, or ``None`` for any.
        pending: the faults not used yet, in order.
        fired: how many have been used.
    """

    method: str | None
    path: str | None
    pending: deque[Fault] = field(default_factory=deque)
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method == "WRITE":
            if method.upper() in ("GET", "HEAD", "OPTIONS"):
                return False
        elif self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or re.fullmatch(self.path, path) is not None

    @property
    def done(self) -> bool:
        """Whether every fault of the rule has fired."""
        return not self.pending


@dataclass(frozen=True)
class FiredFault:
    """A fault that was used, and the request it was used on."""

    fault: Fault
    method: str
    path: str


class FaultScript:
    """The faults a running emulator will inject; safe to change from the test's thread."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._lock = threading.Lock()
        self.fired: list[FiredFault] = []

    def add(self, *faults: Fault, method: str | None = None, path: str | None = None) -> FaultRule:
        """Queue ``faults`` for the requests matching ``method`` and ``path``, in order.

        Example: ``script.add(Respond(503), Respond(429, retry_after=2), method="POST")``
        makes the next POST get a 503, the one after a 429, and the rest a normal answer.
        """
        rule = FaultRule(method, path, deque(faults))
        with self._lock:
            self._rules.append(rule)
        return rule

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, if one is scripted (it is used up)."""
        with self._lock:
            for rule in self._rules:
                if rule.pending and rule.matches(method, path):
                    fault = rule.pending.popleft()
                    rule.fired += 1
                    self.fired.append(FiredFault(fault, method, path))
                    return fault
        return None

    def clear(self) -> None:
        """Forget every rule that has not fired yet."""
        with self._lock:
            self._rules.clear()

    @property
    def pending(self) -> int:
        """How many scripted faults have not fired yet."""
        with self._lock:
            return sum(len(rule.pending) for rule in self._rules)

"""Reaching an emulator from simple-salesforce, which only ever speaks https.

``LoopbackRouting`` is a ``requests`` transport adapter: mounted on a session for
``https://``, it sends every request to the emulator's base URL instead (the path and query
kept), so the connector is configured exactly as for a real org (``https://...`` hosts)
while nothing leaves 127.0.0.1. Replaying a cassette, the base is the cassette's alias and
vcrpy answers before any connection is made.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from contactsync.config import SystemConfig
from contactsync.plugins import hookimpl


class LoopbackRouting(HTTPAdapter):
    """Sends every request to ``base`` (``http://127.0.0.1:<port>`` or a cassette alias).

    Raises:
        ValueError: for a base that is neither loopback nor a ``.test`` alias.
    """

    def __init__(self, base: str) -> None:
        super().__init__(max_retries=0)
        parts = urlsplit(base)
        host = parts.hostname or ""
        if not (host.endswith(".test") or host == "localhost" or _loopback(host)):
            raise ValueError(f"{base}: the emulator must be on 127.0.0.1 (or a .test alias)")
        self.base = parts

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        parts = urlsplit(request.url or "")
        request.url = urlunsplit(
            (self.base.scheme, self.base.netloc, parts.path, parts.query, "")
        )
        return super().send(request, *args, **kwargs)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def routed_session(base: str) -> requests.Session:
    """A session whose every https (and http) request goes to ``base``."""
    session = requests.Session()
    adapter = LoopbackRouting(base)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class EmulatorSessions:
    """A plugin handing every ``salesforce`` system a session routed to the emulator at
    ``url`` (the ``contactsync_http_session`` hook): the CLI then reaches the emulator
    with a configuration written exactly as for a real org."""

    def __init__(self, url: str) -> None:
        self.url = url

    @hookimpl
    def contactsync_http_session(self, system: SystemConfig) -> requests.Session | None:
        return routed_session(self.url) if system.connector == "salesforce" else None

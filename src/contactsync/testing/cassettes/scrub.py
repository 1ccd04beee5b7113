"""Scrubbers: what is taken out of a request and a response before a cassette keeps it.

* ``Authorization``, cookies and API-key headers become ``<redacted>``;
* token, secret and password fields become ``<redacted>`` in JSON and form-encoded bodies
  and in query strings (``access_token``, ``refresh_token``, ``client_secret``...);
* bearer tokens, JWTs and Salesforce session ids in any text become ``<redacted>``;
* instance URLs and org ids become fixed fakes, and ``replacements`` (the emulator's
  ``http://127.0.0.1:<port>`` → a fixed alias) are applied everywhere;
* names (in name fields), phone numbers and e-mail addresses become stable fakes
  (``contactsync.testing.fakes``); values that are fakes already stay as they are.

The same scrubber runs on the requests a test sends when it replays (vcrpy filters them
before matching), so a scrubbed cassette still matches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from contactsync.testing.cassettes.pii import (
    BEARER,
    FAKE_INSTANCE,
    FAKE_ORG_ID,
    JWT,
    NAME_KEYS,
    REDACTED,
    SALESFORCE_INSTANCE,
    SALESFORCE_ORG_ID,
    SALESFORCE_SESSION,
    is_secret_key,
    norm_key,
    real_emails,
    real_phones,
)
from contactsync.testing.fakes import fake_email, fake_name, fake_phone


@dataclass(frozen=True)
class Scrubber:
    """Scrubs vcrpy requests and responses; see the module docstring.

    Attributes:
        replacements: literal text to replace everywhere (longest first).
        name_keys: field names (normalised) whose values are person names.
    """

    replacements: Mapping[str, str] = field(default_factory=dict)
    name_keys: frozenset[str] = NAME_KEYS

    def replacing(self, more: Mapping[str, str]) -> Scrubber:
        """This scrubber with more literal replacements."""
        return replace(self, replacements={**self.replacements, **more})

    # -- vcrpy hooks --------------------------------------------------------------------

    def request(self, request: Any) -> Any:
        """``before_record_request``: scrub a ``vcr.request.Request`` in place."""
        request.uri = self.uri(request.uri)
        for name in list(request.headers):
            value = request.headers[name]
            request.headers[name] = self.header(name, value)
        if request.body:
            content_type = str(request.headers.get("Content-Type", ""))
            request.body = self.body(request.body, content_type)
        return request

    def response(self, response: dict[str, Any]) -> dict[str, Any]:
        """``before_record_response``: scrub a vcrpy response dict."""
        headers: dict[str, list[str]] = response.get("headers", {})
        for name, values in headers.items():
            headers[name] = [self.header(name, v) for v in values]
        body = response.get("body", {})
        if body.get("string"):
            content_type = " ".join(
                v
                for name, values in headers.items()
                if name.lower() == "content-type"
                for v in values
            )
            body["string"] = self.body(body["string"], content_type)
        return response

    # -- parts ---------------------------------------------------------------------------

    def header(self, name: str, value: str) -> str:
        if is_secret_key(name):
            return REDACTED
        return self.text(value)

    def uri(self, uri: str) -> str:
        uri = self._literal(uri)
        parts = urlsplit(uri)
        if not parts.query:
            return self.text(uri)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        scrubbed = [(k, self._value(k, v)) for k, v in pairs]
        query = urlencode(scrubbed) if scrubbed != pairs else parts.query
        return self.text(urlunsplit(parts._replace(query=query)))

    def body(self, body: bytes | str, content_type: str = "") -> bytes | str:
        as_bytes = isinstance(body, bytes)
        try:
            text = body.decode("utf-8") if isinstance(body, bytes) else body
        except UnicodeDecodeError:
            return body  # binary: nothing we can read, nothing we can scrub
        scrubbed = self.body_text(text, content_type)
        if scrubbed == text:
            return body
        return scrubbed.encode("utf-8") if as_bytes else scrubbed

    def body_text(self, text: str, content_type: str = "") -> str:
        text = self._literal(text)
        stripped = text.strip()
        if stripped[:1] in ("{", "["):
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                pass
            else:
                cleaned = self.json(data)
                return text if cleaned == data else json.dumps(cleaned, ensure_ascii=False)
        if "form-urlencoded" in content_type or _looks_like_form(stripped):
            pairs = parse_qsl(text, keep_blank_values=True)
            scrubbed = [(k, self._value(k, v)) for k, v in pairs]
            return text if scrubbed == pairs else urlencode(scrubbed)
        return self.text(text)

    def json(self, data: Any, key: str | None = None) -> Any:
        """A JSON value with secrets, names, phones and e-mails replaced."""
        if isinstance(data, dict):
            return {k: self.json(v, k) for k, v in data.items()}
        if isinstance(data, list):
            return [self.json(item, key) for item in data]
        if key is not None and is_secret_key(key) and data not in (None, "", False):
            return REDACTED
        if isinstance(data, str):
            return self._value(key, data) if key is not None else self.text(data)
        return data

    def _value(self, key: str | None, value: str) -> str:
        if key is not None and is_secret_key(key):
            return REDACTED if value else value
        if key is not None and norm_key(key) in self.name_keys and value.strip():
            return fake_name(value)
        return self.text(value)

    def text(self, text: str) -> str:
        """Free text: tokens, instance URLs, org ids, phones and e-mails replaced."""
        text = self._literal(text)
        text = BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        text = JWT.sub(REDACTED, text)
        text = SALESFORCE_SESSION.sub(REDACTED, text)
        text = SALESFORCE_INSTANCE.sub(FAKE_INSTANCE, text)
        text = SALESFORCE_ORG_ID.sub(
            lambda m: (
                FAKE_ORG_ID[: len(m.group(0))]
                if m.group(0) not in (FAKE_ORG_ID, FAKE_ORG_ID[:15])
                else m.group(0)
            ),
            text,
        )
        for found in sorted(real_emails(text), key=lambda f: f.start, reverse=True):
            text = text[: found.start] + fake_email(found.text) + text[found.end :]
        for found in sorted(real_phones(text), key=lambda f: f.start, reverse=True):
            text = text[: found.start] + fake_phone(found.text) + text[found.end :]
        return text

    def _literal(self, text: str) -> str:
        for old in sorted(self.replacements, key=len, reverse=True):
            text = text.replace(old, self.replacements[old])
        return text


def _looks_like_form(text: str) -> bool:
    return "=" in text and " " not in text and "\n" not in text and not text.startswith("<")

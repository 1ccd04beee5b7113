"""Getting an access token: OAuth 2.0 client credentials or JWT bearer, an existing session
id, or (deprecated) username, password and security token.

Token refresh is ours, not simple-salesforce's: the REST client is always built in its
"direct" mode (a session id and an instance URL), in which it never logs in again by
itself, so its refresh recursion and its assumption that every 401 body is a list never
come into play. ``api.py`` calls ``login()`` again when a call answers 401.

Tokens and secrets never reach a log, an exception message or a ``repr``.
"""

from __future__ import annotations

import logging
import time
import warnings
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from contactsync.errors import AuthError, ConfigError, RetryableError
from contactsync_salesforce.errors import RETRYABLE_STATUS, retry_after
from contactsync_salesforce.settings import SalesforceSettings

log = logging.getLogger("contactsync.salesforce")

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SOAP_LOGIN_LAST_VERSION = "64.0"
"""The SOAP ``login()`` the password flow uses is not available from API v65.0 on."""


class PasswordLoginDeprecated(DeprecationWarning):
    """The username + password + security token login is on its way out."""


@dataclass(frozen=True)
class Token:
    """An access token and the instance it is valid for."""

    access_token: str = field(repr=False)
    instance_url: str

    def __repr__(self) -> str:
        return f"Token(access_token=<hidden>, instance_url={self.instance_url!r})"


class Authenticator(ABC):
    """One login flow.

    Attributes:
        can_refresh: whether ``login`` can be called again for a new token.
        flow: the flow's name, for messages.
    """

    can_refresh = True
    flow = ""

    def __init__(self, settings: SalesforceSettings) -> None:
        self.settings = settings

    @abstractmethod
    def login(self, session: requests.Session) -> Token:
        """A fresh token.

        Raises:
            AuthError: the credentials were refused.
            RetryableError: the token endpoint could not answer now.
        """

    def _require(self, name: str) -> str:
        value = self.settings.credential(name)
        if not value:
            raise AuthError(
                f"Salesforce {self.flow} login needs credential {name!r}, which is not set "
                "(name its environment variable under credentials)"
            )
        return value

    def _token_request(
        self, session: requests.Session, data: dict[str, str], headers: dict[str, str] | None = None
    ) -> Token:
        url = f"{self.settings.login_url}/services/oauth2/token"
        try:
            response = session.post(
                url, data=data, headers=headers, timeout=self.settings.timeout_seconds
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RetryableError(
                f"the Salesforce token endpoint {url} did not answer ({type(exc).__name__})"
            ) from None
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code in RETRYABLE_STATUS:
            raise RetryableError(
                f"the Salesforce token endpoint answered HTTP {response.status_code}",
                retry_after=retry_after(response.headers),
            )
        if response.status_code != 200 or not isinstance(body, dict):
            error = description = ""
            if isinstance(body, dict):
                error = str(body.get("error") or "")
                description = str(body.get("error_description") or "")
            detail = f"{error}: {description}" if error or description else "no error body"
            raise AuthError(
                f"Salesforce refused the {self.flow} login at {url} "
                f"(HTTP {response.status_code}, {detail})"
            )
        access, instance = body.get("access_token"), body.get("instance_url")
        if not isinstance(access, str) or not access or not isinstance(instance, str):
            raise AuthError(
                f"the Salesforce token endpoint {url} answered without an access token or "
                "instance URL"
            )
        log.debug("salesforce %s login: token for %s", self.flow, instance)
        return Token(access, instance.rstrip("/"))


class SessionAuth(Authenticator):
    """An existing session id (access token) with its instance URL; it cannot be renewed."""

    can_refresh = False
    flow = "session"

    def login(self, session: requests.Session) -> Token:
        assert self.settings.instance_url is not None  # checked with the settings
        return Token(self._require("session_id"), self.settings.instance_url)


class ClientCredentialsAuth(Authenticator):
    """OAuth 2.0 client credentials against the org's My Domain (a run-as user is set on
    the connected app)."""

    flow = "client credentials"

    def login(self, session: requests.Session) -> Token:
        return self._token_request(
            session,
            {
                "grant_type": "client_credentials",
                "client_id": self._require("client_id"),
                "client_secret": self._require("client_secret"),
            },
        )


class JwtBearerAuth(Authenticator):
    """OAuth 2.0 JWT bearer: a short-lived assertion signed with the connected app's key."""

    flow = "JWT bearer"

    def audience(self) -> str:
        if self.settings.jwt_audience:
            return self.settings.jwt_audience
        host = urlsplit(self.settings.login_url).hostname or ""
        sandbox = host == "test.salesforce.com" or ".sandbox.my.salesforce.com" in host
        return "https://test.salesforce.com" if sandbox else "https://login.salesforce.com"

    def _private_key(self) -> str:
        key = self.settings.credential("private_key")
        if key:
            return key
        path = self.settings.private_key_file
        if path is None:
            raise AuthError("Salesforce JWT bearer login needs credential 'private_key' or "
                            "the setting private_key_file")
        return read_private_key_file(path)

    def login(self, session: requests.Session) -> Token:
        import jwt  # PyJWT comes with simple-salesforce (the ``salesforce`` extra)

        claims = {
            "iss": self._require("client_id"),
            "sub": self._require("username"),
            "aud": self.audience(),
            "exp": int(time.time()) + 180,
        }
        try:
            assertion = jwt.encode(claims, self._private_key(), algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise ConfigError(
                f"the JWT signing key is not a usable RSA private key ({type(exc).__name__})"
            ) from None
        return self._token_request(session, {"grant_type": JWT_GRANT, "assertion": assertion})


def read_private_key_file(path: Path) -> str:
    """The text of ``private_key_file``.

    Raises:
        ConfigError: it cannot be read, or is not text (a DER key: convert it to PEM).
    """
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"private_key_file {path}: cannot be read ({exc.strerror or type(exc).__name__})"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"private_key_file {path}: is not a PEM file (a binary DER key? convert it with "
            "`openssl pkey -in KEY -inform DER -out key.pem`)"
        ) from None


def private_key_file_problems(path: Path) -> list[str]:
    """Why ``private_key_file`` cannot sign a JWT, found without calling Salesforce: it is
    missing or unreadable, holds no PEM private key (a certificate, say), or its key is
    encrypted (the connector takes no passphrase). The key itself is never quoted."""
    try:
        text = read_private_key_file(path)
    except ConfigError as exc:
        return [str(exc)]
    if "PRIVATE KEY-----" not in text:
        return [f"private_key_file {path}: holds no PEM private key (-----BEGIN ... PRIVATE "
                "KEY-----); the connected app's certificate is not the key"]
    if "ENCRYPTED PRIVATE KEY-----" in text or "Proc-Type: 4,ENCRYPTED" in text:
        return [f"private_key_file {path}: the key is encrypted, and the connector takes no "
                "passphrase (decrypt it with `openssl pkey -in KEY -out key.pem`)"]
    return []


class PasswordAuth(Authenticator):
    """Username, password and security token through simple-salesforce's SOAP login.

    Deprecated: Salesforce retires SOAP ``login()`` (not available from API v65.0), so it
    is called with v64.0 whatever ``api_version`` says. Move to JWT bearer or client
    credentials.
    """

    flow = "password"

    def login(self, session: requests.Session) -> Token:
        from simple_salesforce.exceptions import SalesforceAuthenticationFailed
        from simple_salesforce.login import SalesforceLogin

        warnings.warn(
            "Salesforce username/password/security-token login is deprecated (SOAP login is "
            "not available from API v65.0); configure the JWT bearer or client credentials "
            "flow instead",
            PasswordLoginDeprecated,
            stacklevel=2,
        )
        log.warning("salesforce: the username/password login is deprecated; use JWT bearer")
        host = urlsplit(self.settings.login_url).hostname or "login.salesforce.com"
        domain = host.removesuffix(".salesforce.com")
        try:
            session_id, instance = SalesforceLogin(
                username=self._require("username"),
                password=self._require("password"),
                security_token=self._require("security_token"),
                domain=domain,
                sf_version=min(self.settings.api_version, SOAP_LOGIN_LAST_VERSION, key=_version),
                session=session,
            )
        except SalesforceAuthenticationFailed as exc:
            code = getattr(exc, "code", "")
            raise AuthError(f"Salesforce refused the password login ({code})") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RetryableError(
                f"the Salesforce SOAP login did not answer ({type(exc).__name__})"
            ) from None
        return Token(str(session_id), f"https://{instance}")


def _version(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def authenticator_for(settings: SalesforceSettings) -> Authenticator:
    flows: dict[str, type[Authenticator]] = {
        "session": SessionAuth,
        "client_credentials": ClientCredentialsAuth,
        "jwt": JwtBearerAuth,
        "password": PasswordAuth,
    }
    return flows[settings.auth](settings)

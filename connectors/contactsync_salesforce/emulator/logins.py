"""The emulated login endpoints: the OAuth 2.0 token endpoint and the SOAP ``login()``.

* ``POST /services/oauth2/token``: ``client_credentials`` (client id and secret in the
  form or a Basic header), the JWT bearer grant (the assertion's RS256 signature checked
  against the connected app's certificate, ``iss``, ``sub``, ``aud`` and ``exp`` too) and
  ``password``. Success and error bodies have the keys of the recorded real ones.
* ``POST /services/Soap/u/{version}``: the partner ``login()`` with username and
  password + security token; refused from API v65.0 on, as Salesforce retires it.

Tokens are opaque (``EMU-TOKEN-0001``...), valid until ``expire_sessions()`` or until
the request budget ``expire_sessions_after(n)`` sets is spent.
"""

from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from xml.dom import minidom
from xml.parsers.expat import ExpatError

from contactsync.testing.emulator import Request, Response, json_response

if TYPE_CHECKING:
    from contactsync_salesforce.emulator.base import OrgBase

ORG_ID = "00DEMU000000001AAA"
USER_ID = "005EMU000000001AAA"
AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
SOAP_RETIRED_FROM = 65.0


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status)


def token(app: OrgBase, request: Request) -> Response:
    """``POST /services/oauth2/token``."""
    form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    grant = form.get("grant_type", "")
    if grant == "client_credentials":
        client_id, secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            decoded = base64.b64decode(basic[6:]).decode("utf-8", "replace")
            client_id, _, secret = decoded.partition(":")
        if not client_id or app.clients.get(client_id) != secret:
            return _oauth_error("invalid_client", "invalid client credentials")
        return issue_token(app, scope="api")
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        return _jwt(app, form.get("assertion", ""))
    if grant == "password":
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if not client_id or app.clients.get(client_id) != secret:
            return _oauth_error("invalid_client", "invalid client credentials")
        if app.users.get(form.get("username", "")) != form.get("password"):
            return _oauth_error("invalid_grant", "authentication failure")
        return issue_token(app)
    return _oauth_error("unsupported_grant_type", "grant type not supported")


def _jwt(app: OrgBase, assertion: str) -> Response:
    import jwt

    try:
        claims: dict[str, Any] = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        return _oauth_error("invalid_grant", "invalid assertion")
    key = app.jwt_keys.get(str(claims.get("iss")))
    if key is None:
        return _oauth_error("invalid_client_id", "client identifier invalid")
    try:
        jwt.decode(assertion, key, algorithms=["RS256"], audience=list(AUDIENCES))
    except jwt.ExpiredSignatureError:
        return _oauth_error("invalid_grant", "expired authorization code")
    except jwt.PyJWTError:
        return _oauth_error("invalid_grant", "invalid assertion")
    if claims.get("sub") not in app.jwt_users:
        return _oauth_error("invalid_grant", "user hasn't approved this consumer")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp > time.time() + 300:
        return _oauth_error("invalid_grant", "invalid assertion")  # more than 5 minutes
    return issue_token(app, scope="api")


def issue_token(app: OrgBase, scope: str | None = None) -> Response:
    token = app.grant_session()
    body: dict[str, Any] = {
        "access_token": token,
        "signature": "RU1VTEFUT1ItU0lHTkFUVVJF",
        "instance_url": app.instance_url,
        "id": f"https://login.salesforce.com/id/{ORG_ID}/{USER_ID}",
        "token_type": "Bearer",
        "issued_at": str(int(app.store.clock.now.timestamp() * 1000)),
    }
    if scope is not None:
        body["scope"] = scope
        body["api_instance_url"] = "https://api.salesforce.com"
    return json_response(body)


def soap_login(app: OrgBase, request: Request) -> Response:
    """``POST /services/Soap/u/{version}``."""
    version = request.params["version"]
    try:
        retired = float(version) >= SOAP_RETIRED_FROM
    except ValueError:
        retired = True
    if retired:
        return _soap_fault("UNSUPPORTED_API_VERSION",
                           f"SOAP login() is not available in API version {version}")
    try:
        document = minidom.parseString(request.body)
    except ExpatError:
        return _soap_fault("INVALID_LOGIN", "Invalid request")
    username = _text(document, "username")
    password = _text(document, "password")
    if not username or app.users.get(username) != password:
        return _soap_fault(
            "INVALID_LOGIN", "Invalid username, password, security token; or user locked out."
        )
    token = app.grant_session()
    server = f"{app.instance_url}/services/Soap/u/{version}/{ORG_ID[:15]}"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns="urn:partner.soap.sforce.com"><soapenv:Body><loginResponse><result>'
        f"<passwordExpired>false</passwordExpired><sandbox>false</sandbox>"
        f"<serverUrl>{server}</serverUrl><sessionId>{token}</sessionId>"
        f"<userId>{USER_ID}</userId></result></loginResponse></soapenv:Body>"
        "</soapenv:Envelope>"
    )
    return Response(200, body.encode(), [("Content-Type", "text/xml; charset=utf-8")])


def _text(document: minidom.Document, tag: str) -> str:
    for node in document.getElementsByTagNameNS("*", tag) or document.getElementsByTagName(tag):
        return "".join(child.nodeValue or "" for child in node.childNodes)
    return ""


def _soap_fault(code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
        'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sf="urn:fault.partner.soap.sforce.com" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>'
        f"<faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring><detail>"
        f'<sf:LoginFault xsi:type="sf:LoginFault"><sf:exceptionCode>{code}</sf:exceptionCode>'
        f"<sf:exceptionMessage>{message}</sf:exceptionMessage></sf:LoginFault></detail>"
        "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    )
    return Response(500, body.encode(), [("Content-Type", "text/xml; charset=utf-8")])

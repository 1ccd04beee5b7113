"""Logins against the emulator's token endpoint and SOAP login, and the settings that pick
them. Secrets never reach a message or a log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from salesforce_helpers import connector, oauth_connector

from contactsync.errors import AuthError, ConfigError
from contactsync.models import Kind
from contactsync.testing.emulator import Respond
from contactsync_salesforce.auth import JwtBearerAuth, PasswordLoginDeprecated
from contactsync_salesforce.settings import SalesforceSettings

E = Kind.EMERGENCY
SECRET = "cs-client-secret"


@pytest.fixture(scope="module")
def rsa_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return private, public


def test_client_credentials_log_in_once_and_use_the_instance_the_token_names(app, server) -> None:
    sf = oauth_connector(app, server.url, instance_url="https://stale.my.salesforce.com")
    assert list(sf.pull(E))[-1].last
    list(sf.pull(E))
    tokens = [r for r in server.requests if r.path == "/services/oauth2/token"]
    assert len(tokens) == 1 and b"grant_type=client_credentials" in tokens[0].body
    assert sf.api.logins == 1


def test_refused_client_credentials_are_an_auth_error_without_the_secret(
    app, server, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app.clients["cs-client"] = "another secret"
    sf = connector(server.url, login_url="https://example.my.salesforce.com",
                   credentials={"client_id": "cs-client", "client_secret": SECRET})
    with pytest.raises(AuthError, match="invalid_client") as refused:
        list(sf.pull(E))
    assert SECRET not in str(refused.value)
    assert SECRET not in caplog.text and "EMU-TOKEN" not in caplog.text


def test_a_token_endpoint_outage_is_retried(app, server) -> None:
    sf = oauth_connector(app, server.url)
    server.faults.add(Respond(503, retry_after=1), path="/services/oauth2/token")
    assert list(sf.pull(E))[-1].last
    assert [r.status for r in server.requests if r.path.endswith("/token")] == [503, 200]


def test_jwt_bearer_signs_an_assertion_the_org_verifies(app, server, rsa_key, tmp_path) -> None:
    private, public = rsa_key
    app.jwt_keys["cs-jwt-app"] = public
    app.jwt_users.add("integration@example.com")
    key_file = tmp_path / "server.key"
    key_file.write_text(private, encoding="utf-8")
    sf = connector(
        server.url, login_url="https://login.salesforce.com", private_key_file=str(key_file),
        credentials={"client_id": "cs-jwt-app", "username": "integration@example.com"},
    )
    assert sf.settings.auth == "jwt"
    assert list(sf.pull(E))[-1].last
    token = next(r for r in server.requests if r.path.endswith("/token"))
    assert b"jwt-bearer" in token.body and b"assertion=" in token.body


def test_jwt_for_a_user_not_approved_is_refused(app, server, rsa_key) -> None:
    private, public = rsa_key
    app.jwt_keys["cs-jwt-app"] = public
    sf = connector(server.url, credentials={
        "client_id": "cs-jwt-app", "username": "stranger@example.com", "private_key": private,
    })
    with pytest.raises(AuthError, match="hasn't approved this consumer"):
        list(sf.pull(E))


def test_jwt_audience_follows_the_login_host() -> None:
    def audience(login_url: str) -> str:
        settings = SalesforceSettings.from_settings(
            {"login_url": login_url, "auth": "jwt"}, "test", Path(".")
        )
        return JwtBearerAuth(settings).audience()

    assert audience("login") == "https://login.salesforce.com"
    assert audience("test") == "https://test.salesforce.com"
    assert audience("https://acme--uat.sandbox.my.salesforce.com") == "https://test.salesforce.com"
    assert audience("https://acme.my.salesforce.com") == "https://login.salesforce.com"


def test_a_password_login_works_with_a_deprecation_warning_on_soap_v64(app, server) -> None:
    app.users["integration@example.com"] = "p4ss" + "TOKEN123"
    sf = connector(server.url, login_url="https://login.salesforce.com", api_version="66.0",
                   credentials={"username": "integration@example.com", "password": "p4ss",
                                "security_token": "TOKEN123"})
    assert sf.settings.auth == "password"
    with pytest.warns(PasswordLoginDeprecated, match="deprecated"):
        assert list(sf.pull(E))[-1].last
    soap = [r for r in server.requests if r.path.startswith("/services/Soap")]
    assert [r.path for r in soap] == ["/services/Soap/u/64.0"]
    assert any(r.path.startswith("/services/data/v66.0/") for r in server.requests)


def test_a_refused_password_login_is_an_auth_error(app, server) -> None:
    sf = connector(server.url, credentials={"username": "u@example.com", "password": "bad",
                                            "security_token": "t"})
    with pytest.warns(PasswordLoginDeprecated), pytest.raises(AuthError, match="INVALID_LOGIN"):
        list(sf.pull(E))


def test_settings_infer_the_flow_from_the_credentials() -> None:
    def flow(**credentials: str) -> str:
        settings = {"credentials": credentials, "login_url": "https://acme.my.salesforce.com",
                    "instance_url": "https://acme.my.salesforce.com"}
        return SalesforceSettings.from_settings(settings, "test", Path(".")).auth

    assert flow(session_id="s") == "session"
    assert flow(client_id="c", username="u", private_key="k") == "jwt"
    assert flow(username="u", password="p", security_token="t") == "password"
    assert flow(client_id="c", client_secret="s") == "client_credentials"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"password": "literal"}, "'password' is a secret"),
        ({"client_secret": "literal"}, "'client_secret' is a secret"),
        ({"colour": "blue"}, "unknown setting"),
        ({"auth": "session"}, "needs instance_url"),
        ({"auth": "client_credentials"}, "My Domain URL"),
        ({"login_url": "http://login.salesforce.com"}, "https URL"),
        ({"login_url": "https://u:p@acme.my.salesforce.com"}, "user name or password"),
        ({"api_version": "sixty"}, "api_version"),
        ({"quota_share": 0}, "quota_share"),
        ({"batch_size": 201}, "batch_size"),
        ({"auth": "jwt", "credentials": {"client_id": "c"}}, "username, private_key"),
        ({"auth": "magic"}, "auth must be"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SalesforceSettings.from_settings(settings, "system 'crm'", Path("."))


def test_the_token_and_secrets_stay_out_of_reprs() -> None:
    settings = SalesforceSettings.from_settings(
        {"credentials": {"session_id": "00Dsecret!abc"}, "instance_url": "https://a.my.salesforce.com"},
        "test", Path("."),
    )
    assert "00Dsecret" not in repr(settings)

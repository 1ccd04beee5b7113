"""``SalesforceConnector.check_offline``: the JWT signing key file, checked before a login."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from salesforce_helpers import mapping

from contactsync.connector import ConnectorContext
from contactsync_salesforce import SalesforceConnector

JWT_CREDENTIALS = {"client_id": "3MVG9.consumer", "username": "sync@example.com"}


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey, encryption: Any = None) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        encryption or serialization.NoEncryption(),
    )


def built(tmp_path: Path, credentials: dict[str, str] | None = None,
          **settings: Any) -> SalesforceConnector:
    context = ConnectorContext(
        system="crm",
        settings={**settings, "credentials": credentials or JWT_CREDENTIALS},
        mapping=mapping(),
        base_dir=tmp_path,
    )
    return SalesforceConnector(context)


def test_a_readable_pem_key_has_no_problem(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    (tmp_path / "server.key").write_bytes(pem(key))
    connector = built(tmp_path, private_key_file="server.key")
    assert connector.settings.auth == "jwt"
    assert connector.check_offline() == []


def test_a_missing_key_file_is_reported(tmp_path: Path) -> None:
    problems = built(tmp_path, private_key_file="keys/server.key").check_offline()
    assert len(problems) == 1
    assert "private_key_file" in problems[0]
    assert str(tmp_path / "keys" / "server.key") in problems[0]
    assert "cannot be read" in problems[0]


def test_a_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    problems = built(tmp_path, private_key_file="keys").check_offline()
    assert len(problems) == 1 and "cannot be read" in problems[0]


def test_a_certificate_instead_of_the_key_is_reported(tmp_path: Path) -> None:
    (tmp_path / "server.crt").write_text(
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"
    )
    problems = built(tmp_path, private_key_file="server.crt").check_offline()
    assert len(problems) == 1 and "holds no PEM private key" in problems[0]
    assert "MIIB" not in problems[0]


def test_an_encrypted_key_is_reported(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    encrypted = pem(key, serialization.BestAvailableEncryption(b"passphrase"))
    (tmp_path / "server.key").write_bytes(encrypted)
    problems = built(tmp_path, private_key_file="server.key").check_offline()
    assert len(problems) == 1 and "encrypted" in problems[0]


def test_a_binary_der_key_is_reported(tmp_path: Path, key: rsa.RSAPrivateKey) -> None:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    (tmp_path / "server.der").write_bytes(der)
    problems = built(tmp_path, private_key_file="server.der").check_offline()
    assert len(problems) == 1 and "is not a PEM file" in problems[0]


def test_the_file_is_not_checked_when_it_does_not_sign(tmp_path: Path) -> None:
    with_credential = built(tmp_path, {**JWT_CREDENTIALS, "private_key": "inline"},
                            private_key_file="missing.key")
    assert with_credential.check_offline() == []
    session = built(tmp_path, {"session_id": "s"}, auth="session",
                    instance_url="https://acme.my.salesforce.com",
                    private_key_file="missing.key")
    assert session.check_offline() == []

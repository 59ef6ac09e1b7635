"""Make a private key and a self-signed certificate for one organisation, for trials and tests.

Production certificates come from a CA and are only loaded. The certificate names the organisation
in organizationIdentifier (and OU), which is where verification looks for it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ecms_gateway.errors import ConfigError, InputError
from ecms_gateway.signing.names import KeyType as KeyType  # noqa: PLC0414 - re-exported

_ORG_ID = re.compile(r"[0-9]{10}")


@dataclass(frozen=True, kw_only=True)
class NewKeyFiles:
    """Where ``write_new_key`` put the key and the certificate."""

    key: Path
    cert: Path
    certificate: x509.Certificate


def new_private_key(key_type: KeyType = "rsa2048") -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    """A fresh RSA (2048/3072-bit) or ECDSA P-256 private key."""
    if key_type == "ec256":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=int(key_type[3:]))


def org_subject(org_id: str, common_name: str) -> x509.Name:
    """A subject naming ``org_id`` in organizationIdentifier and OU, as verification expects."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, org_id),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, org_id),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def self_signed_certificate(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    org_id: str,
    *,
    days: int = 365,
    now: datetime | None = None,
) -> x509.Certificate:
    """A self-signed signing certificate (keyUsage digitalSignature, nonRepudiation) for ``org_id``."""
    if not _ORG_ID.fullmatch(org_id):
        raise InputError(f"{org_id!r} is not an organisation ID: 10 digits, e.g. 2099000000")
    start = (now or datetime.now(UTC)) - timedelta(minutes=5)
    subject = org_subject(org_id, f"ecms-gateway trial key {org_id}")
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_signing_usage(), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _signing_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def write_new_key(
    org_id: str,
    out: Path,
    *,
    key_type: KeyType = "rsa2048",
    days: int = 365,
    passphrase: bytes | None = None,
) -> NewKeyFiles:
    """Write ``<org_id>.key.pem`` (mode 0600; encrypted with a passphrase) and ``<org_id>.cert.pem``."""
    key_path, cert_path = out / f"{org_id}.key.pem", out / f"{org_id}.cert.pem"
    for path in (key_path, cert_path):
        if path.exists():
            raise ConfigError(f"{path} already exists; remove it or choose another --out folder")
    key = new_private_key(key_type)
    cert = self_signed_certificate(key, org_id, days=days)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    out.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return NewKeyFiles(key=key_path, cert=cert_path, certificate=cert)

"""Facts about X.509 certificates that signing and verifying both need (organisation, usage, dates)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from ecms_gateway.errors import ConfigError

EXPIRY_WARNING: Final = timedelta(days=30)
"""Certificates that expire within this time are reported as warnings wherever they are used."""

ORG_ID_ATTRIBUTES: Final = (NameOID.ORGANIZATION_IDENTIFIER, NameOID.ORGANIZATIONAL_UNIT_NAME)
"""Subject attributes that name the e-CMS organisation ID (10 digits) a certificate belongs to."""


def org_ids_of(cert: x509.Certificate) -> frozenset[str]:
    """The organisation IDs the certificate's subject names (organizationIdentifier or OU)."""
    values: set[str] = set()
    for oid in ORG_ID_ATTRIBUTES:
        for attr in cert.subject.get_attributes_for_oid(oid):
            value = attr.value if isinstance(attr.value, str) else attr.value.decode("utf-8", "replace")
            values.add(value.strip())
    return frozenset(values)


def has_signing_usage(cert: x509.Certificate) -> bool:
    """True when keyUsage allows digitalSignature or nonRepudiation (contentCommitment)."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.digital_signature or usage.content_commitment)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint as upper-case hex pairs, the form ``openssl x509 -fingerprint`` prints."""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def describe(cert: x509.Certificate) -> str:
    """Subject and fingerprint, enough for an operator to find the certificate."""
    return f"'{cert.subject.rfc4514_string()}' (SHA-256 {fingerprint(cert)[:23]}...)"


def validity_problem(cert: x509.Certificate, now: datetime) -> str | None:
    """Why the certificate is not valid at ``now`` (expired or not yet valid), or None."""
    if now < cert.not_valid_before_utc:
        return (
            f"certificate {describe(cert)} is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        )
    if now > cert.not_valid_after_utc:
        return f"certificate {describe(cert)} expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
    return None


def expiry_warning(cert: x509.Certificate, now: datetime, *, role: str) -> str | None:
    """A warning when the still-valid certificate expires within ``EXPIRY_WARNING``, else None."""
    left = cert.not_valid_after_utc - now
    if timedelta(0) <= left <= EXPIRY_WARNING:
        return (
            f"the {role} certificate {describe(cert)} expires on "
            f"{cert.not_valid_after_utc:%Y-%m-%d} ({left.days} days left); renew it before then"
        )
    return None


def load_pem_certificates(data: bytes, *, source: str) -> tuple[x509.Certificate, ...]:
    """Every certificate in a PEM file, in file order; ``ConfigError`` when there is none."""
    try:
        certs = tuple(x509.load_pem_x509_certificates(data))
    except ValueError as exc:
        raise ConfigError(
            f"{source} holds no readable PEM certificate ({exc}); it must contain "
            "'-----BEGIN CERTIFICATE-----' blocks"
        ) from exc
    return certs

"""Signing keys: where they are configured (``KeyRef``) and loading them, checked, from PEM files.

Passphrases of encrypted keys come from an environment variable or a file, never from a command line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ecms_gateway.errors import ConfigError
from ecms_gateway.signing.algorithms import ECDSA_SHA256, RSA_SHA256
from ecms_gateway.signing.certs import (
    describe,
    expiry_warning,
    has_signing_usage,
    load_pem_certificates,
    org_ids_of,
    validity_problem,
)
from ecms_gateway.signing.names import PASSPHRASE_ENV as PASSPHRASE_ENV  # noqa: PLC0414 - re-exported

PASSPHRASE_HINT: Final = f"give it in the environment variable {PASSPHRASE_ENV} or in a passphrase file"
"""What to do about an encrypted key loaded without a passphrase, unless the caller knows better."""

RSA_SIZES: Final = frozenset({2048, 3072, 4096})


@dataclass(frozen=True, kw_only=True)
class KeyRef:
    """Where one organisation's signing key lives; the configuration holds one per organisation.

    ``cert`` is a PEM file with the signer's certificate first, then any intermediate CA
    certificates (they travel in the signature so that receivers can build the chain).
    """

    org_id: str
    key: Path
    cert: Path
    passphrase_env: str | None = PASSPHRASE_ENV
    passphrase_file: Path | None = None

    def passphrase(self, environ: Mapping[str, str] | None = None) -> bytes | None:
        """The passphrase from the file when one is named, else from the environment, else None."""
        return read_passphrase(file=self.passphrase_file, env_name=self.passphrase_env, environ=environ)


@dataclass(frozen=True, kw_only=True, eq=False)
class SigningKey:
    """A loaded, checked signing key with its certificate chain, ready for python-xmlsec."""

    org_id: str | None
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    signature_method: str
    xmlsec_key: xmlsec.Key
    named_orgs: frozenset[str] = frozenset()  # organisation IDs the certificate's subject names
    warnings: tuple[str, ...] = ()


def read_passphrase(
    *, file: Path | None, env_name: str | None, environ: Mapping[str, str] | None = None
) -> bytes | None:
    """Read a passphrase from ``file`` (trailing newline dropped) or from the variable ``env_name``."""
    if file is not None:
        try:
            text = file.read_bytes().rstrip(b"\r\n")
        except OSError as exc:
            raise ConfigError(f"passphrase file {file} cannot be read: {exc.strerror}") from exc
        if not text:
            raise ConfigError(f"passphrase file {file} is empty; write the key's passphrase in it")
        return text
    env = os.environ if environ is None else environ
    value = env.get(env_name) if env_name else None
    return value.encode("utf-8") if value else None


def load_signing_key(
    ref: KeyRef, *, environ: Mapping[str, str] | None = None, now: datetime | None = None
) -> SigningKey:
    """Load the key named by ``ref``; ``ConfigError`` says what is wrong and how to fix it."""
    return load_key_files(
        key=ref.key,
        cert=ref.cert,
        passphrase=ref.passphrase(environ),
        org_id=ref.org_id,
        now=now,
        passphrase_hint=_passphrase_hint(ref),
    )


def _passphrase_hint(ref: KeyRef) -> str:
    """What to do about an encrypted key without a passphrase, in the words of its key section."""
    section = f"signing.keys.{ref.org_id}"
    if ref.passphrase_env:
        return (
            f"set the environment variable {ref.passphrase_env} ({section}.passphrase_env) to its "
            f"passphrase where the gateway runs, or name a file that holds it in {section}.passphrase_file"
        )
    return (
        f"name the file that holds its passphrase in {section}.passphrase_file, or the environment "
        f"variable in {section}.passphrase_env"
    )


def load_key_files(
    *,
    key: Path,
    cert: Path,
    passphrase: bytes | None,
    org_id: str | None = None,
    now: datetime | None = None,
    passphrase_hint: str = PASSPHRASE_HINT,
) -> SigningKey:
    """Load and check a PEM private key file and its certificate (chain) file for signing.

    ``passphrase_hint`` says where the passphrase of an encrypted key goes when none was given.
    """
    return load_key_pem(
        key=_read(key, "private key"),
        cert=_read(cert, "certificate"),
        passphrase=passphrase,
        org_id=org_id,
        now=now,
        key_source=str(key),
        cert_source=str(cert),
        passphrase_hint=passphrase_hint,
    )


def load_key_pem(
    *,
    key: bytes,
    cert: bytes,
    passphrase: bytes | None,
    org_id: str | None = None,
    now: datetime | None = None,
    key_source: str = "private key",
    cert_source: str = "certificate",
    passphrase_hint: str = PASSPHRASE_HINT,
) -> SigningKey:
    """Load and check a PEM private key and its PEM certificate chain (signer first) for signing."""
    moment = now or datetime.now(UTC)
    private = _load_private_key(key, key_source, passphrase, passphrase_hint)
    certs = load_pem_certificates(cert, source=cert_source)
    leaf, chain = certs[0], certs[1:]
    method = _signature_method(private, key_source)
    _check_certificate(private, leaf, cert_source, org_id, moment)
    xkey = xmlsec.Key.from_memory(
        private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        xmlsec.constants.KeyDataFormatDer,
    )
    for c in certs:
        xkey.load_cert_from_memory(
            c.public_bytes(serialization.Encoding.DER), xmlsec.constants.KeyDataFormatCertDer
        )
    warnings = tuple(
        w
        for c, role in ((leaf, "signing"), *((c, "intermediate CA") for c in chain))
        if (w := expiry_warning(c, moment, role=role)) is not None
    )
    return SigningKey(
        org_id=org_id,
        certificate=leaf,
        chain=chain,
        signature_method=method,
        xmlsec_key=xkey,
        named_orgs=org_ids_of(leaf),
        warnings=warnings,
    )


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"the {what} file {path} cannot be read: {exc.strerror}") from exc


def _load_private_key(
    data: bytes, path: str, passphrase: bytes | None, missing_hint: str
) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    try:
        private = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError as exc:
        if passphrase is None:
            raise ConfigError(
                f"the private key {path} is encrypted and no passphrase was given: {missing_hint}"
            ) from exc
        raise ConfigError(f"the private key {path} is not encrypted; remove the passphrase setting") from exc
    except ValueError as exc:
        hint = "the passphrase is wrong or " if passphrase is not None else ""
        raise ConfigError(
            f"the private key {path} cannot be loaded: {hint}it is no PEM private key ({exc})"
        ) from exc
    if not isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ConfigError(
            f"the private key {path} is a {type(private).__name__}; e-CMS signatures need RSA (2048 or "
            "3072 bits) or ECDSA P-256"
        )
    return private


def _signature_method(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, path: str) -> str:
    if isinstance(private, rsa.RSAPrivateKey):
        if private.key_size not in RSA_SIZES:
            raise ConfigError(
                f"the RSA key {path} has {private.key_size} bits; use 2048 or 3072 bits (4096 also works)"
            )
        return RSA_SHA256
    if not isinstance(private.curve, ec.SECP256R1):
        raise ConfigError(
            f"the EC key {path} is on curve {private.curve.name}; only P-256 (secp256r1) is used"
        )
    return ECDSA_SHA256


def _check_certificate(
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    leaf: x509.Certificate,
    path: str,
    org_id: str | None,
    now: datetime,
) -> None:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if leaf.public_key().public_bytes(*spki) != private.public_key().public_bytes(*spki):
        raise ConfigError(
            f"the certificate {describe(leaf)} in {path} does not belong to the private key; the signer's "
            "own certificate must come first in the file"
        )
    if (problem := validity_problem(leaf, now)) is not None:
        raise ConfigError(f"cannot sign with {path}: {problem}; install a renewed certificate")
    if not has_signing_usage(leaf):
        raise ConfigError(
            f"the certificate {describe(leaf)} in {path} does not allow signing (keyUsage needs "
            "digitalSignature or nonRepudiation); receivers would refuse it, ask the CA for a signing "
            "certificate"
        )
    named = org_ids_of(leaf)
    if org_id is not None and named and org_id not in named:
        raise ConfigError(
            f"the certificate {describe(leaf)} in {path} belongs to organisation {', '.join(sorted(named))}, "
            f"not {org_id}; configure the certificate issued to {org_id}"
        )

"""S/MIME: sign a whole outgoing message as ``multipart/signed`` (RFC 8551), detached, SHA-256.

The signed entity is exactly the bytes between the first two boundary lines: our entities are already
canonical (CRLF, 7-bit Base64 bodies), so no relay rewrites them and the signature stays valid.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs7

from ecms_gateway.errors import ConfigError
from ecms_gateway.mail.mime import base64_body, multipart
from ecms_gateway.signing.keys import KeyRef

SmimeKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_P7S_HEAD = (
    b"Content-Type: application/pkcs7-signature; name=smime.p7s\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"Content-Disposition: attachment; filename=smime.p7s\r\n"
    b"Content-Description: S/MIME Cryptographic Signature\r\n\r\n"
)


class SmimeSigner:
    """Signs entities with one organisation's key; the certificate and its chain travel in the signature."""

    def __init__(
        self, key: SmimeKey, certificate: x509.Certificate, chain: tuple[x509.Certificate, ...] = ()
    ) -> None:
        if _spki(key.public_key()) != _spki(certificate.public_key()):
            raise ConfigError("the S/MIME key does not belong to the S/MIME certificate; configure the pair")
        self._key = key
        self._certificate = certificate
        self._chain = chain

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    @classmethod
    def from_key_ref(cls, ref: KeyRef, *, environ: Mapping[str, str] | None = None) -> SmimeSigner:
        """Load the key (its passphrase from the variable or file ``ref`` names) and the certificates."""
        try:
            key_pem, cert_pem = ref.key.read_bytes(), ref.cert.read_bytes()
        except OSError as exc:
            raise ConfigError(f"mail.smime_key: cannot read {exc.filename}: {exc.strerror}") from exc
        try:
            key = serialization.load_pem_private_key(key_pem, password=ref.passphrase(environ))
            certificates = x509.load_pem_x509_certificates(cert_pem)
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                f"mail.smime_key: {ref.key} or {ref.cert} cannot be loaded ({exc}); check the files "
                "and the passphrase"
            ) from exc
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise ConfigError(f"mail.smime_key: {ref.key} is not an RSA or EC key")
        return cls(key, certificates[0], tuple(certificates[1:]))

    def sign(self, entity: bytes) -> bytes:
        """The ``multipart/signed`` entity (header and body) wrapping ``entity`` and its signature."""
        builder = (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(entity)
            .add_signer(self._certificate, self._key, hashes.SHA256())
        )
        for certificate in self._chain:
            builder = builder.add_certificate(certificate)
        signature = builder.sign(
            serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
        )
        boundary = "=_ecms_signed_" + hashlib.sha256(entity).hexdigest()[:24]
        return multipart(
            "signed",
            (entity, _P7S_HEAD + base64_body(signature)),
            boundary,
            params=' protocol="application/pkcs7-signature"; micalg=sha-256;',
        )


def _spki(public_key: CertificatePublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )

"""A throw-away PKI for tests, benchmarks and demos: a root CA, an intermediate, and signers.

Nothing here is for production keys. ``shared_pki()`` makes one PKI per process so that test
sessions generate their RSA keys once.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from ecms_gateway.signing.algorithms import EXC_C14N, RSA_SHA256, SHA256, xmlsec_transform
from ecms_gateway.signing.keys import SigningKey, load_key_pem
from ecms_gateway.signing.newkeys import KeyType, new_private_key, org_subject, self_signed_certificate
from ecms_gateway.xml.namespaces import DS

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True, kw_only=True)
class Identity:
    """A private key with its certificate and the intermediates that travel with it."""

    org_id: str
    key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @property
    def cert_pem(self) -> bytes:
        """The certificate followed by its chain, as a signer's certificate file holds them."""
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (self.certificate, *self.chain))

    def xmlsec_key(self) -> xmlsec.Key:
        """The key with its certificates for python-xmlsec, without any checks (expired ones too)."""
        key = xmlsec.Key.from_memory(self.key_pem, xmlsec.constants.KeyDataFormatPem)
        for cert in (self.certificate, *self.chain):
            key.load_cert_from_memory(
                cert.public_bytes(serialization.Encoding.DER), xmlsec.constants.KeyDataFormatCertDer
            )
        return key

    def signing_key(self, *, now: datetime | None = None) -> SigningKey:
        return load_key_pem(
            key=self.key_pem, cert=self.cert_pem, passphrase=None, org_id=self.org_id, now=now
        )

    def write(self, folder: Path) -> tuple[Path, Path]:
        """Write ``<org>.key.pem`` and ``<org>.cert.pem`` into ``folder``; returns both paths."""
        folder.mkdir(parents=True, exist_ok=True)
        key, cert = folder / f"{self.org_id}.key.pem", folder / f"{self.org_id}.cert.pem"
        key.write_bytes(self.key_pem)
        cert.write_bytes(self.cert_pem)
        return key, cert


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "TH"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_usage(signing: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing,
        key_encipherment=not signing,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


class Pki:
    """A root CA and an intermediate CA that issue signer certificates on demand."""

    def __init__(self, *, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)
        self.root_key = new_private_key("rsa2048")
        self.root = self._issue(_name("ecms test root CA"), self.root_key, None, ca=True, days=3650)
        self.intermediate_key = new_private_key("rsa2048")
        self.intermediate = self._issue(
            _name("ecms test issuing CA"),
            self.intermediate_key,
            (self.root, self.root_key),
            ca=True,
            days=3650,
        )

    def issue(
        self,
        org_id: str,
        *,
        key: PrivateKey | None = None,
        key_type: KeyType = "rsa2048",
        days: int = 365,
        starts: timedelta = timedelta(days=-1),
        signing_usage: bool = True,
        name_org: bool = True,
    ) -> Identity:
        """A signer certificate from the intermediate CA; ``name_org`` puts ``org_id`` in the subject."""
        key = key or new_private_key(key_type)
        subject = org_subject(org_id, f"signer {org_id}") if name_org else _name(f"signer {org_id}")
        cert = self._issue(
            subject,
            key,
            (self.intermediate, self.intermediate_key),
            ca=False,
            days=days,
            starts=starts,
            signing_usage=signing_usage,
        )
        return Identity(org_id=org_id, key=key, certificate=cert, chain=(self.intermediate,))

    def self_signed(
        self, org_id: str, *, key: PrivateKey | None = None, days: int = 365, now: datetime | None = None
    ) -> Identity:
        """A self-signed signer certificate, as ``ecms-gateway keys new`` makes (for pinning)."""
        key = key or new_private_key("rsa2048")
        cert = self_signed_certificate(key, org_id, days=days, now=now or self.now)
        return Identity(org_id=org_id, key=key, certificate=cert)

    def _issue(
        self,
        subject: x509.Name,
        key: PrivateKey,
        issuer: tuple[x509.Certificate, PrivateKey] | None,
        *,
        ca: bool,
        days: int,
        starts: timedelta = timedelta(days=-1),
        signing_usage: bool = True,
    ) -> x509.Certificate:
        issuer_name = issuer[0].subject if issuer else subject
        issuer_key = issuer[1] if issuer else key
        start = self.now + starts
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(_ca_usage() if ca else _leaf_usage(signing_usage), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
            )
        )
        return builder.sign(issuer_key, hashes.SHA256())


def write_trust_folder(
    folder: Path,
    *,
    cas: Iterable[x509.Certificate] = (),
    pins: Mapping[str, Iterable[x509.Certificate]] | None = None,
    pinned_keys: Mapping[str, Iterable[PrivateKey]] | None = None,
) -> Path:
    """Lay out a trust store folder (ca/*.pem, orgs/<org_id>/*.pem) and return it."""
    (folder / "ca").mkdir(parents=True, exist_ok=True)
    for i, cert in enumerate(cas):
        (folder / "ca" / f"ca-{i}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    for org_id, certs in (pins or {}).items():
        (folder / "orgs" / org_id).mkdir(parents=True, exist_ok=True)
        for i, cert in enumerate(certs):
            (folder / "orgs" / org_id / f"cert-{i}.pem").write_bytes(
                cert.public_bytes(serialization.Encoding.PEM)
            )
    for org_id, keys in (pinned_keys or {}).items():
        (folder / "orgs" / org_id).mkdir(parents=True, exist_ok=True)
        for i, key in enumerate(keys):
            pem = key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            (folder / "orgs" / org_id / f"key-{i}.pem").write_bytes(pem)
    return folder


@functools.cache
def shared_pki() -> Pki:
    """One PKI per process, so that tests generate their CA keys once."""
    return Pki()


def sign_custom(
    parent: etree._Element,
    identity: Identity,
    *,
    uris: Sequence[str] = ("#Letter",),
    c14n: str = EXC_C14N,
    method: str = RSA_SHA256,
    digest: str = SHA256,
    transforms: Sequence[str] = (EXC_C14N,),
    key_value: bool = False,
) -> etree._Element:
    """Append a ds:Signature to ``parent`` made with any algorithms, as other implementations might.

    For tests only: it builds legacy-partner signatures (SHA-1, C14N with comments, bare RSA keys)
    and hostile ones (several references, references to other elements) that the gateway itself
    never produces. Every attribute named ID in the tree is registered as an XML ID.
    """
    signature = xmlsec.template.create(parent, xmlsec_transform(c14n), xmlsec_transform(method), ns="ds")
    parent.append(signature)
    for uri in uris:
        reference = xmlsec.template.add_reference(signature, xmlsec_transform(digest), uri=uri)
        for transform in transforms:
            xmlsec.template.add_transform(reference, xmlsec_transform(transform))
    key_info = xmlsec.template.ensure_key_info(signature)
    if not key_value:
        xmlsec.template.add_x509_data(key_info)
    xmlsec.tree.add_ids(parent.getroottree().getroot(), ["ID"])
    ctx = xmlsec.SignatureContext()
    ctx.key = identity.xmlsec_key()
    ctx.sign(signature)
    if key_value:
        _write_rsa_key_value(key_info, identity.key)
    return signature


def _write_rsa_key_value(key_info: etree._Element, key: PrivateKey) -> None:
    # KeyInfo is outside SignedInfo, so it may be written after signing; libxmlsec 1.3 leaves
    # KeyValue empty for a private key, so the RSAKeyValue is written here.
    if not isinstance(key, rsa.RSAPrivateKey):
        raise TypeError("a bare KeyValue is only made for RSA keys (the legacy profile)")
    numbers = key.public_key().public_numbers()
    value = etree.SubElement(etree.SubElement(key_info, f"{{{DS}}}KeyValue"), f"{{{DS}}}RSAKeyValue")
    for name, number in (("Modulus", numbers.n), ("Exponent", numbers.e)):
        raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
        etree.SubElement(value, f"{{{DS}}}{name}").text = base64.b64encode(raw).decode("ascii")


def naive_verify(data: bytes, certificate: x509.Certificate) -> bool:
    """Verify the first ds:Signature the way a naive python-xmlsec caller would (for attack tests).

    It registers every ID, checks the signature and nothing else; attack tests use it to show that
    an input really is a valid signature that only the gateway's structural checks refuse.
    """
    root = etree.fromstring(data)
    signature = next(el for el in root.iter(etree.Element) if el.tag == f"{{{DS}}}Signature")
    xmlsec.tree.add_ids(root, ["ID"])
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_memory(
        certificate.public_bytes(serialization.Encoding.DER), xmlsec.constants.KeyDataFormatCertDer
    )
    try:
        ctx.verify(signature)
    except xmlsec.Error:
        return False
    return True

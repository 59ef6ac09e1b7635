"""HTTPS between the client and a node that requires client certificates: the CA bundle and the client
certificate from the client's configuration; a wrong CA or a missing certificate is a permanent error."""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig

from ecms_gateway.errors import PermanentTransportError, TransportError
from tests.integration.ecms.conftest import ORG_A, NodeFactory
from tests.integration.ecms.nodes import free_port, node_url, write_directory

pytestmark = pytest.mark.anyio


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_ca: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca(folder: Path, name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    path = folder / f"{name}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, path


def _leaf(
    folder: Path, name: str, issuer: tuple[ec.EllipticCurvePrivateKey, x509.Certificate], *, server: bool
) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(issuer[1].subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()),  # type: ignore[arg-type]
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
    cert = builder.sign(issuer[0], hashes.SHA256())
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    folder = tmp_path / "pki"
    folder.mkdir()
    ca_key, ca_cert, ca_path = _ca(folder, "node-ca")
    server_cert, server_key = _leaf(folder, "node", (ca_key, ca_cert), server=True)
    client_cert, client_key = _leaf(folder, "gateway-a", (ca_key, ca_cert), server=False)
    _, _, other = _ca(folder, "other-ca")
    return Pki(ca_path, server_cert, server_key, client_cert, client_key, other)


async def test_the_client_talks_https_with_its_ca_bundle_and_client_certificate(
    tmp_path: Path, make_node: NodeFactory, pki: Pki
) -> None:
    port = free_port()
    url = node_url(port, "https")
    directory = write_directory(tmp_path / "directory.json", {ORG_A: url})
    tls = (
        "--tls-cert",
        str(pki.server_cert),
        "--tls-key",
        str(pki.server_key),
        "--tls-client-ca",
        str(pki.ca),
    )
    node = make_node("node", directory, port, *tls, scheme="https")
    ready = ssl.create_default_context(cafile=str(pki.ca))
    ready.load_cert_chain(str(pki.client_cert), str(pki.client_key))
    node.start(verify=ready)

    trusted = SoapClientConfig(
        url=url, ca_bundle=pki.ca, client_cert=pki.client_cert, client_key=pki.client_key
    )
    async with EcmsSoapClient(trusted) as client:
        assert len(await client.organizations()) == 3
        assert await client.poll() is None  # one node, one organisation: the plain URL works

    wrong_ca = SoapClientConfig(
        url=url, ca_bundle=pki.other_ca, client_cert=pki.client_cert, client_key=pki.client_key
    )
    async with EcmsSoapClient(wrong_ca) as client:
        with pytest.raises(PermanentTransportError, match="not trusted"):
            await client.time_check()

    # Without a client certificate the node refuses the connection. Under TLS 1.3 the client learns of
    # it only as a broken connection or, depending on timing, as the server's alert: either way no reply.
    async with EcmsSoapClient(SoapClientConfig(url=url, ca_bundle=pki.ca)) as client:
        with pytest.raises(TransportError, match=r"TLS handshake failed|connection broke"):
            await client.time_check()

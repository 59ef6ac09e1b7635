"""Keys, certificates and trust stores for the signing tests, made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.signing.testing import Identity, Pki, shared_pki
from ecms_gateway.signing.trust import TrustStore

DATA = Path(__file__).resolve().parents[2] / "data" / "signing"
SENDER = "2099000000"  # the sender of the hand-written fixtures
OTHER = "2099100000"


@pytest.fixture(scope="session")
def pki() -> Pki:
    return shared_pki()


@pytest.fixture(scope="session")
def ca_signer(pki: Pki) -> Identity:
    """A certificate for SENDER from the test CA (via the intermediate), naming SENDER in its subject."""
    return pki.issue(SENDER)


@pytest.fixture(scope="session")
def pinned_signer(pki: Pki) -> Identity:
    """A self-signed certificate for SENDER, as ``keys new`` makes, trusted by pinning."""
    return pki.self_signed(SENDER)


@pytest.fixture(scope="session")
def ca_trust(pki: Pki) -> TrustStore:
    return TrustStore(cas=(pki.root,))


@pytest.fixture(scope="session")
def pinned_trust(pinned_signer: Identity) -> TrustStore:
    return TrustStore(pinned={SENDER: (pinned_signer.certificate,)})


@pytest.fixture
def letter_xml() -> bytes:
    return (DATA / "letter.xml").read_bytes()


@pytest.fixture
def envelope_xml() -> bytes:
    return (DATA / "letter-in-envelope.xml").read_bytes()


@pytest.fixture
def notifier_xml() -> bytes:
    return (DATA / "notifier.xml").read_bytes()

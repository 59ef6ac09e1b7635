"""A running gateway follows its trust store folder: a partner's certificate pinned after start counts
within a few seconds, one removed stops counting (the verifier's cached decisions go with it), and a
folder that cannot be read while a file is being copied in keeps the last good store."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from ecms_gateway.errors import TrustError
from ecms_gateway.signing.signer import sign_document_bytes
from ecms_gateway.signing.testing import Identity
from ecms_gateway.signing.trust import RECHECK_S, TrustFolder
from ecms_gateway.signing.verifier import Verifier

from .conftest import SENDER


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_certificate_pinned_or_removed_while_running_counts_after_the_recheck(
    tmp_path: Path, pinned_signer: Identity, letter_xml: bytes
) -> None:
    (tmp_path / "ca").mkdir()
    orgs = tmp_path / "orgs" / SENDER
    orgs.mkdir(parents=True)
    clock = Clock()
    verifier = Verifier(TrustFolder(tmp_path, clock=clock))
    signed = sign_document_bytes(letter_xml, pinned_signer.signing_key())
    with pytest.raises(TrustError):
        verifier.verify_document(signed)

    pin = orgs / "partner.pem"
    pin.write_bytes(pinned_signer.certificate.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(TrustError):  # not yet looked at again
        verifier.verify_document(signed)
    clock.now += RECHECK_S
    assert verifier.verify_document(signed).org_id == SENDER

    pin.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    clock.now += RECHECK_S
    assert verifier.verify_document(signed).org_id == SENDER  # half-copied: the last good store stays

    pin.unlink()
    clock.now += RECHECK_S
    with pytest.raises(TrustError):  # the cached decision went with the pin
        verifier.verify_document(signed)


def test_the_log_counts_each_pinned_organisation_once(
    tmp_path: Path, pinned_signer: Identity, caplog: pytest.LogCaptureFixture
) -> None:
    """An organisation's pinned certificate was counted twice (once among the certificates, once among
    the bare public keys, where it had none): "2 pinned organisation(s)" for one."""
    (tmp_path / "ca").mkdir()
    orgs = tmp_path / "orgs" / SENDER
    orgs.mkdir(parents=True)
    pem = pinned_signer.certificate.public_bytes(serialization.Encoding.PEM)
    (orgs / "old.pem").write_bytes(pem)
    clock = Clock()
    folder = TrustFolder(tmp_path, clock=clock)
    (orgs / "new.pem").write_bytes(pem)  # a second certificate of the same organisation
    clock.now += RECHECK_S
    with caplog.at_level(logging.INFO, logger="ecms_gateway.signing.trust"):
        assert folder.current().pinned_orgs == {SENDER}
    assert "0 CA(s), 1 pinned organisation(s)" in caplog.text

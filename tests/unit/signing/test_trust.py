"""The trust store: folder layout, pins, CA chains, dates, key usage and the sending organisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from ecms_gateway.errors import ConfigError, TrustError
from ecms_gateway.signing.signer import sign_document_bytes
from ecms_gateway.signing.testing import Identity, Pki, write_trust_folder
from ecms_gateway.signing.trust import TrustMethod, TrustStore
from ecms_gateway.signing.verifier import Verifier

from .conftest import OTHER, SENDER


def _trust_error(
    store: TrustStore, ident: Identity, org: str = SENDER, now: datetime | None = None
) -> TrustError:
    with pytest.raises(TrustError) as caught:
        store.trust_certificates((ident.certificate, *ident.chain), org, now or datetime.now(UTC))
    assert caught.value.org_id == org
    return caught.value


def test_folder_layout_loads_cas_and_pins_per_organisation(
    pki: Pki, pinned_signer: Identity, tmp_path: Path
) -> None:
    folder = write_trust_folder(
        tmp_path / "trust", cas=[pki.root], pins={SENDER: [pinned_signer.certificate]}
    )
    store = TrustStore.from_folder(folder)
    assert store.cas == (pki.root,)
    assert store.pinned[SENDER] == (pinned_signer.certificate,)


def test_org_folder_not_named_by_an_organisation_id_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "orgs" / "teachers-council").mkdir(parents=True)
    with pytest.raises(ConfigError, match="10-digit organisation ID"):
        TrustStore.from_folder(tmp_path)


def test_missing_trust_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        TrustStore.from_folder(tmp_path / "nowhere")


def test_private_key_in_the_trust_folder_is_refused(ca_signer: Identity, tmp_path: Path) -> None:
    (tmp_path / "orgs" / SENDER).mkdir(parents=True)
    (tmp_path / "orgs" / SENDER / "oops.pem").write_bytes(ca_signer.key_pem)
    with pytest.raises(ConfigError, match="PRIVATE KEY"):
        TrustStore.from_folder(tmp_path)


def test_directory_entry_certificate_is_pinned_for_its_organisation(pinned_signer: Identity) -> None:
    pem = pinned_signer.certificate.public_bytes(serialization.Encoding.PEM)
    store = TrustStore().with_directory([(SENDER, pem)])
    signer = store.trust_certificates((pinned_signer.certificate,), SENDER, datetime.now(UTC))
    assert signer.method is TrustMethod.PINNED


def test_certificate_pinned_for_another_organisation_is_refused(pinned_signer: Identity) -> None:
    store = TrustStore(pinned={SENDER: (pinned_signer.certificate,)})
    error = _trust_error(store, pinned_signer, org=OTHER)
    assert error.check == "organisation"
    assert f"pinned for organisation {SENDER}" in str(error)


def test_ca_issued_certificate_naming_another_organisation_is_refused(pki: Pki, ca_trust: TrustStore) -> None:
    error = _trust_error(ca_trust, pki.issue(OTHER), org=SENDER)
    assert error.check == "organisation"
    assert f"organizationIdentifier={SENDER}" in error.action


def test_ca_issued_certificate_naming_no_organisation_is_refused(pki: Pki, ca_trust: TrustStore) -> None:
    error = _trust_error(ca_trust, pki.issue(SENDER, name_org=False))
    assert error.check == "organisation"
    assert "names no organisation" in str(error)


def test_certificate_from_an_unknown_ca_is_refused(ca_signer: Identity) -> None:
    error = _trust_error(TrustStore(cas=(Pki().root,)), ca_signer)
    assert error.check == "chain"


def test_certificate_without_its_intermediate_does_not_chain(
    ca_signer: Identity, ca_trust: TrustStore
) -> None:
    with pytest.raises(TrustError) as caught:
        ca_trust.trust_certificates((ca_signer.certificate,), SENDER, datetime.now(UTC))
    assert caught.value.check == "chain"


def test_expired_ca_issued_certificate_is_refused(pki: Pki, ca_trust: TrustStore) -> None:
    expired = pki.issue(SENDER, starts=timedelta(days=-400), days=365)
    error = _trust_error(ca_trust, expired)
    assert error.check == "validity"
    assert "expired on" in str(error)


def test_expired_pinned_certificate_is_refused(pki: Pki) -> None:
    old = pki.self_signed(SENDER, days=10, now=datetime.now(UTC) - timedelta(days=30))
    error = _trust_error(TrustStore(pinned={SENDER: (old.certificate,)}), old)
    assert error.check == "validity"


def test_not_yet_valid_certificate_is_refused(pki: Pki, ca_trust: TrustStore) -> None:
    error = _trust_error(ca_trust, pki.issue(SENDER, starts=timedelta(days=2)))
    assert error.check == "validity"
    assert "not valid before" in str(error)


def test_certificate_without_signing_key_usage_is_refused(pki: Pki, ca_trust: TrustStore) -> None:
    error = _trust_error(ca_trust, pki.issue(SENDER, signing_usage=False))
    assert error.check == "key-usage"


def test_cached_trust_is_withdrawn_once_the_certificate_expires(
    pki: Pki, ca_trust: TrustStore, letter_xml: bytes
) -> None:
    short = pki.issue(SENDER, days=3)
    signed = sign_document_bytes(letter_xml, short.signing_key())
    clock = [datetime.now(UTC)]
    verifier = Verifier(ca_trust, clock=lambda: clock[0])
    assert verifier.verify_document(signed).warnings, "expiring within 30 days must warn"
    clock[0] += timedelta(days=5)
    with pytest.raises(TrustError) as caught:
        verifier.verify_document(signed)
    assert caught.value.check == "validity"


def test_expiry_warnings_name_soon_expiring_trust_store_certificates(pki: Pki) -> None:
    soon = pki.self_signed(SENDER, days=20)
    store = TrustStore(cas=(pki.root,), pinned={SENDER: (soon.certificate,)})
    warnings = store.expiry_warnings(datetime.now(UTC))
    assert len(warnings) == 1
    assert "pinned (2099000000)" in warnings[0]

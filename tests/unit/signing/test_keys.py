"""Loading signing keys from PEM files: passphrases, key types, certificate checks, new trial keys."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ecms_gateway.errors import ConfigError
from ecms_gateway.signing.algorithms import ECDSA_SHA256, RSA_SHA256
from ecms_gateway.signing.certs import org_ids_of
from ecms_gateway.signing.keys import PASSPHRASE_ENV, KeyRef, load_key_pem, load_signing_key
from ecms_gateway.signing.newkeys import write_new_key
from ecms_gateway.signing.testing import Identity, Pki

from .conftest import OTHER, SENDER


def _encrypted(ident: Identity, folder: Path, passphrase: bytes) -> tuple[Path, Path]:
    key, cert = ident.write(folder)
    key.write_bytes(
        ident.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )
    )
    return key, cert


def test_encrypted_key_loads_with_the_passphrase_from_the_environment(
    ca_signer: Identity, tmp_path: Path
) -> None:
    key, cert = _encrypted(ca_signer, tmp_path, b"s3cret phrase")
    loaded = load_signing_key(
        KeyRef(org_id=SENDER, key=key, cert=cert), environ={PASSPHRASE_ENV: "s3cret phrase"}
    )
    assert loaded.signature_method == RSA_SHA256
    assert loaded.chain == ca_signer.chain


def test_encrypted_key_loads_with_the_passphrase_from_a_file(ca_signer: Identity, tmp_path: Path) -> None:
    key, cert = _encrypted(ca_signer, tmp_path, b"from a file")
    (tmp_path / "pass").write_bytes(b"from a file\n")
    ref = KeyRef(org_id=SENDER, key=key, cert=cert, passphrase_file=tmp_path / "pass")
    assert load_signing_key(ref, environ={}).certificate == ca_signer.certificate


def test_encrypted_key_without_a_passphrase_says_where_to_put_it(ca_signer: Identity, tmp_path: Path) -> None:
    key, cert = _encrypted(ca_signer, tmp_path, b"x")
    with pytest.raises(ConfigError, match=PASSPHRASE_ENV):
        load_signing_key(KeyRef(org_id=SENDER, key=key, cert=cert), environ={})


def test_encrypted_key_without_its_configured_variable_names_that_variable_and_its_key(
    ca_signer: Identity, tmp_path: Path
) -> None:
    """The configuration named the variable: the message names it, not the variable of ``sign``."""
    key, cert = _encrypted(ca_signer, tmp_path, b"x")
    ref = KeyRef(org_id=SENDER, key=key, cert=cert, passphrase_env="ECMS_KEY_PASSPHRASE_OURS")
    with pytest.raises(ConfigError) as raised:
        load_signing_key(ref, environ={PASSPHRASE_ENV: "x"})
    message = str(raised.value)
    assert f"the private key {key} is encrypted and no passphrase was given" in message
    assert (
        f"set the environment variable ECMS_KEY_PASSPHRASE_OURS (signing.keys.{SENDER}.passphrase_env)"
        in message
    )
    assert PASSPHRASE_ENV not in message


def test_encrypted_key_whose_section_names_no_passphrase_says_which_settings_give_one(
    ca_signer: Identity, tmp_path: Path
) -> None:
    """Without passphrase_env in the configuration no variable is read: the message sends the reader
    to the key's section, not to a variable that would not be read either."""
    key, cert = _encrypted(ca_signer, tmp_path, b"x")
    ref = KeyRef(org_id=SENDER, key=key, cert=cert, passphrase_env=None)
    with pytest.raises(ConfigError) as raised:
        load_signing_key(ref, environ={PASSPHRASE_ENV: "x"})
    message = str(raised.value)
    assert f"signing.keys.{SENDER}.passphrase_file" in message
    assert f"signing.keys.{SENDER}.passphrase_env" in message
    assert PASSPHRASE_ENV not in message


def test_wrong_passphrase_is_reported(ca_signer: Identity, tmp_path: Path) -> None:
    key, cert = _encrypted(ca_signer, tmp_path, b"right")
    with pytest.raises(ConfigError, match="passphrase is wrong"):
        load_signing_key(KeyRef(org_id=SENDER, key=key, cert=cert), environ={PASSPHRASE_ENV: "wrong"})


def test_certificate_of_another_key_is_refused(ca_signer: Identity, pinned_signer: Identity) -> None:
    with pytest.raises(ConfigError, match="does not belong to the private key"):
        load_key_pem(key=ca_signer.key_pem, cert=pinned_signer.cert_pem, passphrase=None)


def test_expired_signing_certificate_is_refused(pki: Pki) -> None:
    old = pki.issue(SENDER, starts=timedelta(days=-400), days=365)
    with pytest.raises(ConfigError, match="expired on"):
        old.signing_key()


def test_signing_certificate_expiring_within_30_days_gives_a_warning(pki: Pki) -> None:
    soon = pki.issue(SENDER, days=10)
    warnings = soon.signing_key().warnings
    assert len(warnings) == 1
    assert "days left" in warnings[0]


def test_short_rsa_key_is_refused(pki: Pki) -> None:
    weak = pki.issue(SENDER, key=rsa.generate_private_key(public_exponent=65537, key_size=1024))  # noqa: S505 - must be refused
    with pytest.raises(ConfigError, match="1024 bits"):
        weak.signing_key()


def test_ec_key_on_another_curve_is_refused(pki: Pki) -> None:
    p384 = pki.issue(SENDER, key=ec.generate_private_key(ec.SECP384R1()))
    with pytest.raises(ConfigError, match="P-256"):
        p384.signing_key()


def test_ec_p256_key_signs_with_ecdsa_sha256(pki: Pki) -> None:
    assert pki.issue(SENDER, key_type="ec256").signing_key().signature_method == ECDSA_SHA256


def test_certificate_without_signing_usage_cannot_sign(pki: Pki) -> None:
    with pytest.raises(ConfigError, match="does not allow signing"):
        pki.issue(SENDER, signing_usage=False).signing_key()


def test_key_configured_for_one_organisation_with_a_certificate_of_another_is_refused(pki: Pki) -> None:
    other = pki.issue(OTHER)
    with pytest.raises(ConfigError, match=f"not {SENDER}"):
        load_key_pem(key=other.key_pem, cert=other.cert_pem, passphrase=None, org_id=SENDER)


def test_new_trial_key_names_the_organisation_and_is_private_to_its_owner(tmp_path: Path) -> None:
    files = write_new_key(SENDER, tmp_path, passphrase=b"pw")
    assert org_ids_of(files.certificate) == {SENDER}
    assert stat.S_IMODE(files.key.stat().st_mode) == 0o600
    assert b"ENCRYPTED" in files.key.read_bytes()
    loaded = load_signing_key(
        KeyRef(org_id=SENDER, key=files.key, cert=files.cert), environ={PASSPHRASE_ENV: "pw"}
    )
    assert loaded.certificate.not_valid_after_utc > datetime.now(UTC) + timedelta(days=300)


def test_new_trial_key_never_overwrites_existing_files(tmp_path: Path) -> None:
    write_new_key(SENDER, tmp_path, key_type="ec256")
    with pytest.raises(ConfigError, match="already exists"):
        write_new_key(SENDER, tmp_path)

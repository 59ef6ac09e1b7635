"""The dashboard's signing certificates: the one the gateway signs with now (its key is loaded at
start), and whether the configured file has since been replaced (used only after a restart) or can no
longer be read; without a running signer, the file's certificate."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from ecms_adapters.web.certs import certificate_statuses

from ecms_gateway.signing import OutboundSigner
from ecms_gateway.signing.config import SigningConfig
from ecms_gateway.signing.keys import KeyRef
from ecms_gateway.signing.testing import shared_pki

ORG = "2099000000"


def _configured(folder: Path, days: int) -> tuple[SigningConfig, x509.Certificate]:
    identity = shared_pki().issue(ORG, days=days)
    key, cert = identity.write(folder)
    return SigningConfig(keys={ORG: KeyRef(org_id=ORG, key=key, cert=cert)}), identity.certificate


def test_the_certificate_in_use_is_listed_and_a_renewed_file_needs_a_restart(
    tmp_path: Path,
) -> None:
    config, first = _configured(tmp_path, days=100)
    signer = OutboundSigner(config)
    signer.key(ORG)  # loaded, as at the gateway's start
    read = certificate_statuses(config, signer)
    (status,) = read()
    assert status.not_after == first.not_valid_after_utc.date()
    assert status.file_not_after is None
    assert status.file_problem is None

    _, renewed = _configured(tmp_path, days=700)  # new files over the old ones, no restart
    (status,) = read()
    assert status.not_after == first.not_valid_after_utc.date()
    assert status.days_left < 100
    assert status.file_not_after == renewed.not_valid_after_utc.date()

    (tmp_path / f"{ORG}.cert.pem").unlink()
    (status,) = read()
    assert status.not_after == first.not_valid_after_utc.date()
    assert status.file_problem is not None
    assert f"{ORG}.cert.pem" in status.file_problem


def test_without_a_running_signer_the_files_certificate_is_listed(tmp_path: Path) -> None:
    config, first = _configured(tmp_path, days=100)
    (status,) = certificate_statuses(config)()
    assert status.not_after == first.not_valid_after_utc.date()
    assert status.file_not_after is None


def test_an_unreadable_file_with_no_key_loaded_is_said_to_leave_nothing_to_sign_with(tmp_path: Path) -> None:
    config, _ = _configured(tmp_path, days=100)
    (tmp_path / f"{ORG}.cert.pem").unlink()
    (status,) = certificate_statuses(config, OutboundSigner(config))()  # the key was never loaded
    assert status.none_in_use
    assert status.file_problem is not None
    assert f"{ORG}.cert.pem" in status.file_problem

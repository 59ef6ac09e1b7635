"""The ``keys new``, ``sign`` and ``verify`` commands, run through the real entry point."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from ecms_gateway.cli.main import main
from ecms_gateway.signing import algorithms as alg
from ecms_gateway.signing.keys import PASSPHRASE_ENV
from ecms_gateway.signing.testing import Pki, sign_custom, write_trust_folder
from ecms_gateway.xml.parser import parse_xml

from .conftest import DATA, SENDER


@pytest.fixture
def trial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A trial key made by ``keys new`` (encrypted) and a trust folder that pins its certificate."""
    monkeypatch.setenv(PASSPHRASE_ENV, "trial passphrase")
    assert main(["keys", "new", "--org", SENDER, "--out", str(tmp_path / "keys")]) == 0
    pins = tmp_path / "trust" / "orgs" / SENDER
    pins.mkdir(parents=True)
    shutil.copy(tmp_path / "keys" / f"{SENDER}.cert.pem", pins)
    return tmp_path


def _sign(folder: Path, source: Path, out: Path, *extra: str) -> int:
    keys = folder / "keys"
    return main(
        [
            "sign",
            str(source),
            "--key",
            str(keys / f"{SENDER}.key.pem"),
            "--cert",
            str(keys / f"{SENDER}.cert.pem"),
            "-o",
            str(out),
            *extra,
        ]
    )


@pytest.mark.parametrize("name", ["letter.xml", "letter-in-envelope.xml"])
def test_signed_file_verifies_with_exit_0(trial: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _sign(trial, DATA / name, trial / "signed.xml") == 0
    assert main(["verify", str(trial / "signed.xml"), "--trust", str(trial / "trust")]) == 0
    assert f"valid signature by CN=ecms-gateway trial key {SENDER}" in capsys.readouterr().out


def test_passphrase_file_is_used_when_the_environment_has_none(
    trial: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSPHRASE_ENV)
    (trial / "pass").write_text("trial passphrase\n")
    assert (
        _sign(trial, DATA / "letter.xml", trial / "signed.xml", "--passphrase-file", str(trial / "pass")) == 0
    )


def test_tampered_file_fails_verification_with_exit_1_and_the_reason(
    trial: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _sign(trial, DATA / "letter.xml", trial / "signed.xml")
    data = (trial / "signed.xml").read_bytes().replace(b"2026-11-20</ram:Corr", b"2026-11-21</ram:Corr", 1)
    (trial / "signed.xml").write_bytes(data)
    assert main(["verify", str(trial / "signed.xml"), "--trust", str(trial / "trust")]) == 1
    assert "signature check 'digest' failed for organisation 2099000000" in capsys.readouterr().err


def test_verify_without_a_trust_store_fails_and_says_the_signer_is_not_trusted(
    trial: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _sign(trial, DATA / "letter.xml", trial / "signed.xml")
    assert main(["verify", str(trial / "signed.xml")]) == 1
    assert "trust check 'chain' failed" in capsys.readouterr().err


def test_notifier_is_signed_and_verified_with_the_sending_organisation(trial: Path) -> None:
    assert _sign(trial, DATA / "notifier.xml", trial / "n.xml") == 0
    assert main(["verify", str(trial / "n.xml"), "--trust", str(trial / "trust"), "--org", SENDER]) == 0
    assert main(["verify", str(trial / "n.xml"), "--trust", str(trial / "trust")]) == 1


def test_legacy_flag_accepts_an_rsa_sha1_letter_that_the_default_refuses(
    trial: Path, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    partner = pki.self_signed(SENDER)
    root = parse_xml((DATA / "letter.xml").read_bytes())
    sign_custom(root[1], partner, method=alg.RSA_SHA1, digest=alg.SHA1)
    (trial / "legacy.xml").write_bytes(etree.tostring(root))
    trust = write_trust_folder(trial / "legacy-trust", pins={SENDER: [partner.certificate]})
    assert main(["verify", str(trial / "legacy.xml"), "--trust", str(trust)]) == 1
    assert "'algorithm'" in capsys.readouterr().err
    assert main(["verify", str(trial / "legacy.xml"), "--trust", str(trust), "--legacy"]) == 0


def test_certificate_expiring_soon_is_warned_about_on_stderr(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    soon = pki.issue(SENDER, days=12)
    key, cert = soon.write(tmp_path)
    assert (
        main(
            [
                "sign",
                str(DATA / "letter.xml"),
                "--key",
                str(key),
                "--cert",
                str(cert),
                "-o",
                str(tmp_path / "s.xml"),
            ]
        )
        == 0
    )
    trust = write_trust_folder(tmp_path / "trust", cas=[pki.root])
    assert main(["verify", str(tmp_path / "s.xml"), "--trust", str(trust)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: the") >= 2
    assert "days left" in err


def test_sign_does_not_overwrite_a_file_without_force(
    trial: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Like convert: an existing output is kept unless --force (signing in place is then deliberate)."""
    target = trial / "letter.xml"
    shutil.copy(DATA / "letter.xml", target)
    before = target.read_bytes()
    assert _sign(trial, target, target) == 1
    assert (
        f"would overwrite {target}; choose another output with -o or pass --force" in capsys.readouterr().err
    )
    assert target.read_bytes() == before
    assert _sign(trial, target, target, "--force") == 0
    assert main(["verify", str(target), "--trust", str(trial / "trust")]) == 0

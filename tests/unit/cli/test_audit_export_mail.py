"""``ecms-gateway audit export`` of a letter a person sent by mail and a clerk confirmed (a real SQLite
store, kept and confirmed as the mail processor and the clerk's page do): README.txt does not pass the
mail off as signed by the organisation the clerk named, nor give it e-CMS commands that cannot apply."""

from __future__ import annotations

from pathlib import Path

import pytest

import ecms_gateway
from ecms_gateway.engine import Store
from ecms_gateway.engine.mail_values import MailLetterFields
from ecms_gateway.mail.classifier import classify
from ecms_gateway.mail.directory import load_mail_directory
from ecms_gateway.mail.inbound import HumanLetter
from ecms_gateway.mail.message_ids import dedupe_key
from ecms_gateway.services.mail_letters import confirm_mail_letter, keep_mail_letter
from tests.unit.cli.support import run
from tests.unit.mail import corpus

US, PEO = "2099000000", "2099100000"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A person's mail (from a Gmail address), kept and confirmed by the clerk as a letter of PEO."""
    directory = load_mail_directory(Path(ecms_gateway.__file__).parent / "samples" / "directory.json")
    raw = corpus.gmail_letter()
    with Store(data_dir=tmp_path / "data") as store:
        inbox = store.accept_inbound(raw, channel="mail", process_id=dedupe_key(raw), actor="mail-reader").id
        found = classify(raw, directory=directory)
        assert isinstance(found, HumanLetter)
        kept = keep_mail_letter(
            store,
            inbox,
            found,
            raw,
            served=(US,),
            mailbox_org=US,
            directory=directory,
            actor="mail-processor",
        )
        confirm_mail_letter(
            store, kept.record.id, corrections=MailLetterFields(sender_org=PEO), served=(US,), actor="clerk:a"
        )
    return tmp_path / "data"


def test_a_mail_is_shown_by_its_from_header_and_checked_as_a_mail(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    code, _, stderr = run(capsys, "audit", "export", "1", "--out", str(out), "--data-dir", str(data))
    assert code == 0, stderr
    readme = (out / "README.txt").read_text(encoding="utf-8")
    [line] = [x for x in readme.splitlines() if "messages/01-received-mail" in x]
    assert f"its From header: Somchai <{corpus.STRANGER}>" in line
    assert f"from {PEO}" not in line
    assert "SOAP" not in readme  # nothing here came from an e-CMS node
    assert "xmlsec1 --verify" not in readme
    assert "cp PARTNER-CERT.pem" not in readme
    assert "3. อีเมล (.eml) / A mail (.eml)" in readme
    assert "Its From header is a claim, not a signature" in readme

"""``ecms-gateway mail pending | show | confirm | dismiss`` on a real store: a clerk lists the letters
people sent by mail, sees what is missing, confirms one (every missing field listed at once, with the
option that gives it), registers it, and dismisses another."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.cli import main as cli
from ecms_gateway.config import load_config
from ecms_gateway.engine import LetterState, Store
from ecms_gateway.mail.classifier import classify
from ecms_gateway.mail.inbound import HumanLetter, Quarantined
from ecms_gateway.mail.message_ids import dedupe_key
from ecms_gateway.services.mail_letters import keep_mail_letter, keep_unreadable_mail
from tests.unit.cli.support import run
from tests.unit.mail import corpus
from tests.unit.services.test_mail_letters import DIRECTORY, PEO, US


@pytest.fixture(autouse=True)
def only_our_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecms_gateway.cli.mail_cmds", "ecms_gateway.cli.clerk_cmds"))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "gateway.toml"
    path.write_text(f'[gateway]\ndata_dir = "data"\n[[organizations]]\nid = "{US}"\n', encoding="utf-8")
    return path


def _keep(config: Path, raw: bytes) -> int:
    with Store(data_dir=load_config(config).gateway.data_dir) as store:
        inbox = store.accept_inbound(raw, channel="mail", process_id=dedupe_key(raw), actor="test").id
        found = classify(raw, directory=DIRECTORY)
        assert isinstance(found, HumanLetter)
        kept = keep_mail_letter(
            store, inbox, found, raw, served=(US,), mailbox_org=US, directory=DIRECTORY, actor="test"
        )
        return kept.record.id


def test_a_clerk_lists_confirms_with_corrections_and_registers_a_letter_sent_by_mail(
    config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = _keep(config, corpus.gmail_letter())
    second = _keep(config, corpus.thunderbird_letter())
    code, out, _ = run(capsys, "mail", "pending", "--config", str(config))
    assert code == 0
    assert "somchai.peo@gmail.com" in out
    assert "ไม่พบ (missing): --sender" in out  # what the clerk must give
    assert corpus.SUBJECT in out

    code, out, _ = run(
        capsys, "mail", "show", str(first), "--config", str(config), "--save", str(tmp_path / "f")
    )
    assert code == 0
    assert "หน่วยงานผู้ส่ง" in out
    assert "ไม่อยู่ในสมุดรายชื่อหน่วยงาน" in out
    assert "5 มกราคม 2570" in out  # the date as a Thai clerk reads it
    assert "  what the mail says:\n    | เรียน สารบรรณ\n    | \n    | ส่งหนังสือราชการตามไฟล์แนบครับ\n" in out
    assert (tmp_path / "f" / "แจ้งกำหนดการอบรม.pdf").read_bytes() == corpus.PDF
    assert (tmp_path / "f" / f"mail-{first}.eml").read_bytes() == corpus.gmail_letter()  # the mail itself

    code, _, err = run(capsys, "mail", "confirm", str(first), "--speed", "fast", "--config", str(config))
    assert code == 1
    assert "--sender: หน่วยงานผู้ส่ง" in err
    assert "--speed: ชั้นความเร็ว 'fast'" in err  # both at once
    assert "Traceback" not in err

    code, out, _ = run(
        capsys,
        "mail",
        "confirm",
        str(first),
        "--sender",
        PEO,
        "--date",
        "๖/๑/๒๕๗๐",
        "--as",
        "somsri",
        "--config",
        str(config),
    )
    assert code == 0, out
    letter_id = int(out.split("confirmed as letter ")[1].split(",")[0])
    assert f"ecms-gateway register {letter_id}" in out
    code, out, _ = run(capsys, "register", str(letter_id), "--config", str(config))
    assert code == 0
    assert "receive number 1" in out
    with Store(data_dir=load_config(config).gateway.data_dir) as store:
        summary = store.show(letter_id).letter
        assert summary.state is LetterState.REGISTERED
        assert summary.letter_date.isoformat() == "2027-01-06"
        assert store.mail_letter(first).acted_by == "clerk:somsri"

    code, _, err = run(capsys, "mail", "confirm", str(first), "--config", str(config))
    assert code == 1
    assert f"ยืนยันแล้วเป็นหนังสือเลขที่ {letter_id}" in err

    code, out, _ = run(capsys, "mail", "dismiss", str(second), "--reason", "ส่งซ้ำ", "--config", str(config))
    assert code == 0
    code, out, _ = run(capsys, "mail", "pending", "--config", str(config))
    assert "no mail letters wait" in out


def test_a_date_that_is_not_one_and_an_unknown_id_are_one_clear_line(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _keep(config, corpus.gmail_letter())
    code, _, err = run(
        capsys, "mail", "confirm", str(record), "--date", "31/02/2569", "--config", str(config)
    )
    assert code == 1
    assert "ไม่มีวันนี้ในปฏิทิน" in err
    code, _, err = run(capsys, "mail", "show", "77", "--config", str(config))
    assert code == 1
    assert "mail pending" in err
    code, _, err = run(capsys, "mail", "dismiss", str(record), "--config", str(config))
    assert code == 2  # --reason is required


def test_registering_a_registered_letter_again_says_it_was_and_queues_nothing(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mail = _keep(config, corpus.gmail_letter())
    code, out, _ = run(capsys, "mail", "confirm", str(mail), "--sender", PEO, "--config", str(config))
    assert code == 0, out
    letter_id = int(out.split("confirmed as letter ")[1].split(",")[0])
    code, out, _ = run(capsys, "register", str(letter_id), "--config", str(config))
    assert code == 0
    assert out.startswith(f"letter {letter_id} registered: receive number 1; AcceptLetterNotifier queued\n")
    with Store(data_dir=load_config(config).gateway.data_dir) as store:
        work_before = len(store.show(letter_id).attempts), store.queue()
    code, out, err = run(capsys, "register", str(letter_id), "--config", str(config))
    assert (code, err) == (0, "")
    assert out == f"letter {letter_id} was already registered: receive number 1; nothing new queued\n"
    with Store(data_dir=load_config(config).gateway.data_dir) as store:
        assert (len(store.show(letter_id).attempts), store.queue()) == work_before


def test_a_command_the_letters_state_refuses_names_the_commands_that_apply_now(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`withdraw` of a received letter, `reject` of a registered one: said in the commands' words (not
    the engine's "allowed there: none"), with the commands that apply to the letter now."""
    record = _keep(config, corpus.gmail_letter())
    code, out, _ = run(capsys, "mail", "confirm", str(record), "--sender", PEO, "--config", str(config))
    assert code == 0, out
    letter_id = int(out.split("letter ", 1)[1].split()[0])

    code, _, err = run(capsys, "withdraw", str(letter_id), "--config", str(config))
    assert code != 0
    assert f"letter {letter_id} cannot be withdrawn: it is a letter we received, now received" in err
    assert f"`ecms-gateway register {letter_id}`" in err
    assert f"`ecms-gateway reject {letter_id} --reason TEXT`" in err
    assert "allowed there" not in err

    assert run(capsys, "register", str(letter_id), "--config", str(config))[0] == 0
    code, _, err = run(capsys, "reject", str(letter_id), "--reason", "late", "--config", str(config))
    assert code != 0
    assert f"letter {letter_id} cannot be rejected: it is a letter we received, now registered" in err
    assert "no clerk's command applies to it now" in err, err


def test_a_mail_that_is_no_letter_is_listed_with_why_and_confirming_it_says_to_dismiss_it(
    config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    raw = corpus.BROKEN_BASE64_PDF
    with Store(data_dir=load_config(config).gateway.data_dir) as store:
        inbox = store.accept_inbound(raw, channel="mail", process_id=dedupe_key(raw), actor="test").id
        found = classify(raw, directory=DIRECTORY)
        assert isinstance(found, Quarantined)
        record = keep_unreadable_mail(store, inbox, found, actor="test").record.id
    code, out, _ = run(capsys, "mail", "pending", "--config", str(config))
    assert code == 0
    assert "รับเป็นหนังสือไม่ได้ (not a letter; read it, then dismiss it): ไฟล์แนบ a.pdf เสียระหว่างทาง" in out
    code, out, _ = run(
        capsys, "mail", "show", str(record), "--config", str(config), "--save", str(tmp_path / "m")
    )
    assert code == 0
    assert "ไฟล์แนบ a.pdf เสียระหว่างทาง" in out
    assert "สำหรับผู้ดูแลระบบ: the attached file 'a.pdf' is not valid Base64" in out
    assert f"ecms-gateway mail dismiss {record}" in out
    assert "หน่วยงานผู้ส่ง" not in out  # no field table for a mail that is no letter
    assert (tmp_path / "m" / f"mail-{record}.eml").read_bytes() == raw
    code, _, err = run(capsys, "mail", "confirm", str(record), "--config", str(config))
    assert code == 1
    assert "รับเป็นหนังสือไม่ได้" in err
    assert "Traceback" not in err

"""Mail the gateway cannot take in as a letter (no file, a broken file or e-CMS XML, too large, no
sender, a reply to no letter of ours) is kept in the clerk's mail-letter queue with why in Thai: it
shows in the waiting list, cannot be confirmed, and is dismissed once dealt with. It used to be only a
line in the operator's log while the mailbox flagged it read."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.engine.mail_values import UNREADABLE, MailLetterState
from ecms_gateway.mail import classify
from ecms_gateway.mail.inbound import Quarantined
from ecms_gateway.services import mail_letters
from tests.unit.mail import corpus
from tests.unit.mail.test_person_reply import reply

from .support import A, Agency, agencies
from .test_mail_channel import PostOffice, _inbound, _stored

CASES = [
    pytest.param(corpus.plain_question(), "ไม่มีไฟล์หนังสือแนบมา", id="no-file"),
    pytest.param(corpus.BROKEN_BASE64_PDF, "ไฟล์แนบ a.pdf เสียระหว่างทาง", id="broken-file"),
    pytest.param(
        corpus.with_xml_attachment("ecms-letter.xml", b"<not-ecms/>"),
        "ไฟล์ ecms-letter.xml ที่แนบมาไม่ใช่ข้อความ e-CMS ที่ถูกต้อง",
        id="bad-ecms-xml",
    ),
    pytest.param(corpus.NO_FROM, "ไม่มีที่อยู่ผู้ส่งที่ใช้ได้", id="no-sender"),
    pytest.param(corpus.GARBAGE, "ไม่ใช่อีเมลที่อ่านได้", id="not-mail"),
    pytest.param(
        reply("ได้รับแล้ว", in_reply_to=f"<letter.{'0' * 32}@saraban.example.go.th>"),
        "ตอบกลับอีเมลที่ไม่ใช่หนังสือที่ระบบนี้ส่งไป",
        id="reply-to-no-letter-of-ours",
    ),
]


def _agency(tmp_path: Path) -> Agency:
    return agencies(tmp_path)[A]


@pytest.mark.parametrize(("raw", "why"), CASES)
def test_mail_that_is_no_letter_waits_for_a_clerk_with_why_in_thai(
    tmp_path: Path, raw: bytes, why: str
) -> None:
    a = _agency(tmp_path)
    inbound = _inbound(a, PostOffice())
    inbox_id = _stored(a, raw)

    note, queued = inbound.process(inbox_id, raw, "mail-processor")
    assert note.startswith("quarantined mail from ")
    assert not queued
    [waiting] = mail_letters.pending_mail_letters(a.store)
    assert f"kept for a clerk as mail letter {waiting.id}" in note
    assert waiting.inbox_id == inbox_id
    assert waiting.state is MailLetterState.PENDING
    assert waiting.unreadable is not None
    assert why in waiting.unreadable
    assert waiting.files == ()
    assert any(n.startswith("สำหรับผู้ดูแลระบบ: ") for n in waiting.notes)  # the technical reason
    assert mail_letters.count_waiting(a.store) == 1

    again, _ = inbound.process(inbox_id, raw, "mail-processor")  # a crash before the work completed
    assert f"mail letter {waiting.id}" in again
    assert len(mail_letters.pending_mail_letters(a.store)) == 1


def test_an_unreadable_mail_cannot_be_confirmed_and_is_dismissed_saying_what_was_done(tmp_path: Path) -> None:
    a = _agency(tmp_path)
    raw = corpus.plain_question()
    _inbound(a, PostOffice()).process(_stored(a, raw), raw, "mail-processor")
    [waiting] = mail_letters.pending_mail_letters(a.store)

    with pytest.raises(mail_letters.UnreadableMail) as refused:
        mail_letters.confirm_mail_letter(a.store, waiting.id, served=[A], actor="clerk")
    assert "ไม่มีไฟล์หนังสือแนบมา" in str(refused.value)
    assert "dismiss it once dealt with" in str(refused.value)
    assert a.store.mail_letter(waiting.id).state is MailLetterState.PENDING

    done = mail_letters.dismiss_mail_letter(
        a.store, waiting.id, reason="โทรแจ้งผู้ส่งให้ส่งใหม่พร้อมไฟล์ PDF แล้ว", actor="clerk"
    )
    assert done.state is MailLetterState.DISMISSED
    assert done.reason == "โทรแจ้งผู้ส่งให้ส่งใหม่พร้อมไฟล์ PDF แล้ว"
    assert mail_letters.pending_mail_letters(a.store) == []
    assert a.store.verify_audit().ok


def test_a_person_s_letter_is_not_marked_unreadable(tmp_path: Path) -> None:
    a = _agency(tmp_path)
    raw = corpus.thunderbird_letter()
    _inbound(a, PostOffice()).process(_stored(a, raw), raw, "mail-processor")
    [waiting] = mail_letters.pending_mail_letters(a.store)
    assert waiting.unreadable is None
    assert waiting.files
    assert all(m.field != UNREADABLE for m in waiting.not_found)


def test_a_mail_too_large_to_read_still_names_its_sender_from_the_header_block() -> None:
    raw = corpus.thunderbird_letter()
    found = classify(raw, max_bytes=len(raw) - 1)
    assert isinstance(found, Quarantined)
    assert found.info.from_address is not None
    assert found.info.from_address == classify(raw).info.from_address
    assert found.info.subject == classify(raw).info.subject
    assert "เกินขนาดที่ระบบรับได้" in found.thai
    assert "mail.max_message_bytes" in found.reason

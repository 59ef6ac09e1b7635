"""A person answers our mailed letter with words only: the reply is noted on that letter (who, when,
their words, a receive number they give) and the letter's state stays as it was; a reply naming no
letter of ours is quarantined as before."""

from __future__ import annotations

from pathlib import Path

from ecms_gateway.engine import Direction, LetterState
from ecms_gateway.engine.mail_replies import MAIL_REPLY, replies_in
from tests.unit.mail.test_person_reply import GMAIL_TH, reply

from .support import A, agencies
from .test_mail_channel import PostOffice, _inbound, _state, _stored, mailed_letter


def test_a_text_reply_to_our_mailed_letter_is_noted_on_it_and_changes_nothing_else(tmp_path: Path) -> None:
    given = mailed_letter(tmp_path)
    a, letter_id, mailed, inbound = given.agency, given.letter_id, given.mail, given.inbound
    raw = reply(GMAIL_TH, in_reply_to=mailed.message_id)
    inbox_id = _stored(a, raw)

    note, queued = inbound.process(inbox_id, raw, "mail-processor")
    assert f"noted on letter {letter_id}, giving receive number 1234" in note
    assert not queued
    assert _state(a, Direction.OUT) is LetterState.SENT  # a person's words are not a notifier
    [(entry, said)] = replies_in(a.store.show(letter_id).history)
    assert entry.action == MAIL_REPLY
    assert said.who == "สมหญิง รักงาน <saraban@sample-peo.example.go.th>"
    assert said.text == "ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234\n\nสมหญิง"
    assert said.receive_no == "1234"
    assert said.inbox_id == inbox_id
    assert said.mail_date is not None
    assert said.mail_date.isoformat() == "2026-11-23T09:15:00+07:00"
    assert a.store.show(letter_id).letter.accept_id is None

    again, _ = inbound.process(inbox_id, raw, "mail-processor")  # a crash before the work was completed
    assert "noted before" in again
    assert len(replies_in(a.store.show(letter_id).history)) == 1
    assert a.store.verify_audit().ok


def test_a_text_reply_naming_no_letter_of_ours_stays_quarantined(tmp_path: Path) -> None:
    a = agencies(tmp_path)[A]
    inbound = _inbound(a, PostOffice())
    unknown = "<letter.00000000000000000000000000000000@saraban.example.go.th>"
    raw = reply("ได้รับแล้ว", in_reply_to=unknown)
    note, _ = inbound.process(_stored(a, raw), raw, "mail-processor")
    assert note.startswith("quarantined mail from saraban@sample-peo.example.go.th: a reply without a file")
    assert unknown in note

"""A person's words in answer to a letter we mailed appear in that letter's timeline (who, when, what
they wrote, a receive number they gave, shown as theirs) and in ``ecms-gateway show``; the letter stays
"ส่งแล้ว"."""

from __future__ import annotations

from datetime import UTC, datetime

from ecms_gateway.cli.store_cmds import render_detail
from ecms_gateway.engine import LetterState
from ecms_gateway.engine.evidence import letter_records
from ecms_gateway.engine.mail_replies import MailReply
from tests.integration.web.live import LiveWeb
from tests.integration.web.test_web_mail_clerk_day import _mailed, _text

WORDS = "ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234\n<b>สมหญิง</b>"


def _answered(live: LiveWeb) -> int:
    letter_id = _mailed(live, ok=True)
    reply = MailReply(
        inbox_id=7,
        message_id="<r-1@mail.peo.example.go.th>",
        from_address="saraban@sample-peo.example.go.th",
        from_name="สมหญิง รักงาน",
        mail_date=datetime(2026, 11, 23, 2, 15, tzinfo=UTC),
        subject="Re: ขอเชิญประชุม",
        text=WORDS,
        receive_no="1234",
    )
    assert live.store.record_mail_reply(letter_id, reply, actor="mail-processor")
    return letter_id


def test_a_persons_reply_by_mail_is_in_the_letters_timeline_with_their_words(live: LiveWeb) -> None:
    letter_id = _answered(live)
    assert live.store.show(letter_id).letter.state is LetterState.SENT
    html = live.logged_in("clerk").get(f"/letters/{letter_id}").text
    timeline = _text(html[html.index('id="timeline"') :].split("</ol>")[0])
    assert "ผู้รับตอบกลับทางอีเมล (สมหญิง รักงาน <saraban@sample-peo.example.go.th>)" in timeline
    assert "ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234" in timeline
    assert "ในข้อความแจ้งเลขรับ 1234" in timeline
    assert "&lt;b&gt;สมหญิง&lt;/b&gt;" in html  # their words are text, never markup
    assert "<b>สมหญิง</b>" not in html
    assert "ส่งแล้ว" in _text(html)


def test_show_prints_the_reply_with_its_words(live: LiveWeb) -> None:
    letter_id = _answered(live)
    shown = render_detail(live.store.show(letter_id), letter_records(live.store.db, letter_id))
    assert "replies by mail (a person's words; they change nothing):" in shown
    assert "2026-11-23 02:15:00Z  สมหญิง รักงาน <saraban@sample-peo.example.go.th>  (inbox item 7)" in shown
    assert "receive number they give: 1234" in shown
    assert "    | ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234" in shown
    assert "mail.reply" in shown  # the audit entry in the history table

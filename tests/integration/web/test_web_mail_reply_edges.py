"""A person's reply on the letter's timeline tells the clerk what is missing from it: words cut at the
length the page keeps say so and where the whole mail is, and a reply with only the quoted letter says
there are no words of theirs instead of showing an empty answer."""

from __future__ import annotations

from datetime import UTC, datetime

from ecms_gateway.engine.mail_replies import MailReply
from ecms_gateway.mail.reply import MAX_REPLY_CHARS, own_words
from tests.integration.web.live import LiveWeb
from tests.integration.web.test_web_mail_clerk_day import _mailed, _text


def _timeline_with(live: LiveWeb, text: str) -> str:
    letter_id = _mailed(live, ok=True)
    reply = MailReply(
        inbox_id=9,
        message_id="<r-9@mail.peo.example.go.th>",
        from_address="saraban@sample-peo.example.go.th",
        from_name=None,
        mail_date=datetime(2026, 11, 23, 2, 15, tzinfo=UTC),
        subject="Re: ขอเชิญประชุม",
        text=text,
        receive_no=None,
    )
    assert live.store.record_mail_reply(letter_id, reply, actor="mail-processor")
    page = live.logged_in("clerk").get(f"/letters/{letter_id}").text
    return _text(page[page.index('id="timeline"') :].split("</ol>")[0])


def test_a_reply_cut_to_the_length_kept_says_so_and_where_the_whole_mail_is(live: LiveWeb) -> None:
    words = own_words("ได้รับหนังสือแล้ว " * 300)
    assert len(words) == MAX_REPLY_CHARS
    timeline = _timeline_with(live, words)
    assert "ข้อความยาว แสดงเฉพาะ 2,000 ตัวอักษรแรก อ่านข้อความเต็มได้ในกล่องอีเมลสารบรรณ" in timeline


def test_a_short_reply_is_not_said_to_be_cut(live: LiveWeb) -> None:
    timeline = _timeline_with(live, "รับทราบ…")
    assert "ข้อความยาว" not in timeline
    assert "ไม่มีข้อความของผู้ตอบ" not in timeline


def test_a_reply_with_only_the_quoted_letter_says_there_are_no_words_of_theirs(live: LiveWeb) -> None:
    words = own_words("> เรียน ผู้อำนวยการ\n> ที่ ศธ 0990/1 ลงวันที่ 20 พฤศจิกายน 2569\n")
    assert words == ""
    timeline = _timeline_with(live, words)
    assert "ไม่มีข้อความของผู้ตอบ มีแต่ข้อความเดิมที่อ้างถึง อ่านอีเมลฉบับเต็มได้ในกล่องอีเมลสารบรรณ" in timeline

"""A reply's subject names the letter being answered: its book number and date are not this letter's."""

from __future__ import annotations

from datetime import date

from ecms_gateway.mail.extract import extract_fields

ANSWERED = "Re: ที่ ศธ 0990/501 เรื่อง ขอความร่วมมือตรวจสุขภาพครู ลงวันที่ 21 พ.ย. 2569"


def test_a_replys_own_header_in_the_body_wins_over_the_answered_letters_in_the_subject() -> None:
    body = "ตามหนังสือที่อ้างถึง\n\nที่ สธ 0201/555\nลงวันที่ 22 พฤศจิกายน 2569\nเรื่อง ตอบรับการตรวจสุขภาพครู\n"
    result = extract_fields([ANSWERED], [body])
    assert result.book_no == "สธ 0201/555"
    assert result.subject == "ตอบรับการตรวจสุขภาพครู"
    assert result.letter_date == date(2026, 11, 22)


def test_a_reply_without_its_own_book_number_leaves_it_for_the_clerk_and_says_why() -> None:
    for prefix in ("Re:", "RE:", "ตอบกลับ:", "AW:"):
        result = extract_fields([ANSWERED.replace("Re:", prefix)], ["ยินดีให้ความร่วมมือ ตามไฟล์แนบ"])
        assert result.book_no is None, prefix
        assert result.letter_date is None
        assert {m.field for m in result.not_found} == {"book_no", "letter_date"}
        assert any("ศธ 0990/501" in note and "ฉบับก่อน" in note for note in result.notes)
        assert result.subject == "ขอความร่วมมือตรวจสุขภาพครู"  # only as a fallback, said so
        assert any("หัวเรื่องอีเมลที่ตอบกลับ" in note for note in result.notes)


def test_a_forwarded_letters_subject_is_still_the_letters() -> None:
    result = extract_fields(["Fwd: ที่ ศธ 0990/501 เรื่อง ขอเชิญประชุม"], ["ส่งต่อครับ"])
    assert result.book_no == "ศธ 0990/501"
    assert result.subject == "ขอเชิญประชุม"

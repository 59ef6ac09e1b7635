"""The letter's header read from what people write, and what is said when it cannot be found."""

from __future__ import annotations

from datetime import date

import pytest

from ecms_gateway.mail.extract import clean_subject, extract_fields


@pytest.mark.parametrize(
    ("subject", "book"),
    [
        ("ที่ ศธ 0206/1234 เรื่อง ขอเชิญประชุม", "ศธ 0206/1234"),
        ("ที่ ศธ ๐๒๐๖/๑๒๓๔ เรื่อง ขอเชิญประชุม", "ศธ ๐๒๐๖/๑๒๓๔"),
        ("[ด่วนที่สุด] ที่ มท 0808.2/ว 1234 เรื่อง แจ้งเวียน", "มท 0808.2/ว 1234"),
        ("Fwd: RE: ที่ศธ04002/ว123 เรื่อง อบรม", "ศธ04002/ว123"),
        ("นร 0105/ว 987 แจ้งมติคณะรัฐมนตรี", "นร 0105/ว 987"),
        ("ที่ ศธ. 0206 / 1234", "ศธ. 0206/1234"),
    ],
)
def test_book_numbers_in_thai_or_arabic_digits_with_circular_and_sub_unit_forms(
    subject: str, book: str
) -> None:
    assert extract_fields([subject], []).book_no == book


def test_numbers_inside_thai_words_are_not_mistaken_for_a_book_number() -> None:
    result = extract_fields(["ขอส่งเอกสารจำนวน 3/4 ชุด"], ["ตามที่แจ้งจำนวน 12/2569 รายการ"])
    assert result.book_no is None
    assert [m.field for m in result.not_found] == ["book_no", "letter_date"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ลงวันที่ 20 พฤศจิกายน 2569", date(2026, 11, 20)),
        ("ลงวันที่ ๒๐ พ.ย. ๒๕๖๙", date(2026, 11, 20)),
        ("ลงวันที่ 20 พ.ย. 69", date(2026, 11, 20)),
        ("ลงวันที่: 20/11/2569", date(2026, 11, 20)),
        ("ลงวันที่ 20/11/2026", date(2026, 11, 20)),
        ("ที่ ศธ 0206/1\n\n        20 พฤศจิกายน พ.ศ. 2569\n", date(2026, 11, 20)),
    ],
)
def test_letter_dates_in_the_buddhist_era_thai_or_arabic_digits_and_numeric_forms(
    text: str, expected: date
) -> None:
    assert extract_fields([], [text]).letter_date == expected


@pytest.mark.parametrize("text", ["ลงวันที่ 5/1/2642", "ลงวันที่ 1/1/2443", "ลงวันที่ 1/1/1850"])
def test_a_numeric_date_with_a_year_that_is_a_typo_is_left_for_the_clerk(text: str) -> None:
    """2642 read as the Buddhist Era is 2099, 2443 is 1900: the clerk's forms refuse both, so the
    extractor does not guess them either (the same rule, ``letter_year``)."""
    result = extract_fields([], [text])
    assert result.letter_date is None
    assert "letter_date" in [m.field for m in result.not_found]


def test_a_meeting_date_inside_a_sentence_is_not_taken_for_the_letters_date() -> None:
    assert extract_fields([], ["ขอเชิญประชุมในวันที่ 27 พฤศจิกายน 2569 เวลา 09.00 น."]).letter_date is None


def test_subject_after_rueang_ends_before_the_next_header_word() -> None:
    result = extract_fields(["ที่ ศธ 0206/1 เรื่อง ขอเชิญประชุม ลงวันที่ 20 พ.ย. 2569"], [])
    assert result.subject == "ขอเชิญประชุม"
    assert result.letter_date == date(2026, 11, 20)


def test_without_rueang_the_mail_subject_is_used_and_the_clerk_is_told() -> None:
    result = extract_fields(["Fwd: ที่ ศธ 0206/1 ขอเชิญประชุม"], ["สวัสดีครับ"])
    assert result.subject == "ขอเชิญประชุม"
    assert any("ใช้หัวเรื่องของอีเมล" in note for note in result.notes)


def test_nothing_found_is_said_field_by_field_in_thai() -> None:
    result = extract_fields(["hello"], ["see attachment"])
    assert result.book_no is None
    assert result.letter_date is None
    assert result.subject == "hello"
    [book, day] = result.not_found
    assert book.field == "book_no"
    assert "ไม่พบเลขที่หนังสือ" in book.message
    assert day.field == "letter_date"
    assert "ไม่พบวันที่ของหนังสือ" in day.message


def test_reply_and_forward_prefixes_and_marks_are_removed_from_subjects() -> None:
    assert clean_subject("Re: FW: ตอบกลับ: [ด่วน] ที่ ศธ 1/2") == "ที่ ศธ 1/2"

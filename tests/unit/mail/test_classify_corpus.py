"""Mail as real programs write it, classified: people's letters, forwards, bounces, auto-replies, garbage."""

from __future__ import annotations

from datetime import date

import pytest

from ecms_gateway.mail.classifier import classify
from ecms_gateway.mail.directory import MailDirectory
from ecms_gateway.mail.inbound import AutoReply, Bounce, Classified, HumanLetter, MailClass, Quarantined
from tests.unit.mail import corpus


def _human(raw: bytes, directory: MailDirectory) -> HumanLetter:
    result = classify(raw, directory=directory)
    assert isinstance(result, HumanLetter), getattr(result, "reason", result)
    return result


def test_thunderbird_letter_gives_book_number_date_subject_sender_and_the_pdf(
    directory: MailDirectory,
) -> None:
    letter = _human(corpus.thunderbird_letter(), directory)
    assert letter.book_no == corpus.BOOK_THAI  # kept as written: Thai digits
    assert letter.letter_date == date(2026, 11, 19)
    assert letter.subject == corpus.SUBJECT
    assert (letter.sender_org, letter.sender_name) == ("2099100000", "สำนักงานศึกษาธิการจังหวัดตัวอย่าง")
    assert letter.main.name == corpus.PDF_NAME  # RFC 2231 continuations joined
    assert letter.main.content == corpus.PDF
    assert letter.not_found == ()
    assert letter.info.message_id == "<8c1f2e7a-4b1d-4c55-9a0e-0f4f0b6d2c11@sample-peo.example.go.th>"


@pytest.mark.parametrize("charset", ["windows-874", "tis-620"])
def test_outlook_letter_in_windows_874_or_tis_620_decodes_thai_and_curly_quotes(
    directory: MailDirectory, charset: str
) -> None:
    letter = _human(corpus.outlook_letter(charset), directory)
    assert letter.info.subject == "ที่ สธ 0201/ว 789 เรื่อง “การประชุมเชิงปฏิบัติการ”"
    assert letter.book_no == "สธ 0201/ว 789"
    assert letter.letter_date == date(2026, 12, 2)  # "2 ธ.ค. 2569"
    assert letter.subject == "“การประชุมเชิงปฏิบัติการ” ด้านสุขภาพครู"  # the body has it whole
    assert letter.sender_org == "2199000000"  # the address in capitals still matches the directory
    assert letter.main.name == "ด่วนที่สุด หนังสือเชิญประชุม.pdf"  # RFC 2047 inside the quoted name
    assert letter.main.content == corpus.PDF_2
    assert letter.attachments == ()  # the inline logo is not a letter file
    assert "จึงเรียนมาเพื่อโปรดทราบ" in letter.body_text


def test_gmail_letter_from_a_person_names_the_unknown_sender_plainly(directory: MailDirectory) -> None:
    letter = _human(corpus.gmail_letter(), directory)
    assert letter.book_no == "ศธ 04002/ว1234"
    assert letter.letter_date == date(2027, 1, 5)
    assert letter.subject == "แจ้งกำหนดการอบรมครู"
    assert letter.main.mime == "application/pdf"  # sent as octet-stream, recognised by its content
    assert letter.main.name == "แจ้งกำหนดการอบรม.pdf"
    assert letter.sender_org is None
    [missing] = letter.not_found
    assert missing.field == "sender"
    assert "somchai.peo@gmail.com ไม่อยู่ในสมุดรายชื่อหน่วยงาน" in missing.message


def test_letter_forwarded_as_an_attached_message_is_read_from_inside_it(directory: MailDirectory) -> None:
    letter = _human(corpus.forwarded_as_attachment(), directory)
    assert letter.forwarded
    assert letter.book_no == corpus.BOOK_THAI
    assert letter.subject == corpus.SUBJECT
    assert letter.sender_org == "2099100000"  # the original sender, not the person who forwarded it
    assert letter.main.content == corpus.PDF
    assert any("ส่งต่อ" in note for note in letter.notes)


def test_letter_forwarded_inline_takes_the_quoted_header_and_the_standalone_date_line(
    directory: MailDirectory,
) -> None:
    letter = _human(corpus.forwarded_inline(), directory)
    assert letter.forwarded
    assert letter.book_no == corpus.BOOK_THAI
    assert letter.letter_date == date(2026, 11, 19)
    assert letter.sender_org == "2099100000"  # from the quoted "From:" line


def test_dsn_bounce_names_our_original_message_and_the_servers_reason(directory: MailDirectory) -> None:
    result = classify(corpus.dsn_bounce(), directory=directory)
    assert isinstance(result, Bounce)
    assert result.original_message_id == corpus.OUR_MESSAGE_ID
    assert result.permanent
    assert "550 5.1.1" in result.reason
    assert "User unknown" in result.reason
    [recipient] = result.recipients
    assert (recipient.address, recipient.action, recipient.status) == (
        "saraban@sample-peo.example.go.th",
        "failed",
        "5.1.1",
    )


def test_a_delayed_notice_is_a_bounce_that_is_not_permanent(directory: MailDirectory) -> None:
    result = classify(corpus.dsn_bounce(action="delayed"), directory=directory)
    assert isinstance(result, Bounce)
    assert not result.permanent
    assert "4.4.1" in result.reason


@pytest.mark.parametrize(
    ("raw", "signal"),
    [
        (corpus.outlook_auto_reply(), "Auto-Submitted: auto-generated"),
        (corpus.thai_vacation_reply(), "X-Autoreply header"),
    ],
)
def test_automatic_replies_are_recorded_not_registered(
    directory: MailDirectory, raw: bytes, signal: str
) -> None:
    result = classify(raw, directory=directory)
    assert isinstance(result, AutoReply)
    assert result.signal == signal


def test_an_auto_reply_says_which_of_our_messages_it_answers(directory: MailDirectory) -> None:
    result = classify(corpus.outlook_auto_reply(), directory=directory)
    assert isinstance(result, AutoReply)
    assert result.replied_to == corpus.OUR_MESSAGE_ID
    assert result.info.subject == "Automatic reply: ที่ ศธ 0990/1234 เรื่อง ขอเชิญประชุม"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (corpus.GARBAGE, "not an e-mail message"),
        (corpus.NO_FROM, "no usable sender address"),
        (corpus.plain_question(), "no file is attached"),
        (corpus.BROKEN_BASE64_PDF, "'a.pdf' is not valid Base64"),
    ],
)
def test_malformed_or_unusable_mail_is_quarantined_with_the_raw_bytes_and_a_reason(
    directory: MailDirectory, raw: bytes, reason: str
) -> None:
    result = classify(raw, directory=directory)
    assert isinstance(result, Quarantined)
    assert reason in result.reason
    assert result.raw == raw


def test_a_message_above_the_size_limit_is_quarantined_unread() -> None:
    result = classify(corpus.thunderbird_letter(), max_bytes=1000)
    assert isinstance(result, Quarantined)
    assert "above the limit of 1000" in result.reason


def test_every_class_has_a_distinct_name_and_classify_never_raises(directory: MailDirectory) -> None:
    samples = [
        corpus.thunderbird_letter(),
        corpus.dsn_bounce(),
        corpus.outlook_auto_reply(),
        corpus.GARBAGE,
        b"",
        b"\r\n\r\n",
        b"From: a@b\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n",
    ]
    results: list[Classified] = [classify(raw, directory=directory) for raw in samples]
    assert {r.cls for r in results} == {
        MailClass.HUMAN_LETTER,
        MailClass.BOUNCE,
        MailClass.AUTO_REPLY,
        MailClass.QUARANTINED,
    }
    assert len(set(MailClass)) == 7  # the six, and a person's text reply to a letter mail

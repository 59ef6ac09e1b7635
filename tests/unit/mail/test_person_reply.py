"""A person's text-only answer to a letter we mailed is a reply (not quarantined): which letter mails it
names, their own words without the quoted history, and a receive number they give."""

from __future__ import annotations

import pytest

from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.mail import PersonReply, Quarantined, classify
from ecms_gateway.mail.charsets import html_to_text
from ecms_gateway.mail.reply import MAX_REPLY_CHARS, own_words, receive_number
from ecms_gateway.mail.wording import Names, letter_body
from tests.unit.mail import corpus
from tests.unit.mail.corpus import PEO, US, word

OURS = "<letter.0123456789abcdef0123456789abcdef@saraban.example.go.th>"
OLDER = "<letter.fedcba9876543210fedcba9876543210@saraban.example.go.th>"


def reply(body: str, *, in_reply_to: str | None = OURS, references: str = "", extra: str = "") -> bytes:
    heads = f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else ""
    heads += f"References: {references}\r\n" if references else ""
    return (
        f"From: {word('สมหญิง รักงาน')} <{PEO}>\r\nTo: {US}\r\n"
        f"Subject: {word('Re: [ด่วนที่สุด] ที่ ศธ 0990/1 เรื่อง ขอเชิญประชุม')}\r\n"
        f"Date: Mon, 23 Nov 2026 09:15:00 +0700\r\nMessage-ID: <r-1@mail.peo.example.go.th>\r\n{heads}{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode("ascii") + corpus.b64(body.encode()).encode("ascii")


GMAIL_TH = (
    "ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234\n\nสมหญิง\n\n"
    "เมื่อ จ. 23 พ.ย. 2569 เวลา 08:00 สารบรรณ <sample-council@saraban.example.go.th> เขียนว่า:\n"
    "> เรียน ผู้อำนวยการ\n> ที่ ศธ 0990/1 ลงวันที่ 20 พฤศจิกายน 2569\n> เลขรับ 999\n"
)


def test_a_text_reply_naming_a_letter_mail_is_a_reply_with_the_persons_own_words() -> None:
    found = classify(reply(GMAIL_TH))
    assert isinstance(found, PersonReply)
    assert found.answered == (OURS,)
    assert found.text == "ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234\n\nสมหญิง"
    assert found.receive_no == "1234"  # from their words, not from the quoted letter
    assert found.info.from_name == "สมหญิง รักงาน"


def test_references_count_when_in_reply_to_is_missing_newest_first() -> None:
    found = classify(reply("รับทราบ", in_reply_to=None, references=f"{OLDER} <x@elsewhere> {OURS}"))
    assert isinstance(found, PersonReply)
    assert found.answered == (OURS, OLDER)
    assert found.receive_no is None


@pytest.mark.parametrize(
    "raw",
    [
        reply("ขอสอบถาม", in_reply_to="<q-9@mail.gmail.com>"),  # answers something that is not a letter mail
        corpus.plain_question(),  # answers nothing
    ],
)
def test_text_without_a_file_that_names_no_letter_mail_stays_quarantined(raw: bytes) -> None:
    found = classify(raw)
    assert isinstance(found, Quarantined)
    assert "no file is attached" in found.reason


def test_an_automatic_reply_to_a_letter_stays_an_automatic_reply() -> None:
    found = classify(reply("ไม่อยู่ที่สำนักงาน", extra="Auto-Submitted: auto-replied\r\n"))
    assert found.cls.value == "auto-reply"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Received, thanks\n\nOn Mon, 23 Nov 2026 at 08:00, Saraban <s@x> wrote:\n> quoted",
            "Received, thanks",
        ),
        (
            "รับแล้ว\n\n-----Original Message-----\nFrom: สารบรรณ\nSent: Monday\nเรื่อง ...",
            "รับแล้ว",
        ),
        (
            "รับแล้วครับ\n________________________________\nจาก: สารบรรณ\nส่ง: 23 พ.ย.\nถึง: เรา",
            "รับแล้วครับ",
        ),
        ("รับแล้ว\nFrom: Saraban <s@x>\nSent: Monday\nTo: us", "รับแล้ว"),
        ("> quoted first\n> more\n\nanswer below the quote", "answer below the quote"),
        ("On Mon Saraban wrote:\n> quoted\nanswer below", "answer below"),  # nothing above: keep the rest
        ("From: this line is the person's own words", "From: this line is the person's own words"),
    ],
)
def test_own_words_cut_only_what_a_mail_program_marks_as_quoted(text: str, expected: str) -> None:
    assert own_words(text) == expected


def test_own_words_are_bounded() -> None:
    words = own_words("ก" * (MAX_REPLY_CHARS * 3))
    assert len(words) == MAX_REPLY_CHARS
    assert words.endswith("…")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("ได้รับหนังสือแล้วค่ะ ลงรับเลขที่ 1234", "1234"),
        ("เลขรับ ๔๕", "45"),
        ("ลงทะเบียนรับแล้ว เลขทะเบียนรับ: 77/2569", "77/2569"),
        ("เลขรับที่ 8", "8"),
        ("ขอบคุณค่ะ จะตอบกลับภายหลัง", None),
        ("ที่ ศธ 0990/1 ลงวันที่ 20", None),
    ],
)
def test_a_receive_number_in_their_words_is_found(text: str, number: str | None) -> None:
    assert receive_number(text) == number


def test_an_attribution_wrapped_over_two_lines_goes_whole() -> None:
    """Gmail's plain text wraps a long "เมื่อ ... เขียนว่า:" line: its first half stayed in their words."""
    thai = "รับทราบ\n\nเมื่อ จ. 23 พ.ย. 2569 เวลา 08:00 สารบรรณ <\nsample-council@example.go.th> เขียนว่า:\n> เรียน"
    english = "Noted, thanks\nOn Mon, 23 Nov 2026 at 08:00, Saraban <\nsaraban@example.go.th> wrote:\n> Dear"
    assert own_words(thai) == "รับทราบ"
    assert own_words(english) == "Noted, thanks"
    # Their own last line starting with "on" is kept when the attribution is on one line.
    assert own_words("on time, received\nOn Mon, 23 Nov 2026 Saraban <s@example.go.th> wrote:\n> Dear") == (
        "on time, received"
    )


def test_an_html_reply_with_the_quote_right_after_the_attribution_keeps_only_their_words() -> None:
    """A webmail may write "... wrote:" and open its <blockquote> on the same line: the quote (and a
    receive number in it) was read as the person's words."""
    markup = (
        "<div>รับทราบค่ะ</div><div>On Mon, 23 Nov 2026 Saraban &lt;s@example.go.th&gt; wrote:"
        "<blockquote>เลขรับ 999 เรียน ผู้อำนวยการ</blockquote></div>"
    )
    words = own_words(html_to_text(markup))
    assert words == "รับทราบค่ะ"
    assert receive_number(words) is None


def _our_letter_text(package: LetterPackage) -> str:
    """The gateway's own letter mail text (as `MailComposer` writes it), its note naming a receive
    number of an earlier letter: what a careless quote would hand to `receive_number`."""
    letter = package.letter.model_copy(update={"description": "ตามที่ท่านแจ้งเลขรับ 17 ไว้เมื่อวันก่อน"})
    return letter_body(letter, package.files, Names(sender="สำนักงานเลขาธิการคุรุสภา", receiver="สพป."))


def test_our_letter_mail_pasted_below_without_marks_is_not_their_words(package: LetterPackage) -> None:
    ours = _our_letter_text(package)
    assert "เลขรับ 17" in ours
    found = classify(reply("รับทราบค่ะ จะลงรับให้ภายในวันนี้\n\nสมหญิง\n\n" + ours))
    assert isinstance(found, PersonReply)
    assert found.text == "รับทราบค่ะ จะลงรับให้ภายในวันนี้\n\nสมหญิง"
    assert found.receive_no is None  # the 17 was in our own letter, not in their answer


def test_an_answer_written_below_our_unmarked_letter_mail_is_kept_and_its_number_found(
    package: LetterPackage,
) -> None:
    ours = _our_letter_text(package)
    found = classify(reply(ours + "\nลงรับแล้ว เลขรับ 45 ค่ะ"))
    assert isinstance(found, PersonReply)
    assert found.text == "ลงรับแล้ว เลขรับ 45 ค่ะ"
    assert found.receive_no == "45"


def test_our_letter_mail_with_its_footer_wrapped_or_cut_off_still_goes(package: LetterPackage) -> None:
    ours = _our_letter_text(package).rstrip("\n")
    wrapped = ours.replace(" หากท่านได้รับโดยไม่ได้ตั้งใจ", "\nหากท่านได้รับโดยไม่ได้ตั้งใจ")
    assert wrapped != ours
    assert own_words("ได้รับแล้ว\n" + wrapped + "\nขอบคุณค่ะ") == "ได้รับแล้ว\nขอบคุณค่ะ"
    cut = ours.split("ไฟล์แนบ:")[0]  # pasted only the top of it: it runs to the end
    assert own_words("ได้รับแล้ว\n" + cut) == "ได้รับแล้ว"

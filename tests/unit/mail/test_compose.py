"""Outgoing mail: what a clerk reads, what a receiving gateway ingests, and stable identities."""

from __future__ import annotations

import email
from datetime import date, timedelta
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default

import pytest

from ecms_gateway.codec.messages import Notifier, NotifierKind
from ecms_gateway.errors import ConfigError, PolicyRefused
from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.letter.model import LetterPackage
from ecms_gateway.mail.directory import MailDirectory
from ecms_gateway.mail.mime import encoded_words, rfc2231_param
from ecms_gateway.mail.outbound import MailComposer, notifier_document_xml
from ecms_gateway.mail.parse import parse_mail
from ecms_gateway.mail.settings import MailPartner, MailSettings
from ecms_gateway.mail.wording import letter_subject
from tests.unit.mail.conftest import NOW


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for part in message.walk():
        name, data = part.get_filename(), part.get_payload(decode=True)
        if name is not None and isinstance(data, bytes):
            files[name] = data
    return files


def _text(message: EmailMessage) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert isinstance(part, EmailMessage)
    return str(part.get_content())


def test_letter_mail_goes_to_the_receivers_central_address_from_the_directory(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> None:
    mail = MailComposer(settings, directory).letter(package, signed_xml, now=NOW)
    assert mail.recipients == ("saraban@sample-peo.example.go.th",)
    assert mail.envelope_from == "sample-council@saraban.example.go.th"
    parsed = parse_mail(mail.data)  # (the stdlib's address parser keeps spaces between encoded words)
    assert parsed.to == ("saraban@sample-peo.example.go.th",)
    assert (parsed.from_name, parsed.from_address) == (
        "สำนักงานตัวอย่างสภาวิชาชีพครู",
        "sample-council@saraban.example.go.th",
    )
    to_header = str(email.message_from_bytes(mail.data)["To"])  # raw, as every client reads it
    assert (
        str(make_header(decode_header(to_header.split(" <", maxsplit=1)[0]))) == "สำนักงานศึกษาธิการจังหวัดตัวอย่าง"
    )


def test_subject_shows_the_speed_mark_only_when_the_letter_is_not_normal(package: LetterPackage) -> None:
    letter = package.letter
    assert letter_subject(letter) == f"[ด่วน] ที่ {letter.book_no} เรื่อง {letter.subject}"
    normal = letter.model_copy(update={"speed": Speed.NORMAL})
    assert letter_subject(normal) == f"ที่ {letter.book_no} เรื่อง {letter.subject}"
    most = letter.model_copy(update={"speed": Speed.MOST_URGENT})
    assert letter_subject(most).startswith("[ด่วนที่สุด] ที่ ")


def test_subject_is_rfc2047_encoded_in_words_under_76_characters_and_decodes_back(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> None:
    mail = MailComposer(settings, directory).letter(package, signed_xml, now=NOW)
    head = mail.data.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 7-bit: ASCII decodes it all
    assert all(len(line) <= 78 for line in head.split("\r\n"))
    assert _parse(mail.data)["Subject"] == letter_subject(package.letter)


def test_body_carries_the_letters_header_in_thai_with_the_buddhist_era_date(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> None:
    text = _text(_parse(MailComposer(settings, directory).letter(package, signed_xml, now=NOW).data))
    assert "ที่: ศธ 0990/1234" in text
    assert "ลงวันที่: 20 พฤศจิกายน 2569" in text
    assert f"เรื่อง: {package.letter.subject}" in text
    assert "เรียน: ศึกษาธิการจังหวัดตัวอย่าง" in text
    assert "อ้างถึง: หนังสือที่ ศธ 0991/0456 ลงวันที่ 2 ตุลาคม 2569 เรื่อง แนวทาง" in text
    assert "สิ่งที่ส่งมาด้วย: ระเบียบวาระการประชุม จำนวน 1 ฉบับ" in text
    assert "ชั้นความเร็ว: ด่วน" in text
    assert "1. letter-001.pdf (ตัวหนังสือ" in text
    assert "2. letter-001-agenda.pdf (สิ่งที่ส่งมาด้วย" in text
    assert "3. ecms-letter.xml" in text


def test_files_travel_under_their_real_names_byte_identical_with_the_signed_xml(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> None:
    files = _attachments(_parse(MailComposer(settings, directory).letter(package, signed_xml, now=NOW).data))
    assert files == {
        "letter-001.pdf": package.main.content,
        "letter-001-agenda.pdf": package.attachments[0].content,
        "ecms-letter.xml": signed_xml,
    }


def test_thai_file_names_use_rfc2231_with_continuations_that_mail_programs_decode() -> None:
    name = "หนังสือเชิญประชุมคณะทำงาน ครั้งที่ ๑/๒๕๖๙ (ฉบับสมบูรณ์).pdf"
    param = rfc2231_param("filename", name)
    assert "filename*0*=utf-8''" in param
    assert all(len(line) < 80 for line in param.split("\r\n"))
    raw = f"Content-Type: application/pdf\r\nContent-Disposition: attachment{param}\r\n\r\n".encode("ascii")
    assert _parse(raw).get_filename() == name


def test_encoded_words_never_split_a_thai_character() -> None:
    text = "ก" * 100 + "ำ" + "๑" * 40
    words = encoded_words(text)
    assert all(len(w) <= 75 for w in words)
    assert str(_parse(("Subject: " + " ".join(words) + "\r\n\r\n").encode())["Subject"]) == text


def test_message_id_is_stable_across_resends_and_digit_forms(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> None:
    composer = MailComposer(settings, directory)
    first = composer.letter(package, signed_xml, now=NOW)
    later = composer.letter(package, signed_xml, now=NOW + timedelta(hours=3))
    thai_digits = package.letter.model_copy(update={"book_no": "ศธ ๐๙๙๐/๑๒๓๔"})
    resent = composer.letter(
        LetterPackage(letter=thai_digits, main=package.main, attachments=package.attachments),
        signed_xml,
        now=NOW,
    )
    assert first.message_id == later.message_id == resent.message_id
    assert first.message_id.startswith("<letter.")
    assert first.message_id.endswith("@saraban.example.go.th>")
    other = package.letter.model_copy(update={"date": date(2026, 11, 21)})
    changed = composer.letter(
        LetterPackage(letter=other, main=package.main, attachments=package.attachments), signed_xml, now=NOW
    )
    assert changed.message_id != first.message_id


def test_the_whole_message_is_7bit_with_crlf_line_ends(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> None:
    data = MailComposer(settings, directory).letter(package, signed_xml, now=NOW).data
    assert data.isascii()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998


def test_top_secret_letters_never_leave_by_mail(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> None:
    secret = package.letter.model_copy(update={"secrecy": Secrecy.TOP_SECRET})
    with pytest.raises(PolicyRefused, match="top secret"):
        MailComposer(settings, directory).letter(
            LetterPackage(letter=secret, main=package.main, attachments=package.attachments),
            signed_xml,
            now=NOW,
        )


def test_a_receiver_without_an_address_is_a_configuration_error_naming_it(
    settings: MailSettings, package: LetterPackage, signed_xml: bytes
) -> None:
    empty = MailDirectory([])
    with pytest.raises(ConfigError, match="2099100000 is not in the directory"):
        MailComposer(settings, empty).letter(package, signed_xml, now=NOW)


def test_a_partner_that_wants_smime_without_a_key_is_refused_not_sent_unsigned(
    settings: MailSettings, directory: MailDirectory, package: LetterPackage, signed_xml: bytes
) -> None:
    wants = MailSettings(
        org_id=settings.org_id,
        address=settings.address,
        smtp=settings.smtp,
        partners={"2099100000": MailPartner(smime=True)},
    )
    with pytest.raises(ConfigError, match="S/MIME"):
        MailComposer(wants, directory).letter(package, signed_xml, now=NOW)


def _notifier(kind: NotifierKind, **extra: str) -> Notifier:
    return Notifier(
        kind=kind,
        letter_id="ศธ 0990/1234",
        correspondence_date=date(2026, 11, 20),
        subject="ขอเชิญประชุม",
        **extra,  # type: ignore[arg-type]
    )


def test_notifier_goes_back_as_a_reply_with_a_thai_sentence_and_the_xml(
    settings: MailSettings, directory: MailDirectory
) -> None:
    notifier = _notifier(NotifierKind.ACCEPT, accept_id="45", accept_date="2026-11-21")
    xml = notifier_document_xml(notifier)
    original = "<letter.abc@sample-peo.example.go.th>"
    mail = MailComposer(settings, directory).notifier(
        notifier, xml, to_org="2099100000", in_reply_to=original, references=["<older@x>"], now=NOW
    )
    parsed = _parse(mail.data)
    assert parsed["In-Reply-To"] == original
    assert parsed["References"].split() == ["<older@x>", original]
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["Subject"] == "ลงทะเบียนรับแล้ว (เลขรับ 45): ที่ ศธ 0990/1234 เรื่อง ขอเชิญประชุม"
    assert "ลงทะเบียนรับหนังสือที่ ศธ 0990/1234 ลงวันที่ 20 พฤศจิกายน 2569" in _text(parsed)
    assert "เลขทะเบียนรับ 45" in _text(parsed)
    assert _attachments(parsed) == {"ecms-notifier.xml": xml}
    assert mail.recipients == ("saraban@sample-peo.example.go.th",)


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (NotifierKind.RECEIVE, "ได้รับหนังสือที่ ศธ 0990/1234"),
        (NotifierKind.REJECT, "ไม่รับหนังสือที่ ศธ 0990/1234"),
        (NotifierKind.INVALID, "ไม่ถูกต้องหรือส่งผิดหน่วยงาน"),
    ],
)
def test_each_notifier_kind_has_its_own_thai_sentence(
    settings: MailSettings, directory: MailDirectory, kind: NotifierKind, words: str
) -> None:
    notifier = (
        _notifier(kind, description="ส่งผิดหน่วยงาน") if kind is not NotifierKind.RECEIVE else _notifier(kind)
    )
    mail = MailComposer(settings, directory).notifier(
        notifier, notifier_document_xml(notifier), to_org="2099100000", in_reply_to=None, now=NOW
    )
    assert words in _text(_parse(mail.data))
    assert "In-Reply-To" not in _parse(mail.data)

"""Classify a received message: letter, notifier, person's letter or reply, bounce, automatic reply or
quarantine.

The order matters: a bounce returns our own message (with its ecms-letter.xml) inside it, so bounces
are recognised first; our notifier mails are automatic replies by RFC 3834, so the e-CMS attachments
are looked for before the automatic-reply signs. XML is read with the one hardened parser and checked
against the schemas; its signature is checked later, by the caller, on ``document_xml`` itself.
"""

from __future__ import annotations

from typing import Final

from ecms_gateway.codec.messages import LetterDocument, Notifier, OutboundRequest
from ecms_gateway.codec.recognize import read_message
from ecms_gateway.errors import InputError
from ecms_gateway.mail.bounce import read_bounce
from ecms_gateway.mail.directory import MailDirectory
from ecms_gateway.mail.human import auto_reply_signal, letter_files, read_human_letter
from ecms_gateway.mail.inbound import (
    AutoReply,
    Bounce,
    Classified,
    HumanLetter,
    LetterMail,
    LetterSummary,
    MailInfo,
    NotifierMail,
    PersonReply,
    Quarantined,
)
from ecms_gateway.mail.message_ids import dedupe_key
from ecms_gateway.mail.parse import Attachment, ParsedMail, parse_mail
from ecms_gateway.mail.reply import answered_letters, own_words, receive_number
from ecms_gateway.mail.settings import DEFAULT_MAX_MESSAGE_BYTES
from ecms_gateway.mail.wording import LETTER_XML_NAME, NOTIFIER_XML_NAME
from ecms_gateway.xml.parser import XmlLimits

_ECMS_NAMES: Final = frozenset({LETTER_XML_NAME, NOTIFIER_XML_NAME})


def classify(
    raw: bytes,
    *,
    directory: MailDirectory | None = None,
    limits: XmlLimits | None = None,
    max_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
) -> Classified:
    """What ``raw`` is, with everything its handler needs; never raises for bad input (it quarantines)."""
    if len(raw) > max_bytes:
        info = _head_info(raw, directory)
        reason = f"the message is {len(raw)} bytes, above the limit of {max_bytes} (mail.max_message_bytes)"
        thai = (
            f"อีเมลนี้มีขนาด {_mb(len(raw))} เกินขนาดที่ระบบรับได้ ({_mb(max_bytes)}) ระบบจึงไม่ได้เปิดอ่าน "
            "ดาวน์โหลดอีเมลไปเปิดด้วยโปรแกรมอีเมล หรือแจ้งผู้ดูแลระบบ (ค่า mail.max_message_bytes)"
        )
        return Quarantined(info=info, reason=reason, thai=thai, raw=raw)
    mail = parse_mail(raw)
    info = _info(mail, raw, directory)
    problem = _unreadable(mail)
    if problem is not None:
        return Quarantined(info=info, reason=problem[0], thai=problem[1], raw=raw)
    bounce = read_bounce(mail)
    if bounce is not None:
        return Bounce(
            info=info,
            original_message_id=bounce.original_message_id,
            recipients=bounce.recipients,
            reason=bounce.reason,
            permanent=bounce.permanent,
        )
    ecms = [a for a in mail.attachments if (a.name or "").strip().lower() in _ECMS_NAMES]
    if ecms:
        return _ecms(ecms, info, raw, limits)
    signal = auto_reply_signal(mail)
    if signal is not None:
        return AutoReply(info=info, signal=signal, replied_to=mail.in_reply_to)
    return _human(mail, info, raw, directory)


def _info(mail: ParsedMail, raw: bytes, directory: MailDirectory | None) -> MailInfo:
    contact = directory.by_address(mail.from_address) if directory and mail.from_address else None
    return MailInfo(
        message_id=mail.message_id,
        from_address=mail.from_address,
        from_name=mail.from_name,
        subject=mail.subject,
        date=mail.date,
        in_reply_to=mail.in_reply_to,
        references=mail.references,
        sender_org=contact.org_id if contact else None,
        dedupe_key=dedupe_key(raw, mail.message_id),
    )


def _head_info(raw: bytes, directory: MailDirectory | None) -> MailInfo:
    """Who sent a message too large to read, from its header block alone."""
    end = raw.find(b"\r\n\r\n", 0, _HEAD_MAX)
    end = raw.find(b"\n\n", 0, _HEAD_MAX) if end < 0 else end
    head = parse_mail(raw[: end if end >= 0 else 0] + b"\r\n\r\n")
    return _info(head, raw, directory)


_HEAD_MAX: Final = 256 * 1024


def _mb(size: int) -> str:
    return f"{size / 1_048_576:,.1f} MB"


def _unreadable(mail: ParsedMail) -> tuple[str, str] | None:
    """Why the message is not a usable e-mail: for the log, and in Thai for the clerk."""
    if not mail.headers:
        return (
            "not an e-mail message: no header fields (it does not start with 'Name: value' lines)",
            "ข้อมูลที่ได้รับไม่ใช่อีเมลที่อ่านได้ (ไม่มีส่วนหัวอีเมล) ดาวน์โหลดไปให้ผู้ดูแลระบบตรวจ",
        )
    if "MissingHeaderBodySeparatorDefect" in mail.defects and len(mail.headers) < 2:
        return (
            "not an e-mail message: the header block is broken",
            "ส่วนหัวของอีเมลนี้เสีย ระบบอ่านไม่ได้ ดาวน์โหลดไปให้ผู้ดูแลระบบตรวจ",
        )
    if mail.from_address is None or "@" not in mail.from_address:
        return (
            "the message has no usable sender address (From); it cannot be answered or attributed",
            "อีเมลนี้ไม่มีที่อยู่ผู้ส่งที่ใช้ได้ จึงตอบกลับหรือระบุผู้ส่งไม่ได้",
        )
    return None


def _ecms(files: list[Attachment], info: MailInfo, raw: bytes, limits: XmlLimits | None) -> Classified:
    if len(files) > 1:
        names = ", ".join(a.name or "?" for a in files)
        reason = (
            f"the message carries {len(files)} e-CMS XML files ({names}); "
            "a message carries one letter or one notifier"
        )
        thai = (
            f"อีเมลนี้แนบไฟล์ e-CMS มา {len(files)} ไฟล์ ({names}) แต่อีเมลหนึ่งฉบับนำส่งหนังสือหรือการแจ้งตอบได้"
            "เพียงหนึ่งรายการ ขอให้ผู้ส่งส่งแยกฉบับ"
        )
        return Quarantined(info=info, reason=reason, thai=thai, raw=raw)
    part = files[0]
    name = (part.name or "").strip().lower()
    if part.problem is not None:
        return Quarantined(info=info, reason=f"{name} {part.problem}", thai=_bad_ecms(name), raw=raw)
    try:
        message = read_message(part.content, limits=limits, source=name).message
    except InputError as exc:
        reason = f"{name} is not a valid e-CMS message: {exc}"
        return Quarantined(info=info, reason=reason, thai=_bad_ecms(name), raw=raw)
    if isinstance(message, OutboundRequest):
        message = message.item
    if name == LETTER_XML_NAME and isinstance(message, LetterDocument):
        return _letter(message, part.content, info)
    if name == NOTIFIER_XML_NAME and isinstance(message, Notifier):
        return NotifierMail(info=info, notifier_xml=part.content, unverified=message)
    expected = "a GovernmentDocument" if name == LETTER_XML_NAME else "a notifier"
    found = type(message).__name__
    reason = f"{name} holds {found}, not {expected}"
    return Quarantined(info=info, reason=reason, thai=_bad_ecms(name), raw=raw)


def _bad_ecms(name: str) -> str:
    return (
        f"ไฟล์ {name} ที่แนบมาไม่ใช่ข้อความ e-CMS ที่ถูกต้อง ระบบจึงรับเข้าไม่ได้ แจ้งผู้ส่งให้ส่งใหม่ "
        "หรือดาวน์โหลดอีเมลไปให้ผู้ดูแลระบบตรวจ (รายละเอียดอยู่ในบันทึกของระบบ)"
    )


def _letter(document: LetterDocument, xml: bytes, info: MailInfo) -> LetterMail:
    decoded = document.decode()
    letter = decoded.package.letter
    notes: list[str] = []
    if info.sender_org is not None and info.sender_org != letter.sender.org_id:
        notes.append(
            f"the letter names sender {letter.sender.org_id} but came from the address of "
            f"{info.sender_org} ({info.from_address}); the signature decides who sent it"
        )
    summary = LetterSummary(
        book_no=letter.book_no,
        letter_date=letter.date,
        subject=letter.subject,
        sender_org=letter.sender.org_id,
        receiver_org=letter.receiver.org_id,
        signed=decoded.is_signed,
    )
    return LetterMail(info=info, document_xml=xml, unverified=summary, notes=tuple(notes))


def _human(mail: ParsedMail, info: MailInfo, raw: bytes, directory: MailDirectory | None) -> Classified:
    files, forwarded = letter_files(mail)
    answered = answered_letters(mail)
    if not files and answered:
        words = own_words(mail.text)
        return PersonReply(info=info, answered=answered, text=words, receive_no=receive_number(words))
    if not files:
        reason = (
            "no file is attached and no e-CMS XML: an official letter comes as a PDF (or as the "
            "gateway's ecms-letter.xml); kept for a clerk to read"
        )
        thai = (
            "อีเมลนี้ไม่มีไฟล์หนังสือแนบมา (หนังสือราชการทางอีเมลต้องแนบเป็นไฟล์ PDF) อ่านข้อความในอีเมล "
            "หากเป็นหนังสือ ขอให้ผู้ส่งส่งใหม่พร้อมไฟล์"
        )
        return Quarantined(info=info, reason=reason, thai=thai, raw=raw)
    broken = next((a for a in files if a.problem is not None), None)
    if broken is not None:
        reason = f"the attached file {broken.name!r} {broken.problem}"
        thai = f"ไฟล์แนบ {broken.name} เสียระหว่างทาง (เข้ารหัสไม่ถูกต้อง) เปิดไม่ได้ ขอให้ผู้ส่งส่งใหม่"
        return Quarantined(info=info, reason=reason, thai=thai, raw=raw)
    fields = read_human_letter(mail, files, forwarded, directory)
    contact = fields.contact
    return HumanLetter(
        info=info,
        book_no=fields.book_no,
        subject=fields.subject,
        letter_date=fields.letter_date,
        sender_org=contact.org_id if contact else None,
        sender_name=contact.th_name if contact else None,
        main=fields.main,
        attachments=fields.attachments,
        body_text=mail.text,
        forwarded=fields.forwarded,
        not_found=fields.not_found,
        notes=fields.notes,
    )

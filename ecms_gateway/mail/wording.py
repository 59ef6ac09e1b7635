"""What a clerk reads in the mail the gateway sends: Thai subjects, the letter's header, notifier sentences.

Dates are shown in the Buddhist Era with Thai month names (``20 พฤศจิกายน 2569``); marks and kinds use
their Thai names from ``ecms_gateway.letter.codes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from ecms_gateway.codec.messages import Notifier, NotifierKind
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.model import FileData, Letter
from ecms_gateway.letter.thai import format_thai_date

LETTER_XML_NAME: Final = "ecms-letter.xml"
NOTIFIER_XML_NAME: Final = "ecms-notifier.xml"

_STATUS: Final[dict[NotifierKind, str]] = {
    NotifierKind.RECEIVE: "ได้รับหนังสือแล้ว",
    NotifierKind.ACCEPT: "ลงทะเบียนรับแล้ว",
    NotifierKind.REJECT: "ไม่รับหนังสือ",
    NotifierKind.INVALID: "หนังสือไม่ถูกต้องหรือส่งผิดหน่วยงาน",
    NotifierKind.INVALID_ACCEPT_ID: "เลขทะเบียนรับไม่ถูกต้อง",
}


@dataclass(frozen=True, kw_only=True)
class Names:
    """Thai names of the two organisations, as the directory gives them (or their IDs)."""

    sender: str
    receiver: str


LETTER_LEAD: Final = "ส่งหนังสือราชการถึงท่านทางไปรษณีย์อิเล็กทรอนิกส์ มีรายละเอียดดังนี้"
"""The line under the greeting of every letter mail, after the sender's name: a reply that quotes the
letter without marks is recognised by it (``reply.own_words``)."""
FOOTER_LEAD: Final = "ข้อความนี้ส่งโดยระบบรับส่งหนังสือราชการอิเล็กทรอนิกส์ (ecms-gateway)"
"""How the last line of every mail the gateway writes starts."""
FOOTER_TAIL: Final = "หากท่านได้รับโดยไม่ได้ตั้งใจ โปรดแจ้งกลับทางที่อยู่นี้"
"""How it ends (a mail program that quotes it may wrap it before this)."""


def letter_subject(letter: Letter) -> str:
    """``[ด่วนที่สุด] ที่ ศธ 0206/1234 เรื่อง ...``; the speed mark only when the letter is not normal."""
    mark = f"[{letter.speed.thai}] " if letter.speed is not Speed.NORMAL else ""
    return f"{mark}ที่ {letter.book_no} เรื่อง {letter.subject}"


def letter_body(letter: Letter, files: Sequence[FileData], names: Names) -> str:
    """The letter's header as a clerk reads it on paper, then the list of attached files."""
    addressee = letter.receiver.job_title or names.receiver
    lines = [
        f"เรียน {addressee}",
        "",
        f"{names.sender} {LETTER_LEAD}",
        "",
        f"ที่: {letter.book_no}",
        f"ลงวันที่: {format_thai_date(letter.date)}",
        f"เรื่อง: {letter.subject}",
        f"เรียน: {addressee}",
    ]
    for index, ref in enumerate(letter.references, start=1):
        number = f"{index}. " if len(letter.references) > 1 else ""
        when = format_thai_date(ref.date)
        lines.append(f"อ้างถึง: {number}หนังสือที่ {ref.book_no} ลงวันที่ {when} เรื่อง {ref.subject}")
    if letter.enclosures:
        lines.append(f"สิ่งที่ส่งมาด้วย: {letter.enclosures}")
    if letter.speed is not Speed.NORMAL:
        lines.append(f"ชั้นความเร็ว: {letter.speed.thai}")
    if letter.secrecy is not Secrecy.NORMAL:
        lines.append(f"ชั้นความลับ: {letter.secrecy.thai}")
    if letter.kind is not Kind.EXTERNAL:
        lines.append(f"ชนิดของหนังสือ: {letter.kind.thai}")
    lines.append(f"จาก: {names.sender}{_signer(letter)}")
    if letter.description:
        lines.append(f"หมายเหตุ: {letter.description}")
    lines += ["", "ไฟล์แนบ:"]
    for index, data in enumerate(files, start=1):
        role = "ตัวหนังสือ" if index == 1 else "สิ่งที่ส่งมาด้วย"
        lines.append(f"{index}. {data.name} ({role}, {_size(data.size)})")
    lines.append(
        f"{len(files) + 1}. {LETTER_XML_NAME} (ข้อมูลหนังสือพร้อมลายมือชื่อดิจิทัล สำหรับระบบสารบรรณอิเล็กทรอนิกส์ของผู้รับ)"
    )
    lines += ["", _footer(names.sender)]
    return "\n".join(lines) + "\n"


def notifier_subject(notifier: Notifier) -> str:
    """``ลงทะเบียนรับแล้ว (เลขรับ 45): ที่ ศธ 0206/1234 เรื่อง ...``."""
    status = _STATUS[notifier.kind]
    if notifier.kind is NotifierKind.ACCEPT and notifier.accept_id:
        status += f" (เลขรับ {notifier.accept_id})"
    return f"{status}: ที่ {notifier.letter_id} เรื่อง {notifier.subject}"


def notifier_sentence(notifier: Notifier, *, from_name: str) -> str:
    """One Thai sentence saying what the notifier means, for the clerk who sent the letter."""
    letter = (
        f"หนังสือที่ {notifier.letter_id} ลงวันที่ {format_thai_date(notifier.correspondence_date)} "
        f"เรื่อง {notifier.subject}"
    )
    reason = f" เหตุผล: {notifier.description}" if notifier.description else ""
    kind = notifier.kind
    if kind is NotifierKind.RECEIVE:
        return f"{from_name} ได้รับ{letter} แล้ว"
    if kind is NotifierKind.ACCEPT:
        when = f" เมื่อ {_thai_day(notifier.accept_date)}" if notifier.accept_date else ""
        return f"{from_name} ลงทะเบียนรับ{letter} แล้ว เลขทะเบียนรับ {notifier.accept_id or '-'}{when}"
    if kind is NotifierKind.REJECT:
        return f"{from_name} ไม่รับ{letter}{reason or ' (ไม่ได้ระบุเหตุผล)'}"
    if kind is NotifierKind.INVALID:
        return f"{from_name} แจ้งว่า{letter} ไม่ถูกต้องหรือส่งผิดหน่วยงาน{reason}"
    return f"{from_name} แจ้งว่าเลขทะเบียนรับ {notifier.accept_id or '-'} ที่ให้ไว้สำหรับ{letter} ไม่ถูกต้อง{reason}"


def _thai_day(written: str) -> str:
    """An xs:date or xs:dateTime (``2026-11-22``, ``2026-11-22T09:30:00+07:00``) as a person reads a
    date (``22 พฤศจิกายน 2569``); anything else as it was written."""
    try:
        return format_thai_date(date.fromisoformat(written.strip()[:10]))
    except ValueError:
        return written


def notifier_body(notifier: Notifier, *, from_name: str) -> str:
    """The sentence, the attachment's purpose and the footer."""
    return (
        f"{notifier_sentence(notifier, from_name=from_name)}\n\n"
        f"ไฟล์แนบ {NOTIFIER_XML_NAME} คือข้อมูลแจ้งสถานะหนังสือสำหรับระบบสารบรรณอิเล็กทรอนิกส์ของท่าน\n\n"
        f"{_footer(from_name)}\n"
    )


def _signer(letter: Letter) -> str:
    signer = letter.signer
    if signer is None:
        return ""
    name = " ".join(part for part in (signer.given_name, signer.family_name) if part)
    text = " ".join(part for part in (name, signer.job_title) if part)
    return f" (ผู้ลงนาม: {text})" if text else ""


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} ไบต์"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _footer(sender: str) -> str:
    return f"{FOOTER_LEAD} ของ{sender} {FOOTER_TAIL}"

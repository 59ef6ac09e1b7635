"""Mail written by people: automatic replies to set aside, and letters to read for a clerk.

A letter by a person is a PDF (or another document) attached to a Thai subject and body, sometimes
inside a forwarded message. Its sender is looked up by address: the From address, then the senders
of forwarded messages (attached or quoted inline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from ecms_gateway.letter.model import FileData
from ecms_gateway.mail.directory import MailContact, MailDirectory
from ecms_gateway.mail.extract import NotFound, extract_fields
from ecms_gateway.mail.parse import Attachment, ParsedMail

_AUTO_SUBJECT: Final = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|antwort)|autoreply|auto:|out of (the )?office|"
    r"vacation|away from|absence|abwesenheit|ตอบกลับอัตโนมัติ|ข้อความตอบกลับอัตโนมัติ|ไม่อยู่|ลาพัก)",
    re.IGNORECASE,
)
_AUTO_HEADERS: Final = ("X-Autoreply", "X-Autorespond", "X-Autoresponse", "X-Auto-Reply")
_INLINE_FROM: Final = re.compile(r"(?im)^[ \t>]*(?:from|จาก)\s*:\s*(?P<who>[^\r\n]+)$")
_ADDRESS: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FORWARD_MARK: Final = re.compile(
    r"(?im)^[ \t>-]*(?:-{2,}\s*)?(forwarded message|original message|ข้อความที่ส่งต่อ|ข้อความต้นฉบับ)"
)
_EXTENSIONS: Final[dict[str, str]] = {"application/pdf": "pdf", "application/msword": "doc"}


@dataclass(frozen=True, kw_only=True)
class HumanFields:
    book_no: str | None
    subject: str | None
    letter_date: date | None
    contact: MailContact | None
    main: FileData
    attachments: tuple[FileData, ...]
    forwarded: bool
    not_found: tuple[NotFound, ...]
    notes: tuple[str, ...]


def auto_reply_signal(mail: ParsedMail) -> str | None:
    """What marks ``mail`` as an automatic reply (RFC 3834 and the common non-standard signs), or None."""
    auto = (mail.header("Auto-Submitted") or "").strip().lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    for name in _AUTO_HEADERS:
        if mail.has_header(name):
            return f"{name} header"
    precedence = (mail.header("Precedence") or "").strip().lower()
    if precedence == "auto_reply":
        return "Precedence: auto_reply"
    if _AUTO_SUBJECT.search(mail.subject):
        return f"subject {mail.subject!r}"
    return None


def letter_files(mail: ParsedMail) -> tuple[list[Attachment], bool]:
    """The files of the letter: attached to the mail itself, else to a forwarded message in it."""
    own = [a for a in mail.attachments if not a.inline]
    if own:
        return own, False
    for inner in mail.forwarded:
        files, _ = letter_files(inner)
        if files:
            return files, True
    return [], False


def read_human_letter(
    mail: ParsedMail, files: list[Attachment], forwarded: bool, directory: MailDirectory | None
) -> HumanFields:
    """Fields, files and what is missing, for a clerk to confirm."""
    inner = list(mail.forwarded)
    extracted = extract_fields(
        [*(m.subject for m in inner), mail.subject], [*(m.text for m in inner), mail.text]
    )
    notes = list(extracted.notes)
    not_found = list(extracted.not_found)
    contact, used = _sender(mail, directory)
    if contact is None:
        shown = ", ".join(used) or "(none)"
        not_found.append(
            NotFound(
                field="sender",
                message=f"ที่อยู่ผู้ส่ง {shown} ไม่อยู่ในสมุดรายชื่อหน่วยงาน โปรดยืนยันหน่วยงานผู้ส่ง",
            )
        )
    elif used and used[-1] != (mail.from_address or "").lower():
        notes.append(f"ผู้ส่ง: หาจากที่อยู่ของข้อความที่ส่งต่อ ({used[-1]})")
    data = [_file_data(a, i) for i, a in enumerate(files, start=1)]
    pdfs = [f for f in data if f.mime == "application/pdf"]
    main = pdfs[0] if pdfs else data[0]
    if not pdfs:
        notes.append(f"ไม่มีไฟล์ PDF แนบมา ใช้ {main.name} เป็นไฟล์หนังสือ")
    forwarded = forwarded or bool(mail.forwarded) or _FORWARD_MARK.search(mail.text) is not None
    if forwarded:
        notes.append("หนังสือนี้มาในข้อความที่ส่งต่อ (forward) โปรดตรวจหน่วยงานผู้ส่งเดิม")
    return HumanFields(
        book_no=extracted.book_no,
        subject=extracted.subject,
        letter_date=extracted.letter_date,
        contact=contact,
        main=main,
        attachments=tuple(f for f in data if f is not main),
        forwarded=forwarded,
        not_found=tuple(not_found),
        notes=tuple(notes),
    )


def _sender(mail: ParsedMail, directory: MailDirectory | None) -> tuple[MailContact | None, list[str]]:
    candidates = [mail.from_address or ""]
    candidates += [m.from_address or "" for m in mail.forwarded]
    for match in _INLINE_FROM.finditer(mail.text):
        found = _ADDRESS.search(match["who"])
        if found:
            candidates.append(found[0])
    tried: list[str] = []
    for address in (c.strip().lower() for c in candidates if c.strip()):
        if address in tried:
            continue
        tried.append(address)
        contact = directory.by_address(address) if directory is not None else None
        if contact is not None:
            return contact, tried
    return None, tried


def _file_data(attachment: Attachment, index: int) -> FileData:
    mime = attachment.mime
    if attachment.content[:5] == b"%PDF-" and mime in ("application/octet-stream", "binary/octet-stream"):
        mime = "application/pdf"  # webmail often sends PDFs as octet-stream
    name = attachment.name or f"attachment-{index}.{_EXTENSIONS.get(mime, 'bin')}"
    name = name.replace("\\", "/").rsplit("/", 1)[-1] or f"attachment-{index}.bin"
    return FileData(name=name, mime=mime, content=attachment.content)

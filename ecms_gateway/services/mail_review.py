"""What a clerk is shown about a person's letter by mail, and what a clerk's confirmation is checked against.

``draft_of`` turns a classified ``HumanLetter`` into the record kept for the clerk: the header read
from the mail, the receiver (which of our organisations it was sent to), speed and secrecy marks, and a
Thai sentence for everything that was not found; ``unreadable_draft_of`` the record kept about a mail
that is not a letter the gateway can read (quarantined), so that a clerk sees it. ``letter_of`` builds
the letter from the completed fields through the letter model's all-faults loader; ``clerk_faults``
says each fault in Thai.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, Final

from ecms_gateway.engine.mail_values import UNREADABLE, MailLetterDraft, MailLetterFields, MissingField
from ecms_gateway.errors import Fault, InputError, LetterInvalid
from ecms_gateway.letter.codes import Kind, Secrecy, Speed
from ecms_gateway.letter.loader import load_letter_dict
from ecms_gateway.letter.model import FileData, LetterPackage
from ecms_gateway.mail.directory import MailDirectory
from ecms_gateway.mail.inbound import HumanLetter, Quarantined
from ecms_gateway.mail.marks import addressed_orgs, secrecy_mark, speed_mark
from ecms_gateway.mail.parse import parse_mail

LABELS: Final[Mapping[str, str]] = {
    "book_no": "เลขที่หนังสือ (ที่)",
    "letter_date": "ลงวันที่",
    "subject": "เรื่อง",
    "sender_org": "หน่วยงานผู้ส่ง",
    "receiver_org": "หน่วยงานผู้รับ",
    "speed": "ชั้นความเร็ว",
    "secrecy": "ชั้นความลับ",
    "files": "ไฟล์หนังสือ",
}
"""The clerk's name of each field (the keys are the field names of ``MailLetterFields``)."""

_LOADER_FIELD: Final[Mapping[str, str]] = {
    "book_no": "book_no",
    "date": "letter_date",
    "subject": "subject",
    "sender": "sender_org",
    "receiver": "receiver_org",
    "speed": "speed",
    "secrecy": "secrecy",
}
_SPEED_NAMES: Final = {**{s.value: s for s in Speed}, **{s.thai: s for s in Speed}}
_SECRECY_NAMES: Final = {**{s.value: s for s in Secrecy}, **{s.thai: s for s in Secrecy}}


def draft_of(
    inbox_id: int,
    found: HumanLetter,
    raw: bytes,
    *,
    served: Collection[str],
    mailbox_org: str | None,
    directory: MailDirectory | None,
) -> MailLetterDraft:
    """The record to keep for a clerk about the person's letter ``found`` (inbox item ``inbox_id``)."""
    mail = parse_mail(raw)
    subjects = [found.info.subject, *(m.subject for m in mail.forwarded)]
    texts = [found.body_text, *(m.text for m in mail.forwarded)]
    speed, secrecy = speed_mark(subjects, texts), secrecy_mark(subjects, texts)
    missing = [
        MissingField(field=_FIELD_OF.get(n.field, n.field), message=n.message) for n in found.not_found
    ]
    notes = list(found.notes)
    receiver = _receiver(addressed_orgs(mail, directory), served, mailbox_org)
    if receiver is None:
        missing.append(
            MissingField(
                field="receiver_org",
                message="ไม่ทราบว่าหนังสือนี้ส่งถึงหน่วยงานใดของเรา โปรดระบุหน่วยงานผู้รับ",
            )
        )
    if speed is None and secrecy is None:
        notes.append("ไม่พบชั้นความเร็วและชั้นความลับ จะบันทึกเป็น ปกติ หากไม่แก้ไข")
    elif speed is None:
        notes.append("ไม่พบชั้นความเร็ว จะบันทึกเป็น ปกติ หากไม่แก้ไข")
    elif secrecy is None:
        notes.append("ไม่พบชั้นความลับ จะบันทึกเป็น ปกติ หากไม่แก้ไข")
    return MailLetterDraft(
        inbox_id=inbox_id,
        message_id=found.info.message_id,
        from_address=found.info.from_address or "",
        from_name=found.info.from_name,
        mail_subject=found.info.subject,
        mail_date=found.info.date,
        fields=MailLetterFields(
            book_no=found.book_no,
            subject=found.subject,
            letter_date=found.letter_date,
            sender_org=found.sender_org,
            receiver_org=receiver,
            speed=speed.value if speed else None,
            secrecy=secrecy.value if secrecy else None,
        ),
        not_found=tuple(missing),
        notes=tuple(notes),
        forwarded=found.forwarded,
        files=unique_names((found.main, *found.attachments)),
    )


def unreadable_draft_of(inbox_id: int, found: Quarantined) -> MailLetterDraft:
    """The record kept for a clerk about the quarantined mail ``found``: who sent it and why it could not
    be taken in (Thai), the technical reason as a note for whoever the clerk asks; no fields, no files."""
    info = found.info
    return MailLetterDraft(
        inbox_id=inbox_id,
        message_id=info.message_id,
        from_address=info.from_address or "",
        from_name=info.from_name,
        mail_subject=info.subject,
        mail_date=info.date,
        fields=MailLetterFields(sender_org=info.sender_org),
        not_found=(MissingField(field=UNREADABLE, message=found.thai),),
        notes=(f"สำหรับผู้ดูแลระบบ: {found.reason}",),
        forwarded=False,
        files=(),
    )


_FIELD_OF: Final = {"sender": "sender_org"}


def _receiver(addressed: tuple[str, ...], served: Collection[str], mailbox_org: str | None) -> str | None:
    """Ours among the addressees; else the mailbox's organisation; else our only organisation."""
    ours = [org for org in addressed if org in served]
    if ours:
        return ours[0]
    if mailbox_org is not None and mailbox_org in served:
        return mailbox_org
    return next(iter(served)) if len(served) == 1 else None


def unique_names(files: tuple[FileData, ...]) -> tuple[FileData, ...]:
    """The files under names that differ (``scan.pdf``, ``scan (2).pdf``): a letter names files by name."""
    seen: set[str] = set()
    out = []
    for data in files:
        name = data.name if data.name not in ("", ".", "..") else "file"
        stem, dot, ext = name.rpartition(".")
        base, suffix = (stem, dot + ext) if dot and stem else (name, "")
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{base} ({n}){suffix}"
        seen.add(candidate.lower())
        out.append(
            data if candidate == data.name else FileData(name=candidate, mime=data.mime, content=data.content)
        )
    return tuple(out)


def merged(kept: MailLetterFields, corrections: MailLetterFields) -> MailLetterFields:
    """The kept fields with the clerk's corrections over them (a correction of None keeps the field)."""

    def pick(name: str) -> Any:
        value = getattr(corrections, name)
        if isinstance(value, str):
            value = " ".join(value.split()) or None
        return value if value is not None else getattr(kept, name)

    return MailLetterFields(**{name: pick(name) for name in LABELS if name != "files"})


def letter_of(
    fields: MailLetterFields,
    files: tuple[FileData, ...],
    *,
    served: Collection[str],
    description: str | None = None,
) -> LetterPackage:
    """The inbound letter from the completed fields; ``LetterInvalid`` lists every fault, in Thai."""
    faults: list[Fault] = []
    speed = _choice(fields.speed, _SPEED_NAMES, "speed", faults)
    secrecy = _choice(fields.secrecy, _SECRECY_NAMES, "secrecy", faults)
    raw: dict[str, Any] = {"kind": Kind.EXTERNAL.value, "speed": speed, "secrecy": secrecy}
    if fields.book_no:
        raw["book_no"] = fields.book_no
    if fields.letter_date:
        raw["date"] = fields.letter_date.isoformat()
    if fields.subject:
        raw["subject"] = fields.subject
    if fields.sender_org:
        raw["sender"] = {"org_id": fields.sender_org}
    if fields.receiver_org:
        raw["receiver"] = {"org_id": fields.receiver_org}
        if fields.receiver_org not in served:
            ours = ", ".join(sorted(served)) or "-"
            faults.append(
                Fault(
                    where="receiver_org",
                    problem=f"หน่วยงานผู้รับ {fields.receiver_org} ไม่ใช่หน่วยงานที่ระบบนี้รับหนังสือให้ ({ours})",
                )
            )
    if description:
        raw["description"] = description
    by_name = {f.name: f for f in files}
    if files:
        raw["main_file"] = {"path": files[0].name, "mime": files[0].mime}
        raw["attachments"] = [{"path": f.name, "mime": f.mime} for f in files[1:]]
    else:
        faults.append(Fault(where="files", problem="ไม่มีไฟล์หนังสือ"))

    def read(path: str) -> bytes | None:
        found = by_name.get(path)
        return None if found is None else found.content

    try:
        package = load_letter_dict(raw, read)
    except LetterInvalid as exc:
        raise LetterInvalid([*faults, *clerk_faults(exc.faults)]) from exc
    if faults:
        raise LetterInvalid(faults)
    return package


def _choice(value: str | None, names: Mapping[str, Speed | Secrecy], field: str, faults: list[Fault]) -> str:
    if value is None:
        return "normal"
    found = names.get(value.strip().lower()) or names.get(value.strip())
    if found is None:
        allowed = ", ".join(f"{v.value} ({v.thai})" for v in dict.fromkeys(names.values()))
        faults.append(Fault(where=field, problem=f"{LABELS[field]} '{value}' ใช้ไม่ได้ ค่าที่ใช้ได้: {allowed}"))
        return "normal"
    return found.value


def clerk_faults(faults: tuple[Fault, ...]) -> list[Fault]:
    """The loader's faults as a clerk reads them: the field's name and the problem in Thai."""
    out: list[Fault] = []
    for fault in faults:
        head = fault.where.split(".", 1)[0].split("[", 1)[0]
        field = _LOADER_FIELD.get(head, "files" if head in ("main_file", "attachments") else head)
        label = LABELS.get(field, field)
        out.append(Fault(where=field, problem=f"{label}: {_thai_problem(fault)}"))
    return out


def _thai_problem(fault: Fault) -> str:
    """The clerk's words for the loader's fault, by its code (fault_codes.py); rarer ones keep English."""
    if fault.code == "missing":
        return "ยังไม่มี (อ่านจากอีเมลไม่พบ และยังไม่ได้ระบุ) โปรดระบุ"
    if fault.code == "empty":
        return "ว่างอยู่ โปรดระบุ"
    if fault.code == "org_id":
        value = fault.params.get("value", "")
        return f"'{value}' ไม่ใช่รหัสหน่วยงาน 10 หลัก (เช่น 2099000000) ดูจากสมุดรายชื่อหน่วยงาน"
    if fault.code == "buddhist_year":
        return "ปีต้องเป็น ค.ศ. ในรูป yyyy-mm-dd หรือระบุวันที่แบบไทย เช่น 20 พฤศจิกายน 2569"
    return fault.problem


def require_reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise InputError("โปรดระบุเหตุผลที่ปัดตก (dismiss --reason TEXT): เหตุผลถูกเก็บไว้ในประวัติ")
    return text

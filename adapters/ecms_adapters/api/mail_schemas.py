"""The JSON shapes of ``/mail-letters``: letters people sent by mail, waiting for a clerk to confirm
what the gateway read from them (the OpenAPI document's schemas)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ecms_adapters.api.schemas import said
from ecms_gateway.engine.mail_letters import OPEN_STATES
from ecms_gateway.engine.mail_values import MailLetterFields, MailLetterState, MailLetterView


class MailFieldsOut(BaseModel):
    """The letter's header as far as it is known (null: neither the mail nor a clerk gave it)."""

    book_no: str | None
    letter_date: date | None
    subject: str | None
    sender_org: str | None
    receiver_org: str | None
    speed: str | None = Field(description="normal, urgent, very_urgent, most_urgent; null: normal")
    secrecy: str | None = Field(description="normal, confidential, secret, top_secret; null: normal")

    @classmethod
    def of(cls, f: MailLetterFields) -> MailFieldsOut:
        return cls(
            book_no=f.book_no,
            letter_date=f.letter_date,
            subject=f.subject,
            sender_org=f.sender_org,
            receiver_org=f.receiver_org,
            speed=f.speed,
            secrecy=f.secrecy,
        )


class NotFoundOut(BaseModel):
    field: str = Field(description="the field of `fields` it concerns")
    message: str = Field(description="what could not be read, in Thai, for the clerk")


class MailFileOut(BaseModel):
    position: int = Field(description="0 is the main file (the letter), then the attachments")
    name: str
    mime: str
    size: int
    sha256: str
    href: str


class MailLetterOut(BaseModel):
    """One mail letter in a list: from whom, the mail's subject, when, and what is still missing."""

    id: int
    state: MailLetterState
    from_address: str
    from_name: str | None
    mail_subject: str
    mail_date: datetime | None = Field(description="the mail's own Date header")
    received_at: datetime = Field(description="when the gateway kept it for a clerk")
    fields: MailFieldsOut
    not_found: list[NotFoundOut]
    unreadable: str | None = Field(
        description="set for a mail the gateway could not take in as a letter (no file, a broken file or "
        "e-CMS XML, too large): why, in Thai; such a mail cannot be confirmed, only read and dismissed"
    )
    letter_id: int | None = Field(description="the received letter it became, once confirmed")
    letter_href: str | None
    href: str

    @classmethod
    def of(cls, r: MailLetterView, prefix: str) -> MailLetterOut:
        return cls(**_common(r, prefix))


class MailLetterDetailOut(MailLetterOut):
    """One mail letter in full: every field read, what was not found, notes, files, who acted."""

    message_id: str | None
    notes: list[str] = Field(description="what the clerk should know (e.g. speed not marked: normal)")
    forwarded: bool = Field(description="the letter came inside a forwarded mail")
    files: list[MailFileOut]
    reason: str | None = Field(description="why it was dismissed")
    acted_by: str | None
    acted_at: datetime | None
    updated_at: datetime
    actions: list[str] = Field(description="POST /mail-letters/{id}/<action> allowed in this state")

    @classmethod
    def of(cls, r: MailLetterView, prefix: str) -> MailLetterDetailOut:
        common = _common(r, prefix)
        return cls(
            **common,
            message_id=r.message_id,
            notes=list(r.notes),
            forwarded=r.forwarded,
            files=[
                MailFileOut(
                    position=f.position,
                    name=f.name,
                    mime=f.mime,
                    size=f.size,
                    sha256=f.sha256,
                    href=f"{common['href']}/files/{f.position}",
                )
                for f in r.files
            ],
            reason=r.reason,
            acted_by=r.acted_by,
            acted_at=r.acted_at,
            updated_at=r.updated_at,
            actions=mail_actions(r),
        )


def mail_actions(record: MailLetterView) -> list[str]:
    """What a clerk may still do: confirm while open (not a mail that is no letter), dismiss while pending."""
    actions = ["confirm"] if record.state in OPEN_STATES and record.unreadable is None else []
    if record.state is MailLetterState.PENDING:
        actions.append("dismiss")
    return actions


def _common(r: MailLetterView, prefix: str) -> dict[str, object]:
    return {
        "id": r.id,
        "state": r.state,
        "from_address": r.from_address,
        "from_name": r.from_name,
        "mail_subject": r.mail_subject,
        "mail_date": r.mail_date,
        "received_at": r.created_at,
        "fields": MailFieldsOut.of(r.fields),
        "not_found": [NotFoundOut(field=m.field, message=m.message) for m in r.not_found],
        "unreadable": r.unreadable,
        "letter_id": r.letter_id,
        "letter_href": None if r.letter_id is None else f"{prefix}/letters/{r.letter_id}",
        "href": f"{prefix}/mail-letters/{r.id}",
    }


class MailLetterListOut(BaseModel):
    items: list[MailLetterOut]


class CorrectionsIn(BaseModel):
    """What the clerk completes or corrects; a field left out (or null) stays as read from the mail."""

    model_config = ConfigDict(extra="forbid")

    book_no: str | None = Field(default=None, min_length=1, max_length=200, description="ที่ (book number)")
    letter_date: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="as a clerk types it: 20 พฤศจิกายน 2569, 20/11/2569, ๒๐/๑๑/๒๕๖๙ or 2026-11-20",
    )
    subject: str | None = Field(default=None, min_length=1, max_length=2000, description="เรื่อง")
    sender_org: str | None = Field(default=None, min_length=1, max_length=100, description="10-digit id")
    receiver_org: str | None = Field(
        default=None, min_length=1, max_length=100, description="one of this gateway's organisations"
    )
    speed: str | None = Field(
        default=None, min_length=1, max_length=100, description="a value or its Thai name"
    )
    secrecy: str | None = Field(
        default=None, min_length=1, max_length=100, description="a value or its Thai name"
    )
    allow_repeat: bool = Field(
        default=False,
        description="true: the clerk says it is another letter although a letter with this book number "
        "and date was received already (without it: 409 repeats_received_letter naming that letter)",
    )


class ConfirmedOut(BaseModel):
    """The mail letter, now confirmed, and the received letter it became (register it next)."""

    id: int
    state: MailLetterState
    letter_id: int
    created: bool = Field(description="false: that letter had been recorded before (same mail, or a retry)")
    letter_href: str
    href: str


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[
        str, said("ว่างอยู่: โปรดระบุเหตุผลที่ปัดตก เหตุผลถูกเก็บไว้ในประวัติ (blank: say why it is not a letter)")
    ] = Field(min_length=1, max_length=2000, description="why it is not a letter; kept in history")

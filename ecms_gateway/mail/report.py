"""A classified message as lines a person reads: ``ecms-gateway mail inspect`` prints these.

Every field is shown, and a field that could not be found says so (``(not found: ...)``) instead of
being left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ecms_gateway.letter.model import FileData
from ecms_gateway.letter.thai import format_thai_date
from ecms_gateway.mail.inbound import (
    AutoReply,
    Bounce,
    Classified,
    HumanLetter,
    LetterMail,
    MailInfo,
    NotifierMail,
    PersonReply,
    Quarantined,
)

Row = tuple[str, str]


def describe(result: Classified) -> list[Row]:
    """``(label, value)`` rows: the class, the message's headers, then what the class carries."""
    rows: list[Row] = [("class", result.cls.value), *_info(result.info)]
    if isinstance(result, LetterMail):
        rows += _letter(result)
    elif isinstance(result, NotifierMail):
        rows += _notifier(result)
    elif isinstance(result, HumanLetter):
        rows += _human(result)
    elif isinstance(result, Bounce):
        rows += _bounce(result)
    elif isinstance(result, AutoReply):
        rows += [("automatic because", result.signal), ("in reply to", result.replied_to or "(not given)")]
    elif isinstance(result, PersonReply):
        rows += [
            ("answers letter mail", ", ".join(result.answered)),
            ("matched", "when processed, to the letter we mailed under one of these (else quarantined)"),
            ("receive number given", result.receive_no or "(none in the words)"),
            ("their words", result.text or "(empty)"),
        ]
    elif isinstance(result, Quarantined):
        rows += [
            ("quarantined because", result.reason),
            ("the clerk reads", result.thai),
            ("raw size", f"{len(result.raw)} bytes"),
        ]
    return rows


def _info(info: MailInfo) -> list[Row]:
    sender = f"{info.from_name} <{info.from_address}>" if info.from_name else (info.from_address or "")
    return [
        ("message-id", info.message_id or "(none)"),
        ("from", sender or "(none)"),
        ("from organisation", info.sender_org or "(not in the directory)"),
        ("mail subject", info.subject or "(empty)"),
        ("mail date", info.date.isoformat() if info.date else "(none or unreadable)"),
        ("in-reply-to", info.in_reply_to or "(none)"),
        ("dedupe key", info.dedupe_key),
    ]


def _day(value: date) -> str:
    return f"{value.isoformat()} ({format_thai_date(value)})"


def _letter(result: LetterMail) -> list[Row]:
    summary = result.unverified
    rows = [
        ("book number (ที่)", summary.book_no),
        ("letter date (ลงวันที่)", _day(summary.letter_date)),
        ("letter subject (เรื่อง)", summary.subject),
        ("letter sender", summary.sender_org),
        ("letter receiver", summary.receiver_org),
        ("signature", "present (not checked here)" if summary.signed else "none"),
        ("ecms-letter.xml", f"{len(result.document_xml)} bytes"),
    ]
    return rows + [("note", note) for note in result.notes]


def _notifier(result: NotifierMail) -> list[Row]:
    notifier = result.unverified
    return [
        ("notifier", notifier.kind.value),
        ("about letter (LetterID)", notifier.letter_id),
        ("letter date", _day(notifier.correspondence_date)),
        ("letter subject", notifier.subject),
        ("receive number (AcceptID)", notifier.accept_id or "(none)"),
        ("reason", notifier.description or "(none)"),
        ("signature", "present (not checked here)" if notifier.signature is not None else "none"),
    ]


def _human(result: HumanLetter) -> list[Row]:
    missing = {item.field: item.message for item in result.not_found}

    def shown(field: str, value: str | None) -> str:
        return value if value is not None else f"(not found: {missing.get(field, 'not found')})"

    sender = f"{result.sender_org} {result.sender_name or ''}".strip() if result.sender_org else None
    rows = [
        ("book number (ที่)", shown("book_no", result.book_no)),
        (
            "letter date (ลงวันที่)",
            shown("letter_date", _day(result.letter_date) if result.letter_date else None),
        ),
        ("letter subject (เรื่อง)", shown("subject", result.subject)),
        ("sender", shown("sender", sender)),
        ("forwarded", "yes" if result.forwarded else "no"),
    ]
    rows += _files((result.main, *result.attachments))
    return rows + [("note", note) for note in result.notes]


def _files(files: Iterable[FileData]) -> list[Row]:
    return [
        (f"file {index}", f"{data.name} ({data.mime}, {data.size} bytes, sha256 {data.sha256[:16]})")
        for index, data in enumerate(files, start=1)
    ]


def _bounce(result: Bounce) -> list[Row]:
    rows = [
        ("original message-id", result.original_message_id or "(not found in the report)"),
        ("permanent", "yes" if result.permanent else "no (delayed; the server keeps trying)"),
        ("reason", result.reason),
    ]
    for recipient in result.recipients:
        rows.append(
            (
                "recipient",
                f"{recipient.address or '?'}: {recipient.action or '?'} {recipient.status or ''} "
                f"{recipient.diagnostic or ''}".strip(),
            )
        )
    return rows

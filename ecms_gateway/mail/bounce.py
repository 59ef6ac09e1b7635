"""Delivery status notifications: which of our messages did not arrive, for whom, and why.

Standard reports (RFC 3464 ``multipart/report; report-type=delivery-status``) are read field by field;
the older free-text bounces of some servers (from MAILER-DAEMON, "Undelivered Mail Returned to
Sender") are recognised by sender and subject, with the original Message-ID looked for in the
returned message or in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ecms_gateway.mail.message_ids import normalize_message_id
from ecms_gateway.mail.parse import DeliveryReport, ParsedMail

_DAEMONS: Final = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
_BOUNCE_SUBJECTS: Final = re.compile(
    r"undeliver|delivery status notification|delivery (has )?failed|mail delivery (failed|subsystem)|"
    r"returned mail|failure notice|non[- ]?delivery|ส่งไม่สำเร็จ|ไม่สามารถส่ง",
    re.IGNORECASE,
)
_TEXT_MESSAGE_ID: Final = re.compile(r"^\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
_SMTP_REPLY: Final = re.compile(r"\b([45]\d\d)[ -]([45]\.\d{1,3}\.\d{1,3})?[^\n]*")
_STATUS_WORDS: Final[dict[str, str]] = {
    "1.1": "the mailbox does not exist",
    "1.2": "the domain does not exist",
    "1.10": "the recipient address has no mail server",
    "2.1": "the mailbox is disabled",
    "2.2": "the mailbox is full",
    "2.3": "the message is larger than the mailbox accepts",
    "3.4": "the message is larger than the server accepts",
    "4.1": "no answer from the recipient's server",
    "4.7": "delivery took too long and was given up",
    "7.1": "the recipient's server refused the sender",
}


@dataclass(frozen=True, kw_only=True)
class BouncedRecipient:
    address: str | None
    action: str | None  # failed, delayed, delivered, relayed, expanded
    status: str | None  # e.g. 5.1.1
    diagnostic: str | None  # the remote server's words, e.g. "550 5.1.1 User unknown"


@dataclass(frozen=True, kw_only=True)
class BounceInfo:
    original_message_id: str | None
    recipients: tuple[BouncedRecipient, ...]
    reason: str
    permanent: bool  # failed for good (5.x.x / Action: failed), not merely delayed


def read_bounce(mail: ParsedMail) -> BounceInfo | None:
    """The bounce in ``mail``, or None when it is not one."""
    if mail.report is not None and mail.report.blocks:
        return _standard(mail, mail.report)
    if _looks_like_bounce(mail):
        return _free_text(mail)
    return None


def _standard(mail: ParsedMail, report: DeliveryReport) -> BounceInfo:
    recipients = tuple(
        BouncedRecipient(
            address=_after_type(block.get("final-recipient") or block.get("original-recipient")),
            action=(block.get("action") or "").strip().lower() or None,
            status=_status(block.get("status")),
            diagnostic=_after_type(block.get("diagnostic-code")),
        )
        for block in report.blocks
        if "action" in block or "final-recipient" in block
    )
    failed = [r for r in recipients if r.action == "failed" or (r.status or "").startswith("5")]
    permanent = bool(failed) or not any(r.action == "delayed" for r in recipients)
    shown = failed[0] if failed else (recipients[0] if recipients else None)
    reason = _reason(shown) if shown is not None else _text_reason(mail.text)
    return BounceInfo(
        original_message_id=_original_id(mail), recipients=recipients, reason=reason, permanent=permanent
    )


def _free_text(mail: ParsedMail) -> BounceInfo:
    match = _SMTP_REPLY.search(mail.text)
    permanent = match is None or match[1].startswith("5")
    return BounceInfo(
        original_message_id=_original_id(mail),
        recipients=(),
        reason=" ".join(match[0].split()) if match else _text_reason(mail.text),
        permanent=permanent,
    )


def _looks_like_bounce(mail: ParsedMail) -> bool:
    by_daemon = bool(mail.from_address and _DAEMONS.match(mail.from_address))
    null_sender = (mail.header("Return-Path") or "").replace(" ", "") == "<>"
    subject = bool(_BOUNCE_SUBJECTS.search(mail.subject))
    return (by_daemon or null_sender) and (subject or bool(mail.forwarded))


def _original_id(mail: ParsedMail) -> str | None:
    if mail.report is not None and mail.report.original is not None and mail.report.original.message_id:
        return mail.report.original.message_id
    for inner in mail.forwarded:
        if inner.message_id:
            return inner.message_id
    match = _TEXT_MESSAGE_ID.search(mail.text)
    if match:
        return normalize_message_id(match[1])
    return mail.in_reply_to or (mail.references[-1] if mail.references else None)


def _after_type(value: str | None) -> str | None:
    """``rfc822; a@b`` -> ``a@b``; ``smtp; 550 5.1.1 ...`` -> ``550 5.1.1 ...``."""
    if not value:
        return None
    kind, sep, rest = value.partition(";")
    text = rest if sep and " " not in kind.strip() else value
    return " ".join(text.split()) or None


def _status(value: str | None) -> str | None:
    match = re.search(r"[245]\.\d{1,3}\.\d{1,3}", value or "")
    return match[0] if match else None


def _reason(recipient: BouncedRecipient) -> str:
    who = f"{recipient.address}: " if recipient.address else ""
    if recipient.diagnostic:
        return f"{who}{recipient.diagnostic}"
    if recipient.status:
        detail = _STATUS_WORDS.get(recipient.status.split(".", 1)[1], "delivery failed")
        return f"{who}status {recipient.status} ({detail})"
    return f"{who}{recipient.action or 'not delivered'}"


def _text_reason(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines[:3])[:300] or "the server returned the message without a reason"

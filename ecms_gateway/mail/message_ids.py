"""Message-IDs derived from what a mail is about, and the key that makes receiving idempotent.

A letter's Message-ID depends only on the letter (sender, receiver, book number, date), so sending it
again gives the same ID and the receiver recognises the resend; a notifier's depends on its kind and
the letter it is about. ``dedupe_key`` names a received message for the store (``accept_inbound``'s
``process_id``): the same message read twice, or delivered twice, gives the same key.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Final

from ecms_gateway.letter.thai import book_no_key

_MSG_ID: Final = re.compile(r"<([^<>\s]+)>")
_DOMAIN_UNSAFE: Final = re.compile(r"[^A-Za-z0-9.-]")
_HEAD_END: Final = re.compile(rb"\r?\n\r?\n")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]


def _domain(domain: str) -> str:
    return _DOMAIN_UNSAFE.sub("", domain).strip(".").lower() or "ecms-gateway.invalid"


def letter_message_id(
    *, sender_org: str, receiver_org: str, book_no: str, letter_date: date, domain: str
) -> str:
    """``<letter.<hash>@<domain>>``; Thai and Arabic digits in the book number give the same ID."""
    digest = _digest("letter", sender_org, receiver_org, book_no_key(book_no), letter_date.isoformat())
    return f"<letter.{digest}@{_domain(domain)}>"


def notifier_message_id(
    *, kind: str, letter_id: str, letter_date: date, from_org: str, accept_id: str | None, domain: str
) -> str:
    """``<notifier.<hash>@<domain>>`` for a notifier of ``kind`` about one letter (and receive number)."""
    digest = _digest(
        "notifier", kind, from_org, book_no_key(letter_id), letter_date.isoformat(), accept_id or ""
    )
    return f"<notifier.{digest}@{_domain(domain)}>"


def normalize_message_id(value: str | None) -> str | None:
    """``<id@host>`` from a header value (first ID only, brackets added when missing), or None."""
    if value is None:
        return None
    text = "".join(value.split())
    match = _MSG_ID.search(text)
    if match:
        return f"<{match[1]}>"
    bare = text.strip("<>")
    return f"<{bare}>" if "@" in bare else None


def message_ids(value: str | None) -> tuple[str, ...]:
    """Every ``<id>`` in a References or In-Reply-To header, in order."""
    if not value:
        return ()
    return tuple(f"<{m}>" for m in _MSG_ID.findall("".join(value.split("\n"))))


def message_id_of(raw: bytes) -> str | None:
    """The Message-ID of a raw message, reading only its header block."""
    head = _split(raw)[0]
    value = BytesHeaderParser(policy=compat32).parsebytes(head).get("Message-ID")
    return normalize_message_id(str(value)) if value is not None else None


_AUTHOR_HEADERS: Final = ("From", "Sender", "To", "Cc", "Date", "Subject")
"""What the author wrote in a header block (no trace header added on the way): a mail without a
Message-ID is told from another with the same body by these."""


def dedupe_key(raw: bytes, message_id: str | None = None) -> str:
    """``mail:<id hash>:<body hash>``: the Message-ID plus a digest of the body (after the header block;
    a body with LF line ends is hashed in its CRLF form, as IMAP serves it), so trace headers added on
    delivery (Received, Delivered-To) do not change it.

    A mail without a Message-ID is named by its author's headers (From, To, Date, Subject, ...)
    instead: two such mails with the same short text, from two senders or on two days, are two mails.

    Fits the store's ``process_id`` (under 200 characters).
    """
    head, body = _split(raw)
    if message_id is None:
        message_id = message_id_of(head + b"\r\n\r\n")
    if message_id is None:
        message_id = "(none)" + _author_headers(head)
    first_lf = body.find(b"\n")
    if first_lf >= 0 and body[first_lf - 1 : first_lf] != b"\r":  # LF line ends (a saved file): as CRLF
        body = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    body_hash = hashlib.sha256(body).hexdigest()[:40]
    id_hash = hashlib.sha256(message_id.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return f"mail:{id_hash}:{body_hash}"


def _author_headers(head: bytes) -> str:
    """The author's headers of a header block, unfolded and in a fixed order ("" when it has none)."""
    parsed = BytesHeaderParser(policy=compat32).parsebytes(head + b"\r\n\r\n")
    return "".join(
        f"\n{name}:{' '.join(str(value).split())}"
        for name in _AUTHOR_HEADERS
        for value in parsed.get_all(name) or ()
    )


def _split(raw: bytes) -> tuple[bytes, bytes]:
    match = _HEAD_END.search(raw)
    if match is None:
        return raw, b""
    return raw[: match.start()], raw[match.end() :]

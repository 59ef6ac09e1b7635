"""A received message taken apart: decoded headers, the readable text, the files, forwarded messages and
a delivery report, whatever program wrote it (nested multiparts, alternatives, S/MIME wrappers,
``message/rfc822`` forwards, Base64 or quoted-printable bodies, 8-bit headers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parsedate_to_datetime
from typing import Final

from ecms_gateway.mail.charsets import decode_header, html_to_text, unfold
from ecms_gateway.mail.message_ids import message_ids, normalize_message_id
from ecms_gateway.mail.mimeparams import content_type, disposition, file_name, payload_bytes, text_of

_SIGNATURES: Final = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature"})
_REPORT_PARTS: Final = frozenset({"message/delivery-status", "message/global-delivery-status"})
_RETURNED: Final = frozenset({"text/rfc822-headers", "message/rfc822-headers"})
MAX_DEPTH: Final = 12


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """A file in the message, decoded; ``problem`` says what was wrong with its encoding, if anything."""

    name: str | None
    mime: str
    content: bytes = field(repr=False)
    inline: bool = False  # shown in the body (signature logos, pasted images): not a letter file
    problem: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeliveryReport:
    """A ``multipart/report`` (RFC 3464): the status blocks and the returned original, as far as given."""

    blocks: tuple[dict[str, str], ...]  # per-message block first, then one per recipient; keys in lower case
    original: ParsedMail | None


@dataclass(frozen=True, kw_only=True)
class ParsedMail:
    """One message (or a forwarded one inside it)."""

    headers: tuple[tuple[str, str], ...] = field(repr=False)
    message_id: str | None
    from_name: str | None
    from_address: str | None
    to: tuple[str, ...]
    subject: str
    date: datetime | None
    in_reply_to: str | None
    references: tuple[str, ...]
    content_type: str
    text: str
    attachments: tuple[Attachment, ...]
    forwarded: tuple[ParsedMail, ...]
    report: DeliveryReport | None
    defects: tuple[str, ...]

    def header(self, name: str) -> str | None:
        """The first header called ``name``, decoded; None when absent."""
        wanted = name.lower()
        return next((decode_header(v) for k, v in self.headers if k.lower() == wanted), None)

    def has_header(self, name: str) -> bool:
        return any(k.lower() == name.lower() for k, _ in self.headers)


def parse_mail(raw: bytes) -> ParsedMail:
    """Take ``raw`` apart; never raises for malformed input (``defects`` lists what the parser saw)."""
    return _from_message(BytesParser(policy=compat32).parsebytes(raw), depth=0)


@dataclass
class _Collect:
    texts: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    forwarded: list[ParsedMail] = field(default_factory=list)
    blocks: list[dict[str, str]] = field(default_factory=list)
    returned: list[ParsedMail] = field(default_factory=list)
    is_report: bool = False


def _from_message(message: Message, *, depth: int) -> ParsedMail:
    headers = tuple((k, str(v)) for k, v in message.raw_items())
    found = _Collect()
    _walk(message, found, depth)
    text = "\n\n".join(t.strip() for t in found.texts if t.strip())
    if not text and found.html:
        text = "\n\n".join(html_to_text(h) for h in found.html)
    get = {k.lower(): v for k, v in reversed(headers)}.get
    name, address = _sender(get("from"))
    report = None
    if found.is_report:
        report = DeliveryReport(blocks=tuple(found.blocks), original=next(iter(found.returned), None))
    return ParsedMail(
        headers=headers,
        message_id=normalize_message_id(unfold(get("message-id") or "") or None),
        from_name=name,
        from_address=address,
        to=tuple(addr for _n, addr in getaddresses([unfold(get("to") or "")]) if addr),
        subject=decode_header(get("subject")),
        date=_date(get("date")),
        in_reply_to=normalize_message_id(unfold(get("in-reply-to") or "") or None),
        references=message_ids(unfold(get("references") or "")),
        content_type=content_type(message).value,
        text=text,
        attachments=tuple(found.attachments),
        forwarded=tuple(found.forwarded),
        report=report,
        defects=tuple(type(d).__name__ for d in message.defects),
    )


def _walk(part: Message, found: _Collect, depth: int) -> None:
    if depth > MAX_DEPTH:
        return  # a nesting bomb: what is deeper is not read
    kind = content_type(part).value
    if kind in ("message/rfc822", "message/global"):
        inner = _inner_message(part)
        if inner is not None:
            parsed = _from_message(inner, depth=depth + 1)
            (found.returned if found.is_report else found.forwarded).append(parsed)
        return
    if kind in _REPORT_PARTS:
        if found.is_report:
            found.blocks.extend(_status_blocks(part))
        return
    if part.is_multipart():  # (the stdlib also calls message/* parts multipart: handled above)
        children = [c for c in part.get_payload() if isinstance(c, Message)]
        if kind == "multipart/alternative":
            children = _best_alternative(children)
        elif kind == "multipart/signed":
            children = children[:1]
        elif kind == "multipart/report":
            found.is_report = True
        for child in children:
            _walk(child, found, depth + 1)
        return
    if found.is_report and kind in _RETURNED:
        data, _problem = payload_bytes(part)
        found.returned.append(parse_mail(data.strip() + b"\r\n\r\n"))
        return
    _leaf(part, kind, found)


def _leaf(part: Message, kind: str, found: _Collect) -> None:
    name = file_name(part)
    shown = disposition(part).value
    if kind in _SIGNATURES:
        return
    if name is None and shown != "attachment" and kind in ("text/plain", "text/html"):
        (found.texts if kind == "text/plain" else found.html).append(text_of(part))
        return
    content, problem = payload_bytes(part)
    inline = shown == "inline" or (shown == "" and part.get("Content-ID") is not None)
    found.attachments.append(
        Attachment(name=name, mime=kind, content=content, inline=inline, problem=problem)
    )


def _best_alternative(children: list[Message]) -> list[Message]:
    for child in children:
        if content_type(child).value == "text/plain" and text_of(child).strip():
            return [child]
    return children[-1:]


def _inner_message(part: Message) -> Message | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    data, _problem = payload_bytes(part)  # a forward sent Base64-encoded is not parsed by the stdlib
    return BytesParser(policy=compat32).parsebytes(data) if data.strip() else None


def _status_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [
            {k.lower(): decode_header(str(v)) for k, v in block.raw_items()}
            for block in payload
            if isinstance(block, Message)
        ]
    data, _problem = payload_bytes(part)
    blocks = []
    for chunk in data.replace(b"\r\n", b"\n").split(b"\n\n"):
        if chunk.strip():
            block = BytesParser(policy=compat32).parsebytes(chunk + b"\n\n", headersonly=True)
            blocks.append({k.lower(): decode_header(str(v)) for k, v in block.raw_items()})
    return blocks


def _sender(value: str | None) -> tuple[str | None, str | None]:
    pairs = getaddresses([unfold(value)]) if value else []
    if not pairs or not pairs[0][1]:
        return None, None
    display, address = pairs[0]
    return (decode_header(display) or None), address.strip()


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(unfold(value).strip())
    except (TypeError, ValueError, IndexError):
        return None

"""MIME header parameters and part bodies, decoded by hand from the raw bytes.

The stdlib's parameter handling loses raw 8-bit file names and does not know windows-874, so
``Content-Type``/``Content-Disposition`` parameters are parsed here: quoted strings, RFC 2231
(``name*=charset'lang'%XX``, ``name*0*``/``name*1`` continuations) and RFC 2047 words inside quotes.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import dataclass
from email.message import Message
from typing import Final
from urllib.parse import unquote_to_bytes

from ecms_gateway.mail.charsets import decode_bytes, decode_header, raw_bytes, unfold

_EXTENDED: Final = re.compile(r"^(?P<name>[^*]+)(?:\*(?P<index>\d+))?(?P<star>\*)?$")


@dataclass(frozen=True, kw_only=True)
class HeaderValue:
    """A structured header: its first token (``application/pdf``, ``attachment``) and its parameters."""

    value: str
    params: dict[str, str]


def _split(text: str) -> list[str]:
    """Split on ``;`` outside quoted strings."""
    pieces, current, quoted, escaped = [], [], False, False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            current.append(ch)
            escaped = True
        elif ch == '"':
            quoted = not quoted
            current.append(ch)
        elif ch == ";" and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return pieces


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def parse_structured(raw: str | None) -> HeaderValue:
    """Parse ``type/sub; a=b; name*0*=utf-8''%E0..`` (``raw`` as the parser read it, 8-bit escaped)."""
    if not raw:
        return HeaderValue(value="", params={})
    first, *rest = _split(unfold(raw))
    simple: dict[str, str] = {}
    sections: dict[str, list[tuple[int, bool, str]]] = {}
    for piece in rest:
        name, sep, value = piece.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            continue
        match = _EXTENDED.match(name)
        if match and (match["index"] is not None or match["star"]):
            index = int(match["index"] or 0)
            sections.setdefault(match["name"], []).append((index, bool(match["star"]), _unquote(value)))
        else:
            simple.setdefault(name, _unquote(value))
    params = {name: decode_header(value) for name, value in simple.items()}
    for name, parts in sections.items():
        params[name] = _join_sections(sorted(parts))  # RFC 2231 wins over the plain form
    return HeaderValue(value=first.strip().lower(), params=params)


def _join_sections(parts: list[tuple[int, bool, str]]) -> str:
    charset: str | None = None
    data = b""
    for position, (_index, extended, value) in enumerate(parts):
        if extended:
            text = value
            if position == 0 and value.count("'") >= 2:
                charset, _language, text = value.split("'", 2)
            data += unquote_to_bytes(text)
        else:
            data += raw_bytes(value)
    return decode_bytes(data, charset or "utf-8")


def content_type(part: Message) -> HeaderValue:
    parsed = parse_structured(_raw(part, "Content-Type"))
    if "/" not in parsed.value:
        default = "message/rfc822" if part.get_default_type() == "message/rfc822" else "text/plain"
        return HeaderValue(value=default, params=parsed.params)
    return parsed


def disposition(part: Message) -> HeaderValue:
    return parse_structured(_raw(part, "Content-Disposition"))


def file_name(part: Message) -> str | None:
    """The part's file name: ``filename`` of Content-Disposition, else ``name`` of Content-Type."""
    name = disposition(part).params.get("filename") or content_type(part).params.get("name")
    return name.strip() if name and name.strip() else None


def _raw(part: Message, name: str) -> str | None:
    for key, value in part.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def payload_bytes(part: Message) -> tuple[bytes, str | None]:
    """The decoded body of a leaf part, and a problem when its transfer encoding is broken."""
    payload = part.get_payload(decode=False)
    text = payload if isinstance(payload, str) else ""
    encoding = (_raw(part, "Content-Transfer-Encoding") or "7bit").strip().lower()
    data = raw_bytes(text)
    if encoding == "base64":
        compact = b"".join(data.split())
        try:
            return base64.b64decode(compact, validate=True), None
        except (binascii.Error, ValueError):
            cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", compact)
            cleaned += b"=" * (-len(cleaned) % 4)
            try:
                return base64.b64decode(cleaned), "is not valid Base64"
            except (binascii.Error, ValueError):
                return b"", "is not valid Base64"
    if encoding == "quoted-printable":
        return quopri.decodestring(data), None
    return data, None


def text_of(part: Message) -> str:
    """A text part's content, decoded by its charset label (or guessed), with ``\n`` line ends."""
    data, _problem = payload_bytes(part)
    text = decode_bytes(data, content_type(part).params.get("charset"))
    return text.replace("\r\n", "\n").replace("\r", "\n")

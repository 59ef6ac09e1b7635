"""A person's text-only answer to a letter we mailed: which of our letters it names, its own words
without the quoted history, and a receive number it mentions ("ลงรับเลขที่ 1234").

Pure text work: the mail processor looks the named Message-IDs up in the store (``letter_of_mailed``).
"""

from __future__ import annotations

import re
from typing import Final

from ecms_gateway.letter.thai import to_arabic_digits
from ecms_gateway.mail.parse import ParsedMail
from ecms_gateway.mail.wording import FOOTER_LEAD, FOOTER_TAIL, LETTER_LEAD

MAX_REPLY_CHARS: Final = 2000
"""A reply's text kept on the letter; the mail itself stays in the inbox item for anything longer."""

_OUR_LETTER_ID: Final = re.compile(r"^<letter\.[0-9a-f]{32}@[^<>\s]+>$")
# "ลงรับเลขที่ 1234", "เลขรับ ๑๒๓๔", "เลขรับที่ 45/2569", "เลขทะเบียนรับ: 45", "ลงทะเบียนรับเลขที่ 7".
_RECEIVE_NO: Final = re.compile(
    r"(?:ลงทะเบียนรับ|เลขทะเบียนรับ|ทะเบียนรับ|ลงรับ|เลขรับ)\s*(?:เลขที่|ที่|เลข)?\s*[:：]?\s*"
    r"([0-9๐-๙]{1,9}(?:\s*/\s*[0-9๐-๙]{2,4})?)"
)
# Where quoted history starts: the line a mail program writes above what it quotes.
_ATTRIBUTION: Final = (
    re.compile(r"^\s*-{2,}\s*(?:original message|ข้อความต้นฉบับ|forwarded message)\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above its From:/Sent: block
    re.compile(r"wrote:\s*$|เขียนว่า\s*:?\s*$", re.I),  # Gmail, Thunderbird, Apple Mail (English, Thai)
)
# "On Mon, ... <a@b> wrote:" wrapped by a plain-text mail program: the line it starts on.
_ATTRIBUTION_START: Final = re.compile(r"^\s*(?:on|เมื่อ)\s", re.I)
_HEADER_BLOCK: Final = re.compile(r"^\s*\*?(?:from|จาก)\s*:", re.I)
_HEADER_NEXT: Final = re.compile(r"^\s*\*?(?:sent|date|to|subject|ส่ง|วันที่|ถึง|เรื่อง)\s*:", re.I)


def answered_letters(mail: ParsedMail) -> tuple[str, ...]:
    """Message-IDs of letter mails (``<letter.<hash>@domain>``) the mail answers: In-Reply-To first,
    then References from the newest; only the store can tell which of them are ours."""
    named = [mail.in_reply_to] if mail.in_reply_to else []
    named += reversed(mail.references)
    found: list[str] = []
    for message_id in named:
        if _OUR_LETTER_ID.match(message_id) and message_id not in found:
            found.append(message_id)
    return tuple(found)


def own_words(text: str, *, limit: int = MAX_REPLY_CHARS) -> str:
    """``text`` without the history a mail program quotes below it, at most ``limit`` characters.

    Conservative: quoting is cut only where a mail program marks it (``>`` lines, "On ... wrote:",
    "-----Original Message-----", Outlook's From:/Sent: block); when that would leave nothing (an answer
    written below the quote), only the ``>`` lines and the mark go. Our own letter mail quoted without
    any mark (some mail programs and people paste it as it is) is never their words: from its greeting
    to its footer, it goes wherever it stands.
    """
    lines = _without_our_mail(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    cut = _history_starts(lines)
    kept = [line for line in lines[:cut] if not line.lstrip().startswith(">")]
    if not "".join(kept).strip():  # written below the quote: keep all but the quoted lines and the mark
        kept = [line for i, line in enumerate(lines) if i != cut and not line.lstrip().startswith(">")]
    words = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in kept)).strip()
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def receive_number(text: str) -> str | None:
    """The receive number the words give ("ลงรับเลขที่ ๑๒๓๔" -> "1234"), or None."""
    match = _RECEIVE_NO.search(text)
    return None if match is None else re.sub(r"\s+", "", to_arabic_digits(match[1]))


def _without_our_mail(lines: list[str]) -> list[str]:
    """``lines`` without the letter mail the gateway wrote (``wording.letter_body``) where it is quoted
    unmarked: from its greeting (``เรียน ...`` just above its lead line) to its footer, or to the end
    when the footer is not there. Marked quotes (``> ...``) are left to the rest of ``own_words``."""
    lead = next((i for i, line in enumerate(lines) if LETTER_LEAD in line and not _marked(line)), None)
    if lead is None:
        return lines
    start = lead
    for above in (lead - 1, lead - 2):
        if above >= 0 and lines[above].strip().startswith("เรียน"):
            start = above
            break
        if above >= 0 and lines[above].strip():
            break
    end = next((i + 1 for i in range(lead, len(lines)) if lines[i].strip().startswith(FOOTER_LEAD)), None)
    if end is None:
        return lines[:start]
    if FOOTER_TAIL not in lines[end - 1] and end < len(lines) and lines[end].strip().startswith(FOOTER_TAIL):
        end += 1  # the footer wrapped by the mail program that quoted it
    return lines[:start] + lines[end:]


def _marked(line: str) -> bool:
    return line.lstrip().startswith(">")


def _history_starts(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if any(pattern.search(line) for pattern in _ATTRIBUTION):
            return _wrapped_from(lines, index)
        following = lines[index + 1 : index + 5]
        if _HEADER_BLOCK.match(line) and any(_HEADER_NEXT.match(later) for later in following):
            return index
    return len(lines)


def _wrapped_from(lines: list[str], index: int) -> int:
    """Where the attribution ending at line ``index`` starts: a mail program wraps a long "On ...
    wrote:" / "เมื่อ ... เขียนว่า:" line, leaving its first part on the line above."""
    if (
        index > 0
        and not _ATTRIBUTION_START.match(lines[index])
        and _ATTRIBUTION_START.match(lines[index - 1])
    ):
        return index - 1
    return index

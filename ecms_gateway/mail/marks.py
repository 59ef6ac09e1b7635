"""Speed and secrecy marks (ชั้นความเร็ว, ชั้นความลับ) read from what a person wrote, and the organisations
a mail was addressed to.

A mark counts only where it is clearly the letter's: after ``ชั้นความเร็ว`` / ``ชั้นความลับ``, in
brackets or opening the mail's subject (``[ด่วนที่สุด]``, ``ด่วนมาก ที่ ...``), or on a line of its own
(how the stamp appears in a letter's text). ``ลับ`` inside a word (``ตอบกลับ``, ``กลับ``) is not a mark.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.utils import getaddresses
from typing import Final

from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.mail.charsets import unfold
from ecms_gateway.mail.directory import MailDirectory
from ecms_gateway.mail.parse import ParsedMail

_SPEEDS: Final = {"ด่วนที่สุด": Speed.MOST_URGENT, "ด่วนมาก": Speed.VERY_URGENT, "ด่วน": Speed.URGENT}
_SECRECIES: Final = {"ลับที่สุด": Secrecy.TOP_SECRET, "ลับมาก": Secrecy.SECRET, "ลับ": Secrecy.CONFIDENTIAL}
_SPEED_WORD: Final = "ด่วนที่สุด|ด่วนมาก|ด่วน|ปกติ"
_SECRECY_WORD: Final = "ลับที่สุด|ลับมาก|ลับ|ปกติ"
_THAI_AFTER: Final = r"(?![\u0e01-\u0e4e])"  # the word ends here (no Thai letter or vowel follows)

_SPEED_LABELLED: Final = re.compile(rf"ชั้นความเร็ว\s*[:：]?\s*({_SPEED_WORD}){_THAI_AFTER}")
_SECRECY_LABELLED: Final = re.compile(rf"ชั้นความลับ\s*[:：]?\s*({_SECRECY_WORD}){_THAI_AFTER}")
_SPEED_OPENING: Final = re.compile(rf"^\s*(?:\[\s*)?(ด่วนที่สุด|ด่วนมาก|ด่วน){_THAI_AFTER}")
_SECRECY_OPENING: Final = re.compile(r"^\s*\[\s*(ลับที่สุด|ลับมาก|ลับ)\s*\]")
_SPEED_LINE: Final = re.compile(r"(?m)^[ \t>]*(ด่วนที่สุด|ด่วนมาก|ด่วน)[ \t]*$")
_SECRECY_LINE: Final = re.compile(r"(?m)^[ \t>]*(ลับที่สุด|ลับมาก|ลับ)[ \t]*$")
_REPLY_PREFIX: Final = re.compile(r"^\s*(?:(?:re|fw|fwd|ตอบกลับ|ส่งต่อ)\s*[:：]\s*)+", re.IGNORECASE)


def speed_mark(subjects: Sequence[str], texts: Sequence[str]) -> Speed | None:
    """The letter's speed mark, or None when the mail shows none (the letter is then normal)."""
    word = _find(subjects, texts, _SPEED_LABELLED, _SPEED_OPENING, _SPEED_LINE)
    if word is None:
        return None
    return _SPEEDS.get(word, Speed.NORMAL)


def secrecy_mark(subjects: Sequence[str], texts: Sequence[str]) -> Secrecy | None:
    """The letter's secrecy mark, or None when the mail shows none (the letter is then normal)."""
    word = _find(subjects, texts, _SECRECY_LABELLED, _SECRECY_OPENING, _SECRECY_LINE)
    if word is None:
        return None
    return _SECRECIES.get(word, Secrecy.NORMAL)


def _find(
    subjects: Sequence[str],
    texts: Sequence[str],
    labelled: re.Pattern[str],
    opening: re.Pattern[str],
    line: re.Pattern[str],
) -> str | None:
    for source in (*subjects, *texts):
        match = labelled.search(source)
        if match:
            return match[1]
    for subject in subjects:
        match = opening.search(_REPLY_PREFIX.sub("", subject))
        if match:
            return match[1]
    for text in texts:
        match = line.search(text)
        if match:
            return match[1]
    return None


def addressed_orgs(mail: ParsedMail, directory: MailDirectory | None) -> tuple[str, ...]:
    """The organisations whose central addresses the mail was sent to (To, then Cc), in that order."""
    if directory is None:
        return ()
    addresses = [*mail.to, *(a for _n, a in getaddresses([unfold(mail.header("Cc") or "")]) if a)]
    found: list[str] = []
    for address in addresses:
        contact = directory.by_address(address)
        if contact is not None and contact.org_id not in found:
            found.append(contact.org_id)
    return tuple(found)

"""A letter date as a clerk types it: ISO, day/month/year or Thai words, Thai or Arabic digits, either era.

``2026-11-20``, ``2569-11-20``, ``20/11/2569``, ``๒๐/๑๑/๒๕๖๙``, ``20 พฤศจิกายน 2569``, ``๒๐ พ.ย. ๖๙`` all
give 20 November 2026. A four-digit year above 2400 is the Buddhist Era (พ.ศ.); at or below, Gregorian.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from ecms_gateway.errors import InputError
from ecms_gateway.letter.thai import BE_OFFSET, parse_thai_date, to_arabic_digits

_ISO: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY: Final = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")


def parse_clerk_date(text: str) -> date:
    """The date ``text`` names; ``InputError`` saying what to write when it names none."""
    plain = to_arabic_digits(text).strip()
    iso = _ISO.fullmatch(plain)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        return _date(year, month, day, text)
    dmy = _DMY.fullmatch(plain)
    if dmy:
        day, month, year = (int(g) for g in dmy.groups())
        return _date(year, month, day, text)
    found = parse_thai_date(plain)
    if found is not None and re.fullmatch(r"[\d\s\u0e00-\u0e7f.]+", plain):
        return found
    raise InputError(
        f"'{text}' ไม่ใช่วันที่ที่อ่านได้ (not a date): เขียนเช่น 20 พฤศจิกายน 2569, 20/11/2569 หรือ 2026-11-20"
    )


def _date(year: int, month: int, day: int, text: str) -> date:
    if year > 2400:
        year -= BE_OFFSET
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError(f"'{text}' ไม่มีวันนี้ในปฏิทิน (no such day): ตรวจวัน เดือน และปี") from None

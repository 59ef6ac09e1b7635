"""A letter date as a clerk types it: ISO, day/month/year or Thai words, Thai or Arabic digits, either era.

``2026-11-20``, ``2569-11-20``, ``20/11/2569``, ``๒๐/๑๑/๒๕๖๙``, ``20 พฤศจิกายน 2569``, ``๒๐ พ.ย. ๖๙`` all
give 20 November 2026. Every form reads its year by one rule (``thai.letter_year``): the era that puts
it between 100 years ago and next year, so ``5 มกราคม 2027`` and ``5/1/2027`` are both 2027; a year
neither era puts there (``2443``, ``2642``) is refused as a typo, saying which years a letter may have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from ecms_gateway.errors import InputError
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.letter.thai import (
    BE_OFFSET,
    THAI_DATE,
    Era,
    format_thai_date,
    letter_year,
    letter_years,
    month_number,
    thai_today,
    to_arabic_digits,
    written_year,
)

_ISO: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY: Final = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_LEAD: Final = re.compile(r"(?:ลง)?วันที่\s*")
"""``ลงวันที่`` / ``วันที่`` before a date in Thai words, as a clerk may paste it from the letter."""


@dataclass(frozen=True, kw_only=True)
class _Typed:
    day: int
    month: int
    year: int  # as written, four digits
    era: Era | None  # as marked (พ.ศ. / ค.ศ.), if it was


def parse_clerk_date(text: str, *, today: date | None = None) -> date:
    """The date ``text`` names; ``InputError`` saying what to write when it names none.

    ``today`` (Thailand's by default) decides the era of the year (``thai.letter_year``).
    """
    seen_from = thai_today() if today is None else today
    typed = _typed(" ".join(to_arabic_digits(text).split()))
    if typed is None:
        raise InputError(
            f"'{text}' ไม่ใช่วันที่ที่อ่านได้ (not a date): เขียนเช่น 20 พฤศจิกายน 2569, 20/11/2569 หรือ 2026-11-20",
            fault_code="date.unreadable",
            fault_params=fault_params("date.unreadable", value=text),
        )
    year = letter_year(typed.year, today=seen_from, era=typed.era)
    if year is None:
        raise _implausible(text, typed.year, seen_from)
    try:
        return date(year, typed.month, typed.day)
    except ValueError:
        raise InputError(
            f"'{text}' ไม่มีวันนี้ในปฏิทิน (no such day): ตรวจวัน เดือน และปี",
            fault_code="date.no_such_day",
            fault_params=fault_params("date.no_such_day", value=text),
        ) from None


def _typed(plain: str) -> _Typed | None:
    iso = _ISO.fullmatch(plain)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        return _Typed(day=day, month=month, year=year, era=None)
    dmy = _DMY.fullmatch(plain)
    if dmy:
        day, month, year = (int(g) for g in dmy.groups())
        return _Typed(day=day, month=month, year=year, era=None)
    words = THAI_DATE.fullmatch(_LEAD.sub("", plain, count=1) if _LEAD.match(plain) else plain)
    month_no = None if words is None else month_number(words["month"])
    if words is None or month_no is None:
        return None
    year, era = written_year(words)
    return _Typed(day=int(words["day"]), month=month_no, year=year, era=era)


def _implausible(text: str, written: int, today: date) -> InputError:
    first, last = letter_years(today)
    params = fault_params(
        "date.implausible_year",
        value=text,
        year=written,
        first=first,
        last=last,
        first_be=first + BE_OFFSET,
        last_be=last + BE_OFFSET,
        example=format_thai_date(today),
    )
    return InputError(
        f"'{text}': ปี {written} ไม่อยู่ในช่วงของวันที่หนังสือ (not a plausible letter year): "
        f"ใช้ พ.ศ. {params['first_be']}-{params['last_be']} หรือ ค.ศ. {first}-{last} "
        f"เช่น {params['example']}",
        fault_code="date.implausible_year",
        fault_params=params,
    )

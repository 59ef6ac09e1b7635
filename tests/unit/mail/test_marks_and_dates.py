"""Speed and secrecy marks read only where they are clearly the letter's, and dates as clerks type them."""

from __future__ import annotations

from datetime import date

import pytest

from ecms_gateway.errors import InputError
from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.letter.dates import parse_clerk_date
from ecms_gateway.mail.marks import secrecy_mark, speed_mark


@pytest.mark.parametrize(
    ("subjects", "texts", "speed"),
    [
        (["[ด่วนที่สุด] ที่ ศธ 0206/1234 เรื่อง ทดสอบ"], [], Speed.MOST_URGENT),
        (["Re: ด่วนมาก ที่ ศธ 0206/1234"], [], Speed.VERY_URGENT),
        ([], ["ชั้นความเร็ว: ด่วน\nเรื่อง ทดสอบ"], Speed.URGENT),
        ([], ["ด่วนที่สุด\nที่ ศธ 0206/1234"], Speed.MOST_URGENT),  # the stamp on a line of its own
        ([], ["ชั้นความเร็ว ปกติ"], Speed.NORMAL),
        (["ที่ ศธ 0206/1234 เรื่อง ขอข้อมูลด่วน"], ["กรุณาตอบกลับโดยด่วน"], None),  # in a sentence: no mark
    ],
)
def test_the_speed_mark_is_read_only_where_it_is_the_letters(
    subjects: list[str], texts: list[str], speed: Speed | None
) -> None:
    assert speed_mark(subjects, texts) is speed


@pytest.mark.parametrize(
    ("subjects", "texts", "secrecy"),
    [
        (["[ลับ] ที่ กห 0201/55"], [], Secrecy.CONFIDENTIAL),
        ([], ["ชั้นความลับ ลับมาก"], Secrecy.SECRET),
        ([], ["ลับที่สุด\nที่ กห 0201/55"], Secrecy.TOP_SECRET),
        (["ตอบกลับ: ที่ ศธ 0206/1"], ["โปรดส่งกลับภายในวันนี้", "ลับๆ ล่อๆ"], None),  # กลับ is not ลับ
    ],
)
def test_the_secrecy_mark_is_not_mistaken_for_part_of_a_word(
    subjects: list[str], texts: list[str], secrecy: Secrecy | None
) -> None:
    assert secrecy_mark(subjects, texts) is secrecy


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-20",
        "2569-11-20",
        "20/11/2569",
        "20/11/2026",
        "๒๐/๑๑/๒๕๖๙",
        "20 พฤศจิกายน 2569",
        "๒๐ พ.ย. ๖๙",
        "20.11.2569",
    ],
)
def test_a_clerks_date_in_any_usual_form_gives_the_same_day(text: str) -> None:
    assert parse_clerk_date(text) == date(2026, 11, 20)


@pytest.mark.parametrize("text", ["31/02/2569", "tomorrow", "20 Nov 2026 extra", ""])
def test_a_date_that_is_not_one_says_how_to_write_it(text: str) -> None:
    with pytest.raises(InputError, match=r"20/11/2569|ไม่มีวันนี้"):
        parse_clerk_date(text)

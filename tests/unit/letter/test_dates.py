"""A clerk's letter date: one rule for the year's era in every form (ISO, day/month/year, Thai words),
and a year that is a typo in both eras refused with a fault code saying which years to write."""

from __future__ import annotations

from datetime import date

import pytest

from ecms_gateway.errors import InputError
from ecms_gateway.fault_codes import FAULT_CODES
from ecms_gateway.letter.dates import parse_clerk_date

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    "text",
    [
        "5 มกราคม 2027",
        "5/1/2027",
        "2027-01-05",
        "๕ ม.ค. ๒๐๒๗",
        "5 มกราคม ค.ศ. 2027",
        "5 มกราคม 2570",
        "5/1/2570",
    ],
)
def test_a_year_is_read_in_the_same_era_whatever_the_form(text: str) -> None:
    """``5 มกราคม 2027`` is 2027 CE, as ``5/1/2027`` is, never 2027 BE (1484 CE)."""
    assert parse_clerk_date(text, today=TODAY) == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 มกราคม 2469", date(1926, 1, 1)),  # a reference 100 years old
        ("1/1/1926", date(1926, 1, 1)),
        ("31 ธันวาคม 2570", date(2027, 12, 31)),  # next year
        ("ลงวันที่ 20 พ.ย. 2569", date(2026, 11, 20)),  # pasted with the word before it
        ("20 พ.ย. 69", date(2026, 11, 20)),
    ],
)
def test_old_references_and_next_years_letters_are_dates(text: str, expected: date) -> None:
    assert parse_clerk_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1/1/2443",
        "1 มกราคม 2443",
        "1/1/1900",
        "2642-01-01",
        "1 มกราคม 2642",
        "1/1/2028",
        "5 มกราคม พ.ศ. 2027",
    ],
)
def test_a_year_that_is_a_typo_in_both_eras_is_refused_saying_which_years_to_write(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_clerk_date(text, today=TODAY)
    error = caught.value
    assert error.fault_code == "date.implausible_year"
    assert set(error.fault_params) == FAULT_CODES["date.implausible_year"]
    assert dict(error.fault_params) | {"value": "", "year": ""} == {
        "value": "",
        "year": "",
        "first": "1926",
        "last": "2027",
        "first_be": "2469",
        "last_be": "2570",
        "example": "21 พฤศจิกายน 2569",
    }
    assert "พ.ศ. 2469-2570" in str(error)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("31/02/2569", "date.no_such_day"),
        ("31 กุมภาพันธ์ 2569", "date.no_such_day"),
        ("tomorrow", "date.unreadable"),
    ],
)
def test_a_date_that_is_not_one_carries_its_fault_code(text: str, code: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_clerk_date(text, today=TODAY)
    assert caught.value.fault_code == code
    assert dict(caught.value.fault_params) == {"value": text}


def test_the_window_moves_with_today() -> None:
    assert parse_clerk_date("5/1/2028", today=date(2027, 3, 1)) == date(2028, 1, 5)
    with pytest.raises(InputError):
        parse_clerk_date("5/1/2028", today=TODAY)

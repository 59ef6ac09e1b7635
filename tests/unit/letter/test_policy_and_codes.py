"""Speed and secrecy codes, and the rules on what may leave the agency."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.errors import InputError, PolicyRefused
from ecms_gateway.letter import Kind, Secrecy, Speed
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.policy import SecrecyPolicy, check_may_leave


@pytest.mark.parametrize(
    ("speed", "code", "thai"),
    [
        (Speed.NORMAL, "001", "ปกติ"),
        (Speed.URGENT, "002", "ด่วน"),
        (Speed.VERY_URGENT, "003", "ด่วนมาก"),
        (Speed.MOST_URGENT, "004", "ด่วนที่สุด"),
    ],
)
def test_speed_maps_to_ecms_codes_and_back(speed: Speed, code: str, thai: str) -> None:
    assert speed.code == code
    assert speed.thai == thai
    assert Speed.from_code(code) is speed


@pytest.mark.parametrize(
    ("secrecy", "code", "thai"),
    [
        (Secrecy.NORMAL, "001", "ปกติ"),
        (Secrecy.CONFIDENTIAL, "002", "ลับ"),
        (Secrecy.SECRET, "003", "ลับมาก"),
        (Secrecy.TOP_SECRET, "004", "ลับที่สุด"),
    ],
)
def test_secrecy_maps_to_ecms_codes_and_back(secrecy: Secrecy, code: str, thai: str) -> None:
    assert secrecy.code == code
    assert secrecy.thai == thai
    assert Secrecy.from_code(code) is secrecy


@pytest.mark.parametrize("code", ["000", "005", "1", "abc", ""])
def test_unknown_codes_are_refused_with_the_allowed_values(code: str) -> None:
    with pytest.raises(InputError, match="001, 002, 003, 004"):
        Speed.from_code(code)


def test_only_the_first_four_kinds_may_leave() -> None:
    leaving = {k for k in Kind if k.may_leave_agency}
    assert leaving == {Kind.EXTERNAL, Kind.STAMPED, Kind.DIRECTIVE, Kind.ANNOUNCEMENT}


def test_top_secret_is_refused_whatever_the_policy_allows(samples: Path) -> None:
    letter = load_letter_file(samples / "letter-003.json").letter
    everything = SecrecyPolicy(allowed=frozenset(Secrecy))
    with pytest.raises(PolicyRefused, match="ลับที่สุด") as info:
        check_may_leave(letter, everything)
    assert "paper" in str(info.value)


def test_internal_memo_may_not_leave(samples: Path) -> None:
    letter = load_letter_file(samples / "letter-004.json").letter
    with pytest.raises(PolicyRefused, match="stays inside the agency"):
        check_may_leave(letter)


def test_secret_classes_follow_the_agency_policy(samples: Path) -> None:
    letter = load_letter_file(samples / "letter-001.json").letter.model_copy(
        update={"secrecy": Secrecy.CONFIDENTIAL}
    )
    with pytest.raises(PolicyRefused, match="on paper"):
        check_may_leave(letter)
    check_may_leave(letter, SecrecyPolicy(allowed=frozenset({Secrecy.NORMAL, Secrecy.CONFIDENTIAL})))


def test_normal_external_letter_may_leave(samples: Path) -> None:
    check_may_leave(load_letter_file(samples / "letter-001.json").letter)

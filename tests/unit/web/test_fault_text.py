"""The core's faults and refusals in the clerk's language: every code the core can give has a Thai and
an English text with exactly its parameters, and sample letter 005's faults read in Thai."""

from __future__ import annotations

import re
import string

import pytest
from ecms_adapters.runtime.layout import sample_letters
from ecms_adapters.web.fault_text import FAULT_TEXTS, error_text, fault_text

from ecms_gateway.errors import Fault, InputError, LetterInvalid, PolicyRefused
from ecms_gateway.fault_codes import FAULT_CODES, fault_params
from ecms_gateway.letter.codes import Secrecy
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.policy import check_may_leave

THAI = re.compile(r"[\u0E00-\u0E7F]")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("code", sorted(FAULT_CODES))
def test_every_core_fault_code_has_thai_and_english_with_its_parameters(code: str) -> None:
    assert code in FAULT_TEXTS, f"{code} has no text in the web catalogue"
    thai, english = FAULT_TEXTS[code]
    assert THAI.search(thai), f"{code}: the Thai text has no Thai"
    assert english.strip()
    assert not THAI.search(english.replace("พ.ศ.", "").replace("ค.ศ.", "")), f"{code}: Thai in English"
    assert _fields(thai) == set(FAULT_CODES[code]), code
    assert _fields(english) == set(FAULT_CODES[code]), code


def test_the_catalogue_has_no_code_the_core_does_not_give() -> None:
    assert set(FAULT_TEXTS) <= set(FAULT_CODES)


def test_fault_params_refuses_an_unknown_code_or_wrong_parameters() -> None:
    with pytest.raises(ValueError, match="not in FAULT_CODES"):
        fault_params("no.such.code")
    with pytest.raises(ValueError, match="takes"):
        fault_params("enum", value="x")


def test_sample_005_faults_all_carry_codes_and_read_in_thai_with_the_field_label() -> None:
    with pytest.raises(LetterInvalid) as caught:
        load_letter_file(sample_letters() / "letter-005-invalid.json")
    faults = caught.value.faults
    assert len(faults) == 6
    assert all(f.code in FAULT_CODES for f in faults), [f.code for f in faults]
    texts = {f.where: fault_text("th", f) for f in faults}
    assert texts["subject"] == "เรื่อง: จำเป็นต้องกรอก"
    assert texts["book_no"].startswith("ที่ (เลขที่หนังสือ): ว่างอยู่")
    assert "ไม่ใช่วันที่ที่มีจริง" in texts["date"]
    assert "'very fast' ใช้ไม่ได้" in texts["speed"]
    assert "'20990' ไม่ใช่รหัสส่วนราชการ" in texts["sender.org_id"]
    assert "ไม่พบไฟล์ 'missing.pdf'" in texts["main_file.path"]
    for fault in faults:
        assert fault.problem not in texts[fault.where]
        assert fault_text("en", fault).endswith(fault.problem.replace('"', "'"))


def test_a_fault_without_a_known_code_shows_its_english_problem() -> None:
    fault = Fault(where="letter", problem="something the core has not coded")
    assert fault_text("th", fault) == "something the core has not coded"
    assert str(fault) == "letter: something the core has not coded"


def test_a_top_secret_refusal_reads_in_thai_and_stays_english_for_the_cli_and_api() -> None:
    package = load_letter_file(sample_letters() / "letter-001.json")
    letter = package.letter.model_copy(update={"secrecy": Secrecy.TOP_SECRET})
    with pytest.raises(PolicyRefused) as caught:
        check_may_leave(letter)
    assert str(caught.value).startswith(f"letter {letter.book_no} is top secret (ลับที่สุด): the regulation")
    thai = error_text("th", caught.value)
    assert thai.startswith(f"หนังสือที่ {letter.book_no} เป็นหนังสือลับที่สุด")
    assert "the regulation" not in thai
    assert error_text("en", caught.value).startswith(f"letter {letter.book_no} is top secret")


def test_the_party_a_refusal_names_is_said_in_the_page_language() -> None:
    params = fault_params(
        "routing.not_department", party="receiver", org_id="2099100042", department="2099100000"
    )
    refused = InputError("receiver.org_id ...", fault_code="routing.not_department", fault_params=params)
    assert error_text("th", refused).startswith("รหัสส่วนราชการของผู้รับ 2099100042 ส่งทาง e-CMS ไม่ได้")
    assert "กรุณาใช้ 2099100000" in error_text("th", refused)
    assert error_text("en", refused).startswith("the receiver, 2099100042, cannot travel over e-CMS")


def test_a_duplicate_refusal_says_its_date_as_the_page_says_dates() -> None:
    params = fault_params(
        "store.duplicate",
        book_no="ศธ 0990/7",
        date="2025-11-20",
        department="20990",
        letter_id=3,
        state="sent",
    )
    refused = InputError("letter ...", fault_code="store.duplicate", fault_params=params)
    thai = error_text("th", refused)
    assert "ลงวันที่ 20 พ.ย. 2568 (รหัสกรมผู้ส่ง 20990)" in thai
    assert "2025-11-20" not in thai
    assert "of 20 Nov 2568 BE from department 20990" in error_text("en", refused)

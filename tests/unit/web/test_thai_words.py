"""Thai line breaks: marked between words only, between character clusters only in a word too wide for
a line, never changing the text, and without PyThaiNLP writing into the home directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ecms_adapters.web.thai_words import ZWSP, word_breaks
from hypothesis import given, settings
from hypothesis import strategies as st

SUBJECT_WORDS = [
    "ขอ", "เชิญ", "ประชุม", "คณะกรรมการ", "พิจารณา", "หลักเกณฑ์", "การประเมินผล", "การ", "ปฏิบัติงาน",
    "ของ", "ข้าราชการ", "ครู", "และ", "บุคลากร", "ทาง", "การศึกษา",
]  # fmt: skip
# Thai characters that belong to the consonant before them: a line never starts with one.
FOLLOWING = set("ะาำๅัิีึืฺุู็่้๊๋์ํ")


def test_marks_every_boundary_between_thai_words_and_nothing_else() -> None:
    subject = "".join(SUBJECT_WORDS)
    assert word_breaks(subject) == ZWSP.join(SUBJECT_WORDS)


def test_text_without_thai_is_returned_as_it_is() -> None:
    for text in ("", "ABC-123/2569", "Ministry of Education, 2099000000"):
        assert word_breaks(text) == text


def test_numbers_and_latin_next_to_thai_get_no_mark() -> None:
    text = "ที่ ศธ 0990/1234 ลงวันที่ 5 มีนาคม 2569 เรื่อง ขอเชิญใช้ e-CMS"
    marked = word_breaks(text)
    assert marked.replace(ZWSP, "") == text
    assert "0990/1234" in marked
    assert "2569" in marked
    assert "e-CMS" in marked
    assert f"ขอ{ZWSP}เชิญ{ZWSP}ใช้ e-CMS" in marked


def test_a_word_too_wide_for_the_line_is_marked_between_its_clusters() -> None:
    marked = word_breaks("เลขทะเบียน", fits=lambda word: len(word) < 6)
    pieces = marked.split(ZWSP)
    assert "".join(pieces) == "เลขทะเบียน"
    assert len(pieces) > 1
    assert not any(piece[0] in FOLLOWING for piece in pieces)
    assert "เ" not in {piece[-1] for piece in pieces}  # a leading vowel stays with its consonant


def test_a_word_without_thai_too_wide_for_the_line_is_marked_between_its_characters() -> None:
    code = "ABC-123/2569-" * 3
    marked = word_breaks(f"ref {code}", fits=lambda word: len(word) < 6)
    assert marked == "ref " + ZWSP.join(code)
    accented = "Cafe\u0301-Cafe\u0301"  # a combining accent stays with its letter
    assert word_breaks(accented, fits=lambda word: len(word) < 3).split(ZWSP)[3] == "e\u0301"


def test_a_word_that_fits_is_not_cut() -> None:
    assert word_breaks("เลขทะเบียน", fits=lambda word: True) == "เลขทะเบียน"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("กขคงเแโใไาะำิีุู่้๊๋็์ัๆฯ ๑๒0123456789/-.ABCabc\n\t"), max_size=60))
def test_marks_only_add_zero_width_spaces(text: str) -> None:
    marked = word_breaks(text, fits=lambda word: len(word) < 5)
    assert marked.replace(ZWSP, "") == text
    assert ZWSP * 2 not in marked


def test_no_data_folder_is_made_in_the_home_directory(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYTHAINLP")}
    environment["HOME"] = str(tmp_path)
    code = "from ecms_adapters.web.thai_words import word_breaks; print(word_breaks('ขอเชิญประชุม'))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ZWSP.join(["ขอ", "เชิญ", "ประชุม"])
    assert list(tmp_path.iterdir()) == []


# Subjects of the kind a registry book holds: long runs without spaces, names of offices, words
# outside the dictionary, sara am, numbers and Latin mixed in.
BOOK_SUBJECTS = [
    "".join(SUBJECT_WORDS),
    "ขอเชิญประชุมคณะทำงานการเชื่อมโยงระบบสารบรรณอิเล็กทรอนิกส์",
    "สำนักงานเลขาธิการคุรุสภาขอความอนุเคราะห์ส่งรายชื่อผู้เข้ารับการอบรมภายในวันที่ 5 ธันวาคม 2569",
    "ขอส่งสำเนาคำสั่งแต่งตั้งคณะกรรมการดำเนินงานโครงการพัฒนาครูทั้งระบบ (e-CMS) ที่ ศธ 0990/1234",
    "แจ้งผลการพิจารณาน้ำท่วมฉับพลันค่ำคืนวันที่สามกำหนดการเยี่ยมชมสถานศึกษาของกระทรวงศึกษาธิการ",
    "ขอบคุณครับ สวัสดีค่ะ ชินโซอาเบะ กรุงเทพมหานคร ฯลฯ",
]


def test_words_are_found_as_pythainlps_own_dictionary_finds_them() -> None:
    """The compact dictionary cuts every subject exactly as PyThaiNLP's own default trie of the same
    word list does."""
    from ecms_adapters.web.thai_words import _tokenizers  # noqa: PLC0415 - the tokenizer under test
    from pythainlp.tokenize import word_tokenize  # noqa: PLC0415 - loaded by _tokenizers() first

    words = _tokenizers()[0]
    for subject in BOOK_SUBJECTS:
        assert words(subject) == word_tokenize(subject, engine="newmm", keep_whitespace=True), subject

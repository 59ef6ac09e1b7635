"""The inbox folder's name keeps a Thai book number readable: only what a file name cannot hold
becomes ``-``."""

from __future__ import annotations

import pytest
from ecms_adapters.folders import folder_name


@pytest.mark.parametrize(
    ("book_no", "expected"),
    [
        ("ศธ 0990/1234", "7-ศธ-0990-1234"),
        ("ที่ มท ๐๘๐๘.๒/ว๑", "7-ที่-มท-๐๘๐๘.๒-ว๑"),  # tone and vowel marks stay on their letters
        ("สำนักนายกรัฐมนตรี 1/2", "7-สำนักนายกรัฐมนตรี-1-2"),
        ("กค 0409.3/ว 15", "7-กค-0409.3-ว-15"),
        ("a\\b:c*?", "7-a-b-c"),
        ("../..", "7"),
        ("", "7"),
    ],
)
def test_a_book_number_keeps_its_letters_digits_and_marks(book_no: str, expected: str) -> None:
    assert folder_name(7, book_no) == expected

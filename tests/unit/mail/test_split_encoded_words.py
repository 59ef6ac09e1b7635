"""RFC 2047 words cut in the middle of a Thai character (as some webmails fold long UTF-8 subjects)
still read as the Thai the person typed, through to the letter's fields."""

from __future__ import annotations

import base64

from ecms_gateway.mail.charsets import decode_header
from ecms_gateway.mail.extract import extract_fields

SUBJECT = "ที่ สธ 0201/ว 812 เรื่อง ขอเชิญร่วมโครงการรณรงค์ป้องกันไข้เลือดออก"


def _cut(text: str, at: int, charset: str = "utf-8", codec: str = "utf-8") -> str:
    data = text.encode(codec)
    assert data[at - 1 : at + 1].decode(codec, errors="replace") != text  # the cut is inside a character
    first, second = (base64.b64encode(part).decode() for part in (data[:at], data[at:]))
    return f"=?{charset}?B?{first}?=\r\n =?{charset}?B?{second}?="


def test_a_thai_character_cut_between_two_words_is_read_whole() -> None:
    for at in (40, 41, 59):
        assert decode_header(_cut(SUBJECT, at)) == SUBJECT


def test_the_cut_subject_gives_the_letters_fields() -> None:
    result = extract_fields([decode_header(_cut(SUBJECT, 40))], [])
    assert result.book_no == "สธ 0201/ว 812"
    assert result.subject == "ขอเชิญร่วมโครงการรณรงค์ป้องกันไข้เลือดออก"


def test_words_in_different_charsets_keep_their_own_reading() -> None:
    thai = base64.b64encode("สารบรรณ".encode("cp874")).decode()
    mixed = f"=?windows-874?B?{thai}?= =?utf-8?B?{base64.b64encode(' กลาง'.encode()).decode()}?="
    assert decode_header(mixed) == "สารบรรณ กลาง"

"""Headers, parameters and bodies in the encodings Thai mail really uses."""

from __future__ import annotations

import base64

import pytest

from ecms_gateway.mail.charsets import codec_for, decode_bytes, decode_header, html_to_text
from ecms_gateway.mail.mimeparams import parse_structured
from ecms_gateway.mail.parse import parse_mail

THAI = "หนังสือราชการ “ด่วน” ๒๕๖๙"


@pytest.mark.parametrize(
    "label", ["windows-874", "x-windows-874", "TIS-620", "tis620", "ISO-8859-11", "cp874"]
)
def test_every_thai_label_decodes_as_windows_874_including_its_extra_characters(label: str) -> None:
    assert codec_for(label) == "cp874"
    assert decode_bytes(THAI.encode("cp874"), label) == THAI


def test_unlabelled_or_mislabelled_bytes_are_tried_as_utf_8_then_windows_874() -> None:
    assert decode_bytes(THAI.encode("utf-8"), None) == THAI
    assert decode_bytes(THAI.encode("cp874"), None) == THAI
    assert decode_bytes(THAI.encode("utf-8"), "us-ascii") == THAI
    assert decode_bytes(THAI.encode("cp874"), "utf-8") == THAI
    assert decode_bytes(THAI.encode("utf-8"), "no-such-charset") == THAI


def test_rfc2047_words_in_any_thai_charset_and_both_encodings_join_without_the_space_between() -> None:
    b_word = "=?windows-874?B?" + base64.b64encode("หนังสือ".encode("cp874")).decode() + "?="
    q_word = "=?TIS-620?Q?" + "".join(f"={b:02X}" for b in "ราชการ".encode("cp874")) + "?="
    u_word = "=?utf-8?b?" + base64.b64encode(" ด่วน".encode()).decode() + "?="
    assert decode_header(f"{b_word}\r\n {q_word} {u_word} (copy)") == "หนังสือราชการ ด่วน (copy)"


def test_raw_8bit_headers_in_utf8_or_windows_874_are_decoded() -> None:
    raw = b"Subject: " + THAI.encode("cp874") + b"\r\nFrom: a@b.go.th\r\n\r\nx"
    assert parse_mail(raw).subject == THAI
    raw = b"Subject: " + THAI.encode() + b"\r\nFrom: a@b.go.th\r\n\r\nx"
    assert parse_mail(raw).subject == THAI


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("attachment; filename*=UTF-8''%E0%B8%AB%E0%B8%99%E0%B8%B1%E0%B8%87.pdf", "หนัง.pdf"),
        (
            "attachment;\r\n filename*0*=utf-8'th'%E0%B8%AB%E0%B8%99;\r\n filename*1*=%E0%B8%B1%E0%B8%87.pdf",
            "หนัง.pdf",
        ),
        ('attachment; filename*0="plain "; filename*1="parts.pdf"', "plain parts.pdf"),
        ('attachment; filename="=?UTF-8?B?4Lir4LiZ4Lix4LiHLnBkZg==?="', "หนัง.pdf"),
        ('attachment; filename="a;b.pdf"; size=5', "a;b.pdf"),
        ('attachment; filename="say \\"hi\\".pdf"', 'say "hi".pdf'),
    ],
)
def test_file_names_in_rfc2231_continuations_rfc2047_words_and_quoted_strings(header: str, name: str) -> None:
    parsed = parse_structured(header)
    assert parsed.value == "attachment"
    assert parsed.params["filename"] == name


def test_a_raw_windows_874_file_name_is_decoded() -> None:
    header = b'attachment; filename="' + "ไฟล์.pdf".encode("cp874") + b'"'
    parsed = parse_structured(header.decode("ascii", "surrogateescape"))
    assert parsed.params["filename"] == "ไฟล์.pdf"


def test_html_only_bodies_become_readable_text() -> None:
    html = (
        "<html><head><style>p{}</style></head>"
        "<body><p>ที่ ศธ 0206/1&nbsp;2</p><div>เรื่อง &amp; ทดสอบ</div></body>"
    )
    assert html_to_text(html) == "ที่ ศธ 0206/1 2\nเรื่อง & ทดสอบ"


def test_base64_quoted_printable_and_nested_alternatives_give_one_text() -> None:
    raw = (
        b"From: a@b.go.th\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\n"
        b"Content-Type: multipart/related; boundary=r\r\n\r\n--r\r\n"
        b"Content-Type: multipart/alternative; boundary=a\r\n\r\n--a\r\n"
        b"Content-Type: text/plain; charset=tis-620\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"=B7=D5=E8 =C8=B8 0206/1234\r\n--a\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<b>x</b>\r\n--a--\r\n"
        b"--r--\r\n--o--\r\n"
    )
    assert parse_mail(raw).text == "ที่ ศธ 0206/1234"

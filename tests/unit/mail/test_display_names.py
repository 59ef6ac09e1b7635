"""Long Thai display names in From/To: encoded in RFC 2047 words under 76 characters, cut between whole
characters, and read back exactly by the gateway's own reader (which joins adjacent words as RFC 2047
says). Python's ``email`` address parser (policy ``default``) puts a space between adjacent words of a
display name, its own output's included: that reading is not the gateway's."""

from __future__ import annotations

import re

from ecms_gateway.mail import mime
from ecms_gateway.mail.parse import parse_mail

NAMES = (
    "สำนักงานเลขาธิการคุรุสภา กระทรวงศึกษาธิการ",
    "สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐานตัวอย่างชื่อหน่วยงานที่ยาวมากเป็นพิเศษ",
    "กรมส่งเสริมการเรียนรู้ (สกร.) ๑๒๓",
)


def test_a_long_thai_display_name_is_read_back_exactly() -> None:
    for name in NAMES:
        raw = (
            mime.address_header("From", [(name, "ksp@saraban.mail.go.th")])
            + b"To: saraban@example.go.th\r\nSubject: x\r\n\r\nbody\r\n"
        )
        for word in re.findall(rb"=\?[^?]+\?b\?[^?]*\?=", raw):
            assert len(word) <= 75, word
        mail = parse_mail(raw)
        assert mail.from_name == name
        assert mail.from_address == "ksp@saraban.mail.go.th"

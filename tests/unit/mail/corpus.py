"""A corpus of received mail shaped like what real programs send, built here byte by byte.

Thunderbird (UTF-8, 8-bit body, RFC 2231 continued file names), Outlook (windows-874 / TIS-620,
quoted-printable, RFC 2047 file names, multipart/alternative), Gmail webmail (Base64 bodies, RFC 2231
names, octet-stream PDFs), forwards (attached message/rfc822 and inline), an RFC 3464 bounce, automatic
replies, and garbage. Senders and addresses match ecms_gateway/samples/directory.json.
"""

from __future__ import annotations

import base64
import quopri
from pathlib import Path
from urllib.parse import quote

import ecms_gateway

LETTERS = Path(ecms_gateway.__file__).parent / "samples" / "letters"
PDF = (LETTERS / "letter-002.pdf").read_bytes()
PDF_2 = (LETTERS / "letter-003.pdf").read_bytes()
PNG = b"\x89PNG\r\n\x1a\nlogo"

US = "sample-council@saraban.example.go.th"  # 2099000000, the gateway's organisation
PEO = "saraban@sample-peo.example.go.th"  # 2099100000, in the directory
HEALTH = "sample-health@saraban.example.go.th"  # 2199000000, in the directory
STRANGER = "somchai.peo@gmail.com"  # a person, not in the directory

BOOK_THAI = "ศธ ๐๙๙๑/๐๔๕๖"
SUBJECT = "ขอความอนุเคราะห์ข้อมูลบุคลากรทางการศึกษา"
PDF_NAME = "หนังสือขอความอนุเคราะห์ข้อมูล ปีงบประมาณ ๒๕๗๐ (ฉบับลงนาม).pdf"
OUR_MESSAGE_ID = "<letter.67781ffcdeae5000e033148eaca35c4a@saraban.example.go.th>"


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")


def word(text: str, charset: str = "utf-8", encoding: str = "B") -> str:
    data = text.encode("cp874" if charset.lower() in ("windows-874", "tis-620") else charset)
    if encoding == "B":
        return f"=?{charset}?B?{base64.b64encode(data).decode('ascii')}?="
    q = "".join(
        chr(byte) if chr(byte).isascii() and chr(byte).isalnum() else "_" if byte == 0x20 else f"={byte:02X}"
        for byte in data
    )
    return f"=?{charset}?Q?{q}?="


def rfc2231_continued(name: str) -> str:
    encoded = quote(name.encode("utf-8"), safe="")
    parts = [encoded[i : i + 60] for i in range(0, len(encoded), 60)]
    first = f" filename*0*=UTF-8''{parts[0]}"
    rest = "".join(f";\r\n filename*{i}*={p}" for i, p in enumerate(parts[1:], start=1))
    return first + rest


def crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def thunderbird_letter() -> bytes:
    body = (
        "เรียน เลขาธิการสำนักงานตัวอย่างสภาวิชาชีพครู\n\n"
        f"ที่ {BOOK_THAI}\n"
        "ลงวันที่ ๑๙ พฤศจิกายน ๒๕๖๙\n"
        f"เรื่อง {SUBJECT}\n\n"
        "ด้วยสำนักงานศึกษาธิการจังหวัดตัวอย่างขอความอนุเคราะห์ข้อมูล รายละเอียดตามหนังสือที่แนบมา\n"
    )
    head = (
        "Message-ID: <8c1f2e7a-4b1d-4c55-9a0e-0f4f0b6d2c11@sample-peo.example.go.th>\n"
        "Date: Thu, 19 Nov 2026 10:15:00 +0700\n"
        "MIME-Version: 1.0\n"
        "User-Agent: Mozilla Thunderbird\n"
        "Content-Language: th\n"
        f"To: {US}\n"
        f"From: {word('สำนักงานศึกษาธิการจังหวัดตัวอย่าง')} <{PEO}>\n"
        f"Subject: {word(f'ที่ {BOOK_THAI} เรื่อง {SUBJECT}')}\n"
        'Content-Type: multipart/mixed; boundary="------------7Ab2Qk9xYz"\n\n'
        "This is a multi-part message in MIME format.\n"
        "--------------7Ab2Qk9xYz\n"
        "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
        "Content-Transfer-Encoding: 8bit\n\n"
    )
    tail = (
        "\n--------------7Ab2Qk9xYz\n"
        f'Content-Type: application/pdf; name="{word(PDF_NAME)}"\n'
        f"Content-Disposition: attachment;\n{rfc2231_continued(PDF_NAME)}\n"
        "Content-Transfer-Encoding: base64\n\n"
        f"{b64(PDF)}\n"
        "--------------7Ab2Qk9xYz--\n"
    )
    return crlf(head + body + tail)


def outlook_letter(charset: str = "windows-874") -> bytes:
    """Outlook: windows-874 text (curly quotes only windows-874 has), QP, RFC 2047 file name."""
    text = (
        "เรียน เลขาธิการสำนักงานตัวอย่างสภาวิชาชีพครู\r\n\r\n"
        "ที่ สธ 0201/ว 789\r\n"
        "ลงวันที่ 2 ธ.ค. 2569\r\n"
        "เรื่อง “การประชุมเชิงปฏิบัติการ” ด้านสุขภาพครู\r\n\r\n"
        "จึงเรียนมาเพื่อโปรดทราบ\r\n"
    )
    plain = quopri.encodestring(text.encode("cp874")).decode("ascii")
    html = base64.encodebytes(f"<html><body><p>{text}</p></body></html>".encode("cp874")).decode("ascii")
    name = "ด่วนที่สุด หนังสือเชิญประชุม.pdf"
    head = (
        f"From: {word('หน่วยงานสาธารณสุขตัวอย่าง', charset)} <{HEALTH.upper()}>\r\n"
        f"To: {word('สารบรรณ', charset)} <{US}>\r\n"
        f"Subject: {word('ที่ สธ 0201/ว 789 เรื่อง “การประชุมเชิงปฏิบัติการ”', charset, 'Q')}\r\n"
        "Thread-Topic: =?windows-874?B?tcG6?=\r\n"
        "Thread-Index: AdnM3xKq1wRzTn9yQ5GkZ3BfW1cC0A==\r\n"
        "Date: Wed, 2 Dec 2026 09:01:02 +0000\r\n"
        "Message-ID: <SI2PR06MB5041A1B2C3D4E5F6@SI2PR06MB5041.apcprd06.prod.outlook.com>\r\n"
        "Accept-Language: th-TH, en-US\r\n"
        "Content-Language: th-TH\r\n"
        "X-MS-Has-Attach: yes\r\n"
        "X-MS-TNEF-Correlator:\r\n"
        'Content-Type: multipart/mixed;\r\n\tboundary="_004_SI2PR06MB5041_"\r\n'
        "MIME-Version: 1.0\r\n\r\n"
        "--_004_SI2PR06MB5041_\r\n"
        'Content-Type: multipart/alternative;\r\n\tboundary="_000_SI2PR06MB5041_"\r\n\r\n'
        "--_000_SI2PR06MB5041_\r\n"
        f'Content-Type: text/plain; charset="{charset}"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{plain}\r\n"
        "--_000_SI2PR06MB5041_\r\n"
        f'Content-Type: text/html; charset="{charset}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{html}\r\n"
        "--_000_SI2PR06MB5041_--\r\n\r\n"
        "--_004_SI2PR06MB5041_\r\n"
        'Content-Type: image/png; name="image001.png"\r\n'
        'Content-Disposition: inline; filename="image001.png"\r\n'
        "Content-ID: <image001.png@01DA0000.00000000>\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{b64(PNG)}\r\n"
        "--_004_SI2PR06MB5041_\r\n"
        f'Content-Type: application/pdf; name="{word(name, charset)}"\r\n'
        f"Content-Description: {word(name, charset)}\r\n"
        f'Content-Disposition: attachment;\r\n\tfilename="{word(name, charset)}"; size={len(PDF_2)};\r\n'
        '\tcreation-date="Wed, 02 Dec 2026 08:59:00 GMT"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{b64(PDF_2)}\r\n"
        "--_004_SI2PR06MB5041_--\r\n"
    )
    return head.encode("ascii")


def gmail_letter() -> bytes:
    """Gmail webmail: Base64 UTF-8 bodies, RFC 2231 name, the PDF as octet-stream, a personal sender."""
    text = (
        "เรียน สารบรรณ\n\nส่งหนังสือราชการตามไฟล์แนบครับ\n"
        "ที่ ศธ 04002/ว1234 ลงวันที่ 5 มกราคม 2570\n"
        "เรื่อง แจ้งกำหนดการอบรมครู\n\nสมชาย\n"
    )
    name = "แจ้งกำหนดการอบรม.pdf"
    head = (
        "MIME-Version: 1.0\r\n"
        "Date: Tue, 5 Jan 2027 11:20:33 +0700\r\n"
        "Message-ID: <CAJx=9kQ2m+Vw1uZt7e0fA@mail.gmail.com>\r\n"
        f"Subject: {word('Fwd: แจ้งกำหนดการอบรมครู')}\r\n"
        f"From: Somchai <{STRANGER}>\r\n"
        f"To: {US}\r\n"
        'Content-Type: multipart/mixed; boundary="000000000000f1e2d3c4b5a69788"\r\n\r\n'
        "--000000000000f1e2d3c4b5a69788\r\n"
        'Content-Type: multipart/alternative; boundary="000000000000aa11bb22cc33dd44"\r\n\r\n'
        "--000000000000aa11bb22cc33dd44\r\n"
        'Content-Type: text/plain; charset="UTF-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{b64(text.encode())}\r\n"
        "--000000000000aa11bb22cc33dd44\r\n"
        'Content-Type: text/html; charset="UTF-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{b64(('<div dir=ltr>' + text.replace(chr(10), '<br>') + '</div>').encode())}\r\n"
        "--000000000000aa11bb22cc33dd44--\r\n"
        "--000000000000f1e2d3c4b5a69788\r\n"
        f'Content-Type: application/octet-stream; name="{word(name)}"\r\n'
        f"Content-Disposition: attachment; filename*=UTF-8''{quote(name.encode())}\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-ID: <f_lq2x1k8v0>\r\n"
        "X-Attachment-Id: f_lq2x1k8v0\r\n\r\n"
        f"{b64(PDF)}\r\n"
        "--000000000000f1e2d3c4b5a69788--\r\n"
    )
    return head.encode("ascii")


def forwarded_as_attachment() -> bytes:
    """A person forwards the Thunderbird letter as an attached message (message/rfc822)."""
    inner = thunderbird_letter()
    head = (
        "From: Somchai <somchai@staff.example.go.th>\r\n"
        f"To: {US}\r\n"
        f"Subject: {word('Fwd: หนังสือจากศึกษาธิการจังหวัด')}\r\n"
        "Date: Fri, 20 Nov 2026 08:00:00 +0700\r\n"
        "Message-ID: <fwd-1@staff.example.go.th>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="fwd-boundary"\r\n\r\n'
        "--fwd-boundary\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{b64('ส่งต่อเพื่อลงทะเบียนรับครับ'.encode())}\r\n"
        "--fwd-boundary\r\n"
        "Content-Type: message/rfc822\r\n"
        "Content-Disposition: attachment\r\n\r\n"
    ).encode("ascii")
    return head + inner + b"\r\n--fwd-boundary--\r\n"


def forwarded_inline() -> bytes:
    """A person forwards inline: the original header quoted in the text, the PDF re-attached."""
    text = (
        "ส่งต่อครับ\n\n"
        "---------- Forwarded message ---------\n"
        f"From: สำนักงานศึกษาธิการจังหวัดตัวอย่าง <{PEO}>\n"
        "Date: พฤ. 19 พ.ย. 2569 10:15\n"
        f"Subject: ที่ {BOOK_THAI} เรื่อง {SUBJECT}\n"
        f"To: <{STRANGER}>\n\n"
        f"ที่ {BOOK_THAI}\n"
        "๑๙ พฤศจิกายน ๒๕๖๙\n"
        f"เรื่อง {SUBJECT}\n"
    )
    head = (
        f"From: Somchai <{STRANGER}>\r\n"
        f"To: {US}\r\n"
        f"Subject: {word(f'Fwd: ที่ {BOOK_THAI} เรื่อง {SUBJECT}')}\r\n"
        "Date: Fri, 20 Nov 2026 08:05:00 +0700\r\n"
        "Message-ID: <fwd-inline-1@mail.gmail.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="inl"\r\n\r\n'
        "--inl\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{quopri.encodestring(text.encode()).decode('ascii')}\r\n"
        "--inl\r\n"
        "Content-Type: application/pdf\r\n"
        f"Content-Disposition: attachment; filename*=utf-8''{quote(PDF_NAME.encode())}\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{b64(PDF)}\r\n"
        "--inl--\r\n"
    )
    return head.encode("ascii")


def dsn_bounce(
    original_message_id: str = OUR_MESSAGE_ID, *, action: str = "failed", returned: bytes | None = None
) -> bytes:
    """An RFC 3464 report from Postfix about a message of ours (its headers, or all of ``returned``)."""
    status, code = (
        "5.1.1",
        "550 5.1.1 <saraban@sample-peo.example.go.th>: Recipient address rejected: "
        "User unknown in virtual mailbox table",
    )
    if action == "delayed":
        status, code = "4.4.1", "421 4.4.1 Connection timed out"
    head = (
        "Return-Path: <>\r\n"
        "Date: Fri, 20 Nov 2026 09:00:05 +0700 (ICT)\r\n"
        "From: MAILER-DAEMON@mx.example.go.th (Mail Delivery System)\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"To: {US}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/report; report-type=delivery-status;\r\n"
        '\tboundary="8A1B2C3D4E.1763604005/mx.example.go.th"\r\n'
        "Message-Id: <20261120020005.8A1B2C3D4E@mx.example.go.th>\r\n\r\n"
        "This is a MIME-encapsulated message.\r\n\r\n"
        "--8A1B2C3D4E.1763604005/mx.example.go.th\r\n"
        "Content-Description: Notification\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mx.example.go.th.\r\n\r\n"
        "I'm sorry to have to inform you that your message could not\r\n"
        "be delivered to one or more recipients.\r\n\r\n"
        "--8A1B2C3D4E.1763604005/mx.example.go.th\r\n"
        "Content-Description: Delivery report\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.go.th\r\n"
        "X-Postfix-Queue-ID: 8A1B2C3D4E\r\n"
        "Arrival-Date: Fri, 20 Nov 2026 09:00:04 +0700 (ICT)\r\n\r\n"
        "Final-Recipient: rfc822; saraban@sample-peo.example.go.th\r\n"
        "Original-Recipient: rfc822;saraban@sample-peo.example.go.th\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        "Remote-MTA: dns; mail.sample-peo.example.go.th\r\n"
        f"Diagnostic-Code: smtp; {code}\r\n\r\n"
        "--8A1B2C3D4E.1763604005/mx.example.go.th\r\n"
        "Content-Description: Undelivered Message Headers\r\n"
    )
    headers = (
        f"Message-ID: {original_message_id}\r\n"
        "Date: Fri, 20 Nov 2026 09:00:00 +0700\r\n"
        f"From: {US}\r\n"
        f"To: {PEO}\r\n"
        f"Subject: {word(f'ที่ ศธ 0990/1234 เรื่อง {SUBJECT}')}\r\n\r\n"
    ).encode("ascii")
    if returned is None:
        part = b"Content-Type: text/rfc822-headers\r\n\r\n" + headers
    else:
        part = b"Content-Type: message/rfc822\r\n\r\n" + returned + b"\r\n"
    return head.encode("ascii") + part + b"--8A1B2C3D4E.1763604005/mx.example.go.th--\r\n"


def outlook_auto_reply() -> bytes:
    return (
        f"From: {word('หน่วยงานสาธารณสุขตัวอย่าง', 'windows-874')} <{HEALTH}>\r\n"
        f"To: {US}\r\n"
        f"Subject: Automatic reply: {word('ที่ ศธ 0990/1234 เรื่อง ขอเชิญประชุม')}\r\n"
        "Date: Fri, 20 Nov 2026 09:01:00 +0700\r\n"
        "Message-ID: <auto-1@health.example.go.th>\r\n"
        f"In-Reply-To: {OUR_MESSAGE_ID}\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "X-Auto-Response-Suppress: All\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="windows-874"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{b64('ขณะนี้ไม่อยู่ที่สำนักงาน จะกลับวันที่ 1 ธ.ค.'.encode('cp874'))}\r\n"
    ).encode("ascii")


def thai_vacation_reply() -> bytes:
    """A webmail vacation responder: only the X-Autoreply header and a Thai subject show it."""
    return (
        f"From: {PEO}\r\n"
        f"To: {US}\r\n"
        f"Subject: {word('ตอบกลับอัตโนมัติ: ลาพักร้อน')}\r\n"
        "Date: Fri, 20 Nov 2026 09:02:00 +0700\r\n"
        "Message-ID: <vac-1@sample-peo.example.go.th>\r\n"
        "X-Autoreply: yes\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
    ).encode("ascii") + "ขอบคุณสำหรับอีเมล ดิฉันลาพักร้อนถึงวันที่ 30 พ.ย.\r\n".encode()


def plain_question() -> bytes:
    """A person writes without any file: no letter to register."""
    return (
        f"From: {STRANGER}\r\nTo: {US}\r\nSubject: {word('สอบถามเรื่องการส่งหนังสือ')}\r\n"
        "Date: Fri, 20 Nov 2026 10:00:00 +0700\r\nMessage-ID: <q-1@mail.gmail.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    ).encode("ascii") + "ขอสอบถามว่าส่งหนังสือทางอีเมลได้หรือไม่\r\n".encode()


def with_xml_attachment(name: str, xml: bytes, *, sender: str = PEO, extra_headers: str = "") -> bytes:
    """A minimal message carrying ``xml`` under ``name`` (to build broken e-CMS mails)."""
    return (
        f"From: {sender}\r\nTo: {US}\r\nSubject: test\r\nDate: Fri, 20 Nov 2026 10:00:00 +0700\r\n"
        f"Message-ID: <x-{len(xml)}@example.go.th>\r\n{extra_headers}MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nsee attachment\r\n"
        f'--b\r\nContent-Type: application/xml; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{b64(xml)}\r\n--b--\r\n"
    ).encode("ascii")


GARBAGE = bytes(range(256)) * 4
NO_FROM = b"Subject: hello\r\nDate: Fri, 20 Nov 2026 10:00:00 +0700\r\n\r\nno sender\r\n"
BROKEN_BASE64_PDF = (
    f"From: {PEO}\r\nTo: {US}\r\nSubject: =?utf-8?B?4LiX4Li14LmI?=\r\nMessage-ID: <bad-b64@x>\r\n"
    'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
    '--b\r\nContent-Type: application/pdf; name="a.pdf"\r\n'
    'Content-Disposition: attachment; filename="a.pdf"\r\n'
    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK***not base64***\r\n--b--\r\n"
).encode("ascii")

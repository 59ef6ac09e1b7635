"""The ``error.txt`` written beside a letter folder that could not be sent: every fault, each in a
short Thai line and the checker's English line, then what to do. Read by the office's staff."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from ecms_gateway.errors import Fault

ERROR_FILE = "error.txt"

# The letter's fields as the saraban staff name them.
_FIELDS_TH = {
    "kind": "ประเภทหนังสือ (kind)",
    "book_no": "ที่ / เลขที่หนังสือ (book_no)",
    "date": "ลงวันที่ (date)",
    "subject": "เรื่อง (subject)",
    "speed": "ชั้นความเร็ว (speed)",
    "secrecy": "ชั้นความลับ (secrecy)",
    "sender": "ผู้ส่ง (sender)",
    "receiver": "ผู้รับ (receiver)",
    "references": "อ้างถึง (references)",
    "enclosures": "สิ่งที่ส่งมาด้วย (enclosures)",
    "main_file": "ไฟล์หนังสือ (main_file)",
    "attachments": "ไฟล์แนบ (attachments)",
    "signer": "ผู้ลงนาม (signer)",
    "files": "ไฟล์ทั้งหมดของหนังสือ (files)",
}

# The checker's problem -> a short Thai line (first match wins); the English line always follows.
_PROBLEMS_TH: tuple[tuple[str, str], ...] = (
    (r"is required but missing", "ไม่มีข้อมูล ต้องใส่"),
    (r"is empty", "ว่างอยู่ ต้องใส่ข้อความ"),
    (r"is not a real date", "วันที่ไม่มีจริง ให้เขียนแบบ ปปปป-ดด-วว เป็นปี ค.ศ."),
    (r"Buddhist Era year", "ใช้ปี พ.ศ. อยู่ ช่องนี้ต้องเป็นปี ค.ศ."),
    (r"is not one of", "ค่าไม่อยู่ในรายการที่ใช้ได้"),
    (r"is not an organisation ID", "รหัสหน่วยงานไม่ถูกต้อง ต้องเป็นตัวเลขอารบิก 10 หลัก"),
    (r"was not found next to the letter", "ไม่พบไฟล์ในโฟลเดอร์นี้"),
    (r"file .* is empty", "ไฟล์ว่างเปล่า"),
    (r"must be a path inside", "ที่อยู่ไฟล์ต้องอยู่ในโฟลเดอร์นี้"),
    (r"is not a PDF", "ไฟล์ไม่ใช่ PDF ตามที่ระบุ"),
    (r"is not a MIME type", "ชนิดไฟล์ (mime) ไม่ถูกต้อง"),
    (r"is not a field of letter format", "ไม่ใช่ช่องของรูปแบบหนังสือ ให้ลบออกหรือแก้ตัวสะกด"),
    (r"is not valid JSON|is not UTF-8|must be one JSON object", "ไฟล์ letter.json อ่านไม่ได้ (รูปแบบ JSON ผิด)"),
    (r"cannot be read|no letter\.json", "ไม่พบหรืออ่านไฟล์ letter.json ไม่ได้"),
    (r"must be text|must be an object|must be a list", "ชนิดข้อมูลไม่ถูกต้อง"),
    (r"already letter|cannot be sent twice", "หนังสือฉบับนี้ (ที่ วันที่ ผู้ส่ง เดียวกัน) ส่งไปแล้ว"),
    (r"forbids sending top-secret", "หนังสือลับที่สุด ห้ามส่งทางอิเล็กทรอนิกส์ ให้ส่งเป็นกระดาษ"),
    (r"stays inside the agency", "หนังสือประเภทนี้ใช้ภายในหน่วยงาน ส่งออกไม่ได้"),
    (r"secrecy class on paper", "นโยบายหน่วยงานให้ส่งหนังสือชั้นความลับนี้เป็นกระดาษ"),
    (r"is not in the organisation directory", "ไม่พบหน่วยงานผู้รับในสารบบ ตรวจรหัสหน่วยงานผู้รับ"),
    (r"letter's files are .* together", "ไฟล์รวมกันใหญ่เกินกว่าที่ส่งได้ ให้ส่งไฟล์ใหญ่ทางอื่นหรือแบ่งเป็นหลายฉบับ"),
    (r"is the sender's own organisation", "ผู้รับเป็นหน่วยงานเดียวกับผู้ส่ง ไม่ต้องส่งผ่านระบบนี้"),
    (
        r"is not an organisation this gateway sends for|this gateway sends for .* only",
        "ระบบนี้ไม่ได้ส่งหนังสือในนามหน่วยงานผู้ส่งนี้",
    ),
    (r"addresses departments only", "e-CMS ส่งถึงระดับกรมเท่านั้น ใช้รหัสกรม 5 หลักตามด้วย 00000"),
)


def thai_line(fault: Fault) -> str:
    """A short Thai line for ``fault``: which field, and what is wrong when we know the problem."""
    head = re.split(r"[.\[]", fault.where, maxsplit=1)[0]
    field = _FIELDS_TH.get(head, fault.where)
    if fault.where != head and head in _FIELDS_TH:
        field = f"{field} → {fault.where}"
    for pattern, text in _PROBLEMS_TH:
        if re.search(pattern, fault.problem, flags=re.IGNORECASE):
            return f"{field}: {text}"
    return f"{field}: ไม่ถูกต้อง (ดูคำอธิบายภาษาอังกฤษ)"


def error_text(folder: str, faults: Sequence[Fault], *, at: datetime, refused: bool = False) -> str:
    """The whole ``error.txt``; ``refused``: the letter was valid but the gateway may not send it."""
    count = len(faults)
    lines = [
        "ecms-gateway: หนังสือในโฟลเดอร์นี้ยังไม่ได้ส่ง / the letter in this folder was NOT sent",
        f"โฟลเดอร์ / folder: {folder}",
        f"เวลา / at: {at.isoformat(timespec='seconds')}",
        "",
        f"พบปัญหา {count} ข้อ / {count} problem{'s' * (count != 1)}:",
        "",
    ]
    for n, fault in enumerate(faults, start=1):
        lines += [f"{n}. {thai_line(fault)}", f"   {fault.where}: {fault.problem}", ""]
    if refused:
        todo_th = "ตรวจสอบหนังสือกับผู้บังคับบัญชา หากต้องส่งจริงให้แก้ไขแล้ววางโฟลเดอร์ใหม่ใน outbox"
        todo_en = "Check the letter; if it must go, correct it and put the folder into the outbox again."
    else:
        todo_th = "แก้ไขทุกข้อใน letter.json (หรือเพิ่มไฟล์ที่ขาด) แล้ววางโฟลเดอร์ใหม่ใน outbox"
        todo_en = (
            "Fix every problem in letter.json (or add the missing files), "
            "then put the folder into the outbox again."
        )
    lines += [
        "ต้องทำอย่างไร / what to do:",
        f"- {todo_th}",
        f"- {todo_en}",
        "- ไฟล์ error.txt นี้ไม่ต้องลบ ระบบไม่อ่าน / this error.txt may stay: the gateway ignores it.",
        "",
    ]
    return "\n".join(lines)

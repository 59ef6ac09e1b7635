"""The core's faults and refusals in the page's language: Thai for clerks, English on request.

The core says every fault in English (the CLI and the REST API show that) and names it with a code
from ``ecms_gateway.fault_codes``; this catalogue says each code in Thai and English with the same
``{parameters}``, and the field a fault is about by the compose form's label. A fault without a known
code (one the core has not coded yet) shows its English words as they are.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from ecms_adapters.web.i18n import CATALOGUE, translate
from ecms_adapters.web.render import be_date
from ecms_gateway.errors import Fault, GatewayError

# code: (Thai, English)
FAULT_TEXTS: Final[dict[str, tuple[str, str]]] = {
    "letter.unreadable": ("อ่านไฟล์ไม่ได้ ({reason})", "cannot be read ({reason})"),
    "letter.not_json": ("ไม่ใช่ JSON ที่ถูกต้อง ({reason})", "is not valid JSON ({reason})"),
    "letter.not_utf8": ("ไม่ใช่ข้อความ UTF-8", "is not UTF-8 text"),
    "letter.not_object": ("ต้องเป็นหนังสือหนึ่งฉบับ (JSON object)", "must be one JSON object (a letter)"),
    "missing": ("จำเป็นต้องกรอก", "is required but missing"),
    "extra_forbidden": (
        "ไม่ใช่ข้อมูลของหนังสือรูปแบบ v1 กรุณาลบออกหรือตรวจการสะกด",
        "is not a field of letter format v1; remove it or check its spelling",
    ),
    "enum": ("'{value}' ใช้ไม่ได้ ค่าที่ใช้ได้: {choices}", "'{value}' is not one of: {choices}"),
    "date_parsing": (
        "'{value}' ไม่ใช่วันที่ที่มีจริง กรุณาเลือกวันที่ใหม่ (ปปปป-ดด-วว ตามปฏิทินคริสต์ศักราช)",
        "'{value}' is not a real date; write yyyy-mm-dd in the Gregorian calendar",
    ),
    "string_type": ("ต้องเป็นข้อความ", "must be text"),
    "model_type": ("ต้องเป็นกลุ่มข้อมูล {{ ... }}", "must be an object {{ ... }}"),
    "list_type": ("ต้องเป็นรายการ [ ... ]", "must be a list [ ... ]"),
    "invalid": ("ข้อมูลไม่ถูกต้อง ({detail})", "is not valid ({detail})"),
    "empty": ("ว่างอยู่ กรุณากรอกข้อความ", "is empty; write the text"),
    "org_id": (
        "'{value}' ไม่ใช่รหัสส่วนราชการ รหัสต้องเป็นตัวเลข 10 หลัก คือรหัสกรม 5 หลักตามด้วย 00000 "
        "(เช่น 2099000000) ดูได้จากทำเนียบส่วนราชการ",
        "'{value}' is not an organisation ID: it must be 10 Arabic digits, the 5-digit department code "
        "followed by 00000 (e.g. 2099000000); look it up in the directory",
    ),
    "buddhist_year": (
        "{value} เป็นปีพุทธศักราช (พ.ศ.) ช่องนี้ใช้คริสต์ศักราช (ค.ศ.) กรุณาใส่ {fixed}",
        "{value} has a Buddhist Era year (พ.ศ.); this field is Gregorian (ค.ศ.): write {fixed}",
    ),
    "mime": (
        "'{value}' ไม่ใช่ชนิดไฟล์ (MIME type) เช่น application/pdf",
        "'{value}' is not a MIME type such as application/pdf",
    ),
    "xml_char": (
        "มีอักขระ ({char}) ที่ตำแหน่ง {position} ซึ่งหนังสืออิเล็กทรอนิกส์ส่งไม่ได้ (มักเป็นอักขระควบคุมที่มองไม่เห็น "
        "ซึ่งติดมากับข้อความที่คัดลอกจากโปรแกรมพิมพ์เอกสาร) กรุณาลบออก",
        "has a character ({char}) at position {position} that a letter cannot carry (often an invisible "
        "control character pasted in from a word processor); delete it",
    ),
    "too_long": (
        "ยาว {length} ตัวอักษร ช่องนี้รับได้ไม่เกิน {limit} ตัวอักษร กรุณาย่อให้สั้นลง",
        "is {length} characters long; at most {limit} fit: shorten it",
    ),
    "date.unreadable": (
        "'{value}' ไม่ใช่วันที่ที่อ่านได้ เขียนเช่น 20 พฤศจิกายน 2569, 20/11/2569 หรือ 2026-11-20",
        "'{value}' is not a date; write e.g. 20/11/2569, 2026-11-20 or the day, the Thai month and the year",
    ),
    "date.no_such_day": (
        "'{value}' ไม่มีวันนี้ในปฏิทิน ตรวจวัน เดือน และปี",
        "'{value}' is no such day in the calendar; check the day, month and year",
    ),
    "date.implausible_year": (
        "'{value}' ปี {year} ไม่น่าจะเป็นปีของหนังสือ (อาจพิมพ์ผิด) กรุณาใส่ปี พ.ศ. {first_be} ถึง {last_be} "
        "หรือ ค.ศ. {first} ถึง {last} เช่น {example}",
        "'{value}': the year {year} cannot be a letter's (a typo?); write a Buddhist Era year from "
        "{first_be} to {last_be} or a Christian Era year from {first} to {last}, e.g. {example}",
    ),
    "file.not_pdf": (
        "ระบุว่าเป็น PDF แต่ไฟล์ '{path}' ไม่ใช่ PDF",
        "says application/pdf but '{path}' is not a PDF",
    ),
    "file.outside": (
        "'{path}' ต้องเป็นไฟล์ในโฟลเดอร์เดียวกับหนังสือ",
        "'{path}' must be a path inside the letter's folder",
    ),
    "file.not_found": ("ไม่พบไฟล์ '{path}' กรุณาแนบไฟล์อีกครั้ง", "file '{path}' was not found next to the letter"),
    "file.empty": ("ไฟล์ '{path}' ว่างเปล่า กรุณาแนบไฟล์ที่มีเนื้อหา", "file '{path}' is empty"),
    "policy.top_secret": (
        "หนังสือที่ {book_no} เป็นหนังสือลับที่สุด ระเบียบห้ามส่งทางอิเล็กทรอนิกส์ ต้องส่งเป็นเอกสารโดยมอบผ่านนายทะเบียนเอกสารลับ",
        "letter {book_no} is top secret: the regulation forbids sending top-secret letters "
        "electronically; send it on paper by hand through the secret-document officer",
    ),
    "policy.internal": (
        "หนังสือที่ {book_no} เป็น{kind_thai} ({kind}) ใช้ภายในส่วนราชการเท่านั้น ส่งไปส่วนราชการอื่นไม่ได้ "
        "หากเป็นหนังสือภายนอกจริง กรุณาเปลี่ยนประเภทหนังสือ",
        "letter {book_no} is {kind} ({kind_thai}): this kind stays inside the agency and cannot be sent "
        "to another organisation; change the kind if it really is an external letter",
    ),
    "policy.secrecy": (
        "หนังสือที่ {book_no} เป็นหนังสือชั้น{secrecy_thai} ({secrecy}) หน่วยงานกำหนดให้ส่งหนังสือที่มีชั้นความลับเป็นเอกสาร "
        "หากควรส่งทางอิเล็กทรอนิกส์ได้ กรุณาติดต่อผู้ดูแลระบบ",
        "letter {book_no} is {secrecy} ({secrecy_thai}): this agency's policy sends letters with a "
        "secrecy class on paper; ask an administrator if this class should be allowed electronically",
    ),
    "store.duplicate": (
        "หนังสือที่ {book_no} ลงวันที่ {date} (รหัสกรมผู้ส่ง {department}) ส่งไปแล้วเป็นรายการที่ {letter_id} "
        "(สถานะ {state}) ส่งซ้ำไม่ได้ หากถูกปฏิเสธ ให้ดึงหนังสือฉบับนั้นคืนก่อนแล้วจึงส่งใหม่",
        "letter {book_no} of {date} from department {department} is already letter {letter_id} "
        "(state {state}); it cannot be sent twice: withdraw that one after a rejection, then send again",
    ),
    "store.illegal_transition": (
        "หนังสือรายการที่ {letter_id} อยู่ในสถานะ {state} จึงทำรายการ “{event}” ไม่ได้ กรุณาโหลดหน้าใหม่เพื่อดูสถานะล่าสุด",
        "letter {letter_id} is {state}, so {event} does not apply to it; reload the page to see "
        "where it stands",
    ),
    "store.resend_not_withdrawn": (
        "หนังสือรายการที่ {letter_id} อยู่ในสถานะ {state} ส่งใหม่ได้เฉพาะหนังสือที่ผู้รับปฏิเสธหรือแจ้งว่าส่งผิด และดึงคืนแล้ว",
        "letter {letter_id} is {state}; only a letter its receiver refused, once withdrawn, can be sent "
        "again",
    ),
    "store.resend_unconfirmed": (
        "ระบบกำลังแจ้งดึงหนังสือรายการที่ {letter_id} คืนจากผู้รับ และยังไม่ได้รับการยืนยัน "
        "กรุณารอสักครู่แล้วกดส่งใหม่อีกครั้ง (ประวัติของหนังสือจะแสดงเมื่อดึงคืนสำเร็จ)",
        "the withdrawal of letter {letter_id} has not been confirmed yet; wait a moment and send it "
        "again (its history shows when the withdrawal is done)",
    ),
    "store.accept_id_received_letter": (
        "หนังสือรายการที่ {letter_id} เป็นหนังสือที่เรารับ แจ้งเลขรับไม่ถูกต้องได้เฉพาะผู้ส่งหนังสือ",
        "letter {letter_id} is one we received; only its sender can report a wrong receive number",
    ),
    "store.accept_id_none_yet": (
        "หนังสือรายการที่ {letter_id} ยังไม่ได้รับเลขรับจากผู้รับ (สถานะ {state}) จึงยังแจ้งว่าเลขรับไม่ถูกต้องไม่ได้",
        "letter {letter_id} has no receive number from its receiver yet ({state}), so none can be wrong",
    ),
    "store.accept_id_report_pending": (
        "ระบบกำลังส่งการแจ้งเลขรับไม่ถูกต้องของหนังสือรายการที่ {letter_id} อยู่ ดูผลในประวัติของหนังสือ แล้วแจ้งอีกครั้งหากจำเป็น",
        "a report about letter {letter_id}'s receive number is still being sent; see the letter's "
        "history and report again if need be",
    ),
    "store.redrive_missing": (
        "ไม่พบงานรายการที่ {items} กรุณาโหลดหน้าใหม่",
        "there is no work item {items}; reload the page",
    ),
    "store.redrive_not_dead": (
        "งานรายการที่ {items} ไม่ได้หยุดส่งแล้ว (อาจมีผู้สั่งส่งใหม่ไปก่อน) จึงไม่ได้เปลี่ยนแปลงอะไร กรุณาโหลดหน้าใหม่",
        "work item {items} is not dead (someone may have redriven it already); nothing was changed; "
        "reload the page",
    ),
    "routing.not_department": (
        "รหัสส่วนราชการของ{party} {org_id} ส่งทาง e-CMS ไม่ได้ เพราะ e-CMS ระบุได้เฉพาะระดับกรม "
        "(รหัสกรม 5 หลักตามด้วย 00000) กรุณาใช้ {department} หรือแจ้งผู้ดูแลระบบให้แก้ทำเนียบส่วนราชการ",
        "{party}, {org_id}, cannot travel over e-CMS, which addresses departments only (a 5-digit "
        "department code followed by 00000): use {department} or have the directory corrected",
    ),
    "routing.to_self": (
        "ผู้รับ ({org_id}) เป็นส่วนราชการเดียวกับผู้ส่ง หนังสือภายในส่วนราชการไม่ต้องส่งทางระบบนี้ กรุณาเลือกผู้รับที่เป็นส่วนราชการอื่น",
        "the receiver ({org_id}) is the sender's own organisation; a letter within it does not go "
        "through the gateway: choose another organisation as the receiver",
    ),
    "routing.sender_not_served": (
        "ระบบนี้ส่งหนังสือในนามของ {served} เท่านั้น ไม่ใช่ {org_id} กรุณาแก้ส่วนราชการผู้ส่ง",
        "this gateway sends for {served} only, not for {org_id}: correct the sender",
    ),
    "letter.too_large": (
        "ไฟล์ของหนังสือรวมกัน {size} แต่ส่งทาง {channel} ได้ไม่เกิน {limit} กรุณาส่งไฟล์ขนาดใหญ่ทางอื่นหรือแบ่งเป็นหลายฉบับ",
        "the letter's files are {size} together; by {channel} they may be {limit}: send the large files "
        "another way, or split them over letters",
    ),
    "routing.unknown_receiver": (
        "ไม่พบผู้รับรหัส {org_id} ในทำเนียบส่วนราชการ กรุณาตรวจรหัสส่วนราชการของผู้รับ (ตัวเลข 10 หลัก) หรือเลือกจากรายการ",
        "receiver {org_id} is not in the organisation directory; check the receiver's organisation ID "
        "(10 digits) or choose it from the list",
    ),
}

_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIES: Final = {"sender": ("ผู้ส่ง", "the sender"), "receiver": ("ผู้รับ", "the receiver")}

# The first part of a fault's ``where`` (``receiver.org_id`` -> ``receiver``): the form label's key.
_FIELD_LABELS: Final = {
    "kind": "f.kind",
    "book_no": "f.book_no",
    "date": "f.date",
    "letter_date": "f.date",  # a mail letter's field (services/mail_corrections.py)
    "subject": "f.subject",
    "speed": "f.speed",
    "secrecy": "f.secrecy",
    "sender": "f.sender",
    "receiver": "f.receiver",
    "enclosures": "f.enclosures",
    "description": "f.description",
    "main_file": "f.main_file",
    "attachments": "f.attachments",
    "signer": "f.signer_title",
}


def _text(lang: str, code: str | None, params: dict[str, str]) -> str | None:
    pair = FAULT_TEXTS.get(code or "")
    if pair is None:
        return None
    values = dict(params)
    if "state" in values and f"state.{values['state']}" in CATALOGUE:
        values["state"] = translate(lang, f"state.{values['state']}")
    if "event" in values and f"event.{values['event']}" in CATALOGUE:  # "register": ลงทะเบียนรับ
        values["event"] = translate(lang, f"event.{values['event']}")
    if _ISO_DATE.fullmatch(values.get("date", "")):  # said as the page says dates: 20 พ.ย. 2569
        values["date"] = be_date(date.fromisoformat(values["date"]), lang)
    if values.get("party") in _PARTIES:
        values["party"] = _PARTIES[values["party"]][0 if lang == "th" else 1]
    return pair[0 if lang == "th" else 1].format(**values)


def fault_text(lang: str, fault: Fault) -> str:
    """One fault in ``lang``, led by its field's label; its English problem when the code is unknown."""
    text = _text(lang, fault.code, dict(fault.params))
    if text is None:
        return fault.problem
    head = fault.where.split(".", 1)[0].split("[", 1)[0]
    label = _FIELD_LABELS.get(head)
    return f"{translate(lang, label)}: {text}" if label else text


def error_text(lang: str, error: GatewayError) -> str:
    """A refusal (policy, store) in ``lang``; its English message when it carries no known code."""
    text = _text(lang, error.fault_code, dict(error.fault_params))
    return str(error) if text is None else text

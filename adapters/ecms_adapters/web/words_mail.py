"""The words of the pages for letters people sent by mail (``i18n.CATALOGUE`` takes them in)."""

from __future__ import annotations

from typing import Final

# key: (Thai, English)
MAIL_WORDS: Final[dict[str, tuple[str, str]]] = {
    # Letters people sent by mail, waiting for a clerk (mail_letters.py)
    "nav.mail_letters": ("หนังสือจากอีเมลรอยืนยัน", "Letters by e-mail to confirm"),
    "nav.waiting": ("{n} รายการรอยืนยัน", "{n} waiting"),
    "mail.title": ("หนังสือจากอีเมลรอยืนยัน", "Letters by e-mail to confirm"),
    "mail.off.title": ("ยังไม่ได้เปิดใช้ช่องทางอีเมลสารบรรณ", "The saraban mail channel is not configured"),
    "mail.off": (
        "ระบบนี้ไม่ได้ตั้งค่าช่องทางอีเมลสารบรรณ จึงไม่มีหนังสือจากอีเมลให้ยืนยัน "
        "หากหน่วยงานรับหนังสือทางอีเมล ให้ผู้ดูแลระบบเพิ่มส่วน [mail] ในไฟล์ตั้งค่าแล้วเริ่มระบบใหม่",
        "This gateway has no saraban mail channel configured, so there are no letters by e-mail to "
        "confirm. If the office takes letters by e-mail, an administrator adds a [mail] section to the "
        "configuration and restarts the gateway",
    ),
    "mail.intro": (
        "หนังสือที่บุคคลส่งมาทางอีเมลสารบรรณ ระบบอ่านข้อมูลได้เท่าที่พบ กรุณาตรวจ เติมส่วนที่ขาด แล้วยืนยันเป็นหนังสือรับ "
        "อีเมลที่ระบบรับเป็นหนังสือไม่ได้ (ไม่มีไฟล์ ไฟล์เสีย ใหญ่เกิน) ก็อยู่ในรายการนี้พร้อมเหตุผล อ่านแล้วจัดการ แล้วปัดตก",
        "Letters people mailed to the saraban address: the gateway read what it could; check, complete "
        "and confirm each as a received letter. Mail the gateway could not take in as a letter (no file, "
        "a broken file, too large) is listed too, with why: read it, deal with it, then dismiss it",
    ),
    "mail.empty": ("ไม่มีหนังสือจากอีเมลที่รอยืนยัน", "No letters by e-mail wait for confirmation"),
    "mail.col.received": ("ได้รับเมื่อ", "Received"),
    "mail.col.subject": ("หัวเรื่องอีเมล", "Mail subject"),
    "mail.col.missing": ("ยังขาด", "Missing"),
    "mail.no_subject": ("(ไม่มีหัวเรื่อง)", "(no subject)"),
    "mail.nothing_missing": ("ครบถ้วน", "Nothing missing"),
    "mail.header": ("อีเมลที่ได้รับ", "The mail"),
    "mail.mail_date": ("วันที่ในอีเมล", "Mail date"),
    "mail.forwarded": ("การส่งต่อ", "Forwarded"),
    "mail.forwarded_yes": ("หนังสืออยู่ในอีเมลที่ส่งต่อมา", "The letter came inside a forwarded mail"),
    "mail.not_found": ("สิ่งที่อ่านจากอีเมลไม่พบ", "Not found in the mail"),
    "mail.notes": ("หมายเหตุ", "Notes"),
    "mail.files": ("ไฟล์หนังสือ", "Letter file"),
    "mail.receiver": ("ส่วนราชการผู้รับ (ของเรา)", "Receiving organisation (ours)"),
    "mail.form": ("ตรวจและยืนยันข้อมูลหนังสือ", "Check and confirm the letter"),
    "mail.form_hint": (
        "ข้อมูลที่ระบบอ่านได้กรอกไว้ให้แล้ว แก้ไขหรือเติมส่วนที่ขาด",
        "What the gateway read is filled in; correct it or fill in what is missing",
    ),
    "mail.date_hint": (
        "พ.ศ. เลขไทยหรือเลขอารบิก เช่น 20 พฤศจิกายน 2569, 20/11/2569 หรือ ๒๐/๑๑/๒๕๖๙",
        "Buddhist Era, Thai or Arabic digits: 20 พฤศจิกายน 2569, 20/11/2569 or ๒๐/๑๑/๒๕๖๙",
    ),
    "mail.confirm": ("ยืนยันเป็นหนังสือรับ", "Confirm as a received letter"),
    "mail.confirmed": (
        "ยืนยันแล้ว บันทึกเป็นหนังสือรับ กรุณาลงทะเบียนรับ",
        "Confirmed and recorded as a received letter; register it now",
    ),
    "mail.confirmed_same": (
        "หนังสือฉบับนี้ (เลขที่ วันที่ และไฟล์เดียวกัน) บันทึกเป็นหนังสือรับไว้แล้วจากอีเมลฉบับก่อน จึงไม่ได้บันทึกซ้ำ นี่คือหนังสือรับฉบับเดิม",
        "This very letter (same book number, date and files) was already recorded from an earlier mail, "
        "so nothing was recorded twice: this is that received letter",
    ),
    "mail.dismiss_title": ("ไม่ใช่หนังสือราชการ", "Not a letter"),
    "mail.dismiss_hint": (
        "ระบุเหตุผลที่ปัดตก เหตุผลจะเก็บไว้ในประวัติ ไม่มีการแจ้งผู้ส่ง",
        "Say why it is set aside; the reason is kept in the history and nothing is sent",
    ),
    "mail.dismiss": ("ปัดตก", "Dismiss"),
    "mail.confirm_dismiss": (
        "ยืนยันการปัดตกอีเมลนี้? จะไม่ถูกบันทึกเป็นหนังสือรับ และยกเลิกไม่ได้",
        "Dismiss this mail? It will not be recorded as a received letter; this cannot be undone",
    ),
    "mail.unreadable": ("รับเป็นหนังสือไม่ได้", "Not a letter the gateway can read"),
    "mail.unreadable_title": (
        "ระบบรับอีเมลนี้เป็นหนังสือไม่ได้",
        "The gateway could not take this mail in as a letter",
    ),
    "mail.unreadable_hint": (
        "อ่านข้อความในอีเมลด้านล่าง (ดาวน์โหลดอีเมลฉบับที่ได้รับได้) จัดการตามควร เช่น ขอให้ผู้ส่งส่งใหม่พร้อมไฟล์ PDF "
        "แล้วปัดตกพร้อมบอกสิ่งที่ทำ",
        "Read the mail below (the mail as received can be downloaded), deal with it (e.g. ask the sender "
        "to send it again with the PDF), then dismiss it saying what was done",
    ),
    "mail.unreadable_done": ("จัดการแล้ว", "Dealt with"),
    "mail.unreadable_dismiss_hint": (
        "บอกสิ่งที่ทำกับอีเมลนี้ เช่น โทรแจ้งผู้ส่งให้ส่งใหม่แล้ว ข้อความจะเก็บไว้ในประวัติ",
        "Say what was done about this mail (e.g. the sender was asked to send it again); it is kept in "
        "the history",
    ),
    "mail.original": ("ดาวน์โหลดอีเมลฉบับที่ได้รับ (.eml)", "Download the mail as received (.eml)"),
    "mail.reason_needed": ("กรุณาระบุเหตุผลที่ปัดตก", "Say why it is dismissed"),
    "mail.dismissed": ("ปัดตกหนังสือจากอีเมลรายการที่ {n} แล้ว", "Mail letter {n} dismissed"),
    "mail.is_confirmed": ("ยืนยันเป็นหนังสือรับแล้ว", "Confirmed as a received letter"),
    "mail.open_letter": ("เปิดหนังสือรับ", "Open the received letter"),
    "mail.is_dismissed": ("ปัดตกแล้ว", "Dismissed"),
    "mail.text": ("ข้อความในอีเมล", "What the mail says"),
    "mail.forwarded_text": ("ข้อความที่ส่งต่อมา", "Forwarded message"),
    "mail.duplicate": (
        "ได้รับหนังสือที่ {book_no} ลงวันที่ {date} จาก{sender} ไว้แล้ว (สถานะ: {state}) "
        "หากเป็นฉบับเดียวกัน ให้ปัดตกรายการนี้ด้านล่าง ไม่ต้องยืนยันซ้ำ",
        "Letter {book_no} of {date} from {sender} was already received (state: {state}): if this is the "
        "same letter, dismiss this one below instead of confirming it again",
    ),
    "mail.list_repeat": (
        "อาจซ้ำกับหนังสือที่ {book_no} ที่ได้รับไว้แล้ว โปรดเปิดดูก่อนยืนยัน",
        "May repeat letter {book_no}, already received: open it before confirming",
    ),
    "mail.duplicate_open": ("เปิดหนังสือรับที่ได้รับไว้แล้ว", "Open the letter already received"),
    "mail.duplicate_ok": (
        "เป็นหนังสือคนละฉบับกับที่ได้รับไว้แล้ว ให้บันทึกเป็นหนังสือรับอีกฉบับ",
        "It is not the letter already received: record it as another received letter",
    ),
    "mail.duplicate_refused": (
        "ยังไม่ได้บันทึก เพราะได้รับหนังสือเลขที่และวันที่นี้ไว้แล้ว หากเป็นฉบับเดียวกันให้ปัดตก "
        "หากเป็นคนละฉบับ ให้ทำเครื่องหมายที่ช่อง “เป็นหนังสือคนละฉบับ” แล้วกดยืนยันอีกครั้ง",
        "Not recorded: a letter with this book number and date was already received. If it is the same "
        "letter, dismiss this one; if not, tick “not the letter already received” and confirm again",
    ),
    "mail.state.pending": ("รอยืนยัน", "waiting for a clerk"),
    "mail.state.confirming": ("กำลังยืนยัน", "being confirmed"),
    "mail.state.confirmed": ("ยืนยันแล้ว", "confirmed"),
    "mail.state.dismissed": ("ปัดตกแล้ว", "dismissed"),
}

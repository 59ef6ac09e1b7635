"""The pages' words in Thai (first) and English, chosen by the ``lang`` cookie.

A key missing from the catalogue shows as the key itself, and a unit test checks that every key the
templates use is here in both languages.
"""

from __future__ import annotations

from typing import Final

from ecms_adapters.web.words_audit import AUDIT_WORDS
from ecms_adapters.web.words_mail import MAIL_WORDS

LANGS: Final = ("th", "en")
DEFAULT_LANG: Final = "th"

# key: (Thai, English)
_PAGES: Final[dict[str, tuple[str, str]]] = {
    "app.name": ("ระบบรับส่งหนังสือราชการอิเล็กทรอนิกส์", "e-CMS gateway"),
    "nav.compose": ("ส่งหนังสือ", "Send a letter"),
    "nav.sent": ("หนังสือส่ง", "Sent letters"),
    "nav.received": ("หนังสือรับ", "Received letters"),
    "nav.registry": ("ทะเบียนหนังสือ", "Registry books"),
    "nav.dashboard": ("ภาพรวมระบบ", "Dashboard"),
    "nav.audit": ("บันทึกตรวจสอบ", "Audit log"),
    "nav.logout": ("ออกจากระบบ", "Log out"),
    "nav.skip": ("ข้ามไปยังเนื้อหา", "Skip to content"),
    "nav.main": ("เมนูหลัก", "Main menu"),
    "list.pages": ("หน้าของรายการ", "Pages of the list"),
    "dash.select": ("เลือก", "Select"),
    "lang.switch": ("English", "ภาษาไทย"),
    "role.clerk": ("เจ้าหน้าที่สารบรรณ", "registry clerk"),
    "role.operator": ("ผู้ดูแลระบบ", "operator"),
    "role.admin": ("ผู้ดูแลสูงสุด", "administrator"),
    "login.title": ("เข้าสู่ระบบ", "Log in"),
    "login.name": ("ชื่อผู้ใช้", "User name"),
    "login.password": ("รหัสผ่าน", "Password"),
    "login.submit": ("เข้าสู่ระบบ", "Log in"),
    "login.wrong": ("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง", "Wrong user name or password"),
    "login.locked": (
        "บัญชีถูกล็อกชั่วคราวเพราะใส่รหัสผ่านผิดหลายครั้ง ลองใหม่ได้หลังเวลา {until}",
        "The account is locked after too many wrong passwords; try again after {until}",
    ),
    "login.expired": ("หมดเวลาการใช้งาน กรุณาเข้าสู่ระบบอีกครั้ง", "Your session ended; please log in again"),
    "error.title": ("ทำรายการไม่สำเร็จ", "That did not work"),
    "error.csrf": (
        "แบบฟอร์มหมดอายุหรือไม่ได้มาจากหน้านี้ กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง",
        "The form expired or did not come from this page; reload the page and try again",
    ),
    "error.forbidden": ("บทบาทของท่านไม่มีสิทธิ์ใช้หน้านี้", "Your role may not use this page"),
    "error.notfound": ("ไม่พบหน้าหรือหนังสือที่ขอ", "No such page or letter"),
    "error.back": ("กลับหน้าหลัก", "Back to the start page"),
    "error.database.title": ("ระบบขัดข้องชั่วคราว", "The gateway is held up for a moment"),
    "error.database": (
        "ขณะนี้ระบบติดต่อฐานข้อมูลไม่ได้ หนังสือและรายการที่ระบบรับไว้แล้วไม่สูญหาย "
        "กรุณาลองใหม่อีกครั้งในอีกสักครู่ หากกำลังส่งหนังสือ กรุณาตรวจดูในรายการหนังสือส่งก่อนส่งซ้ำ",
        "The gateway cannot reach its database just now. Nothing it has already accepted is lost; "
        "please try again in a moment. If you were sending a letter, look for it in Sent letters "
        "before sending it again.",
    ),
    "f.kind": ("ประเภทหนังสือ", "Kind of letter"),
    "f.book_no": ("ที่ (เลขที่หนังสือ)", "Book number"),
    "f.date": ("ลงวันที่", "Letter date"),
    "f.subject": ("เรื่อง", "Subject"),
    "f.speed": ("ชั้นความเร็ว", "Speed"),
    "f.secrecy": ("ชั้นความลับ", "Secrecy"),
    "f.sender": ("ส่วนราชการผู้ส่ง", "Sending organisation"),
    "f.receiver": ("เรียน (ส่วนราชการผู้รับ)", "Receiving organisation"),
    "f.receiver_title": ("ตำแหน่งผู้รับ", "Receiver's job title"),
    "f.receiver_search": ("ค้นหาด้วยชื่อไทย อังกฤษ หรือรหัส", "Search by Thai or English name or code"),
    "f.enclosures": ("สิ่งที่ส่งมาด้วย", "Enclosures"),
    "f.description": ("รายละเอียดเพิ่มเติม", "Description"),
    "f.main_file": ("ไฟล์หนังสือ (PDF)", "Letter file (PDF)"),
    "f.attachments": ("ไฟล์แนบ", "Attachments"),
    "f.signer_name": ("ชื่อผู้ลงนาม", "Signer's given name"),
    "f.signer_family": ("นามสกุลผู้ลงนาม", "Signer's family name"),
    "f.signer_title": ("ตำแหน่งผู้ลงนาม", "Signer's job title"),
    "f.reason": ("เหตุผล", "Reason"),
    "f.date_placeholder": ("วว/ดด/ปปปป", "dd/mm/yyyy"),
    "f.date_hint": (
        "วัน/เดือน/ปี พ.ศ. เช่น 1/11/2569 (1 พฤศจิกายน 2569) เลขไทยก็ได้ เช่น ๑/๑๑/๒๕๖๙",
        "Day/month/year in the Buddhist Era, as on the Thai pages: 1/11/2569 is 1 November 2026 "
        "(2026-11-01 also works)",
    ),
    "f.from": ("ตั้งแต่วันที่", "From"),
    "f.to": ("ถึงวันที่", "To"),
    "f.search": ("ค้นหาเลขที่หรือเรื่อง", "Search book number or subject"),
    "f.choose": ("— เลือก —", "— choose —"),
    "compose.title": ("ส่งหนังสือ", "Send a letter"),
    "compose.policy": ("ก่อนส่ง: หนังสือที่ส่งทางอิเล็กทรอนิกส์ได้", "Before sending: what may go electronically"),
    "compose.policy.top": (
        "หนังสือลับที่สุดส่งทางอิเล็กทรอนิกส์ไม่ได้ ต้องส่งเป็นเอกสารผ่านนายทะเบียนเอกสารลับ",
        "Top-secret letters never go electronically: send them on paper through the secret-document officer",
    ),
    "compose.policy.internal": (
        "หนังสือภายในและหนังสือที่เจ้าหน้าที่ทำขึ้นใช้ภายในส่วนราชการเท่านั้น ส่งออกไม่ได้",
        "Internal memos and records stay inside the agency and cannot be sent out",
    ),
    "compose.policy.allowed": (
        "ชั้นความลับที่หน่วยงานอนุญาตให้ส่งได้: {classes}",
        "Secrecy classes this agency sends: {classes}",
    ),
    "compose.faults": ("กรุณาแก้ไข {n} รายการด้านล่าง", "Please fix the {n} problems below"),
    "compose.send": ("ส่งหนังสือ", "Send"),
    "compose.no_directory": (
        "ยังไม่ได้รับทำเนียบส่วนราชการ กรุณารอสักครู่แล้วโหลดหน้าใหม่",
        "The organisation directory is not loaded yet; wait a moment and reload",
    ),
    # The compose form's own messages, each wholly in the page's language (compose.py, uploads.py)
    "compose.required": ("จำเป็นต้องกรอก", "Required"),
    "compose.attach_main": (
        "กรุณาแนบไฟล์หนังสือเป็นไฟล์ PDF",
        "Attach the letter as a PDF file",
    ),
    "compose.policy.paper": (
        "หน่วยงานกำหนดให้หนังสือชั้น{secrecy}ส่งเป็นเอกสาร (ส่งทางอิเล็กทรอนิกส์ได้เฉพาะ: {allowed})",
        "This agency sends {secrecy} letters on paper (electronically only: {allowed})",
    ),
    "compose.receiver_none": (
        "ไม่พบส่วนราชการที่ตรงกับ “{query}” ในทำเนียบส่วนราชการ ลองพิมพ์ส่วนหนึ่งของชื่อไทย ชื่ออังกฤษ "
        "หรือรหัส แล้วเลือกจากรายการ หากยังไม่พบ แสดงว่าผู้รับยังไม่อยู่ในทำเนียบ ให้ส่งเป็นเอกสาร",
        "No organisation in the directory matches “{query}”: type part of its Thai or English name or "
        "its code and pick it from the list; if it is still not found, it is not in the directory, so "
        "send the letter on paper",
    ),
    "compose.receiver_pick": (
        "มีส่วนราชการที่ตรงกับ “{query}” {n} แห่ง กรุณาเลือกผู้รับจากรายการ",
        "{n} organisations match “{query}”: pick the receiver from the list",
    ),
    "compose.receiver_none_live": ("ไม่พบส่วนราชการที่ตรงกับคำค้น", "No organisation matches"),
    "compose.main_not_pdf": (
        "ไฟล์หนังสือต้องเป็นไฟล์ PDF แต่ “{name}” ไม่ใช่ไฟล์ PDF กรุณาบันทึกหนังสือเป็น PDF แล้วแนบใหม่",
        "The letter file must be a PDF, and “{name}” is not one: save the letter as PDF and attach that",
    ),
    "compose.file_too_big": (
        "“{name}” มีขนาด {size} เกินขนาดที่รับได้ (ไฟล์ละไม่เกิน {limit}) กรุณาลดขนาดไฟล์แล้วแนบใหม่",
        "“{name}” is {size}, more than a file may be ({limit}): make it smaller and attach it again",
    ),
    "compose.total_too_big": (
        "ไฟล์ทั้งหมดรวมกัน {size} เกินที่หนังสือหนึ่งฉบับส่งทางระบบ e-CMS ได้ ({limit}) กรุณาลดขนาดไฟล์ หรือส่งบางไฟล์เป็นเอกสาร",
        "The files together are {size}, more than one letter can carry by e-CMS ({limit}): make them "
        "smaller or send some on paper",
    ),
    "compose.total_too_big_mail": (
        "ไฟล์ทั้งหมดรวมกัน {size} เกินที่หนังสือหนึ่งฉบับส่งทางอีเมลสารบรรณได้ ({limit}) กรุณาลดขนาดไฟล์ หรือส่งบางไฟล์เป็นเอกสาร",
        "The files together are {size}, more than one letter can carry by saraban e-mail ({limit}): "
        "make them smaller or send some on paper",
    ),
    "compose.limits": (
        "ไฟล์ละไม่เกิน {file} รวมทุกไฟล์ไม่เกิน {ecms} (ผู้รับทางอีเมลสารบรรณ ไม่เกิน {mail})",
        "Up to {file} a file and {ecms} for all files together ({mail} to a receiver by saraban e-mail)",
    ),
    "compose.kept": ("แนบแล้ว: {name} ({size})", "Attached: {name} ({size})"),
    "compose.kept_remove": ("เอาออก", "Remove"),
    "compose.kept_replace": (
        "ไม่ต้องแนบใหม่ หากเลือกไฟล์ใหม่ ไฟล์ใหม่จะแทนที่ไฟล์ที่แนบแล้ว",
        "No need to attach it again; a file chosen now replaces it",
    ),
    "compose.kept_add": (
        "ไม่ต้องแนบใหม่ ไฟล์ที่เลือกเพิ่มจะแนบรวมกับไฟล์ที่แนบแล้ว",
        "No need to attach them again; files chosen now are added to them",
    ),
    "compose.kept_gone": (
        "ไฟล์ที่แนบไว้ก่อนหน้าไม่ได้เก็บไว้แล้ว (เก็บได้ 8 ชั่วโมงในพื้นที่ที่จำกัด) กรุณาแนบใหม่",
        "A file attached earlier is no longer kept (kept 8 hours, in limited space): attach it again",
    ),
    "compose.kept_full": (
        "เก็บ “{name}” ไว้ให้ไม่ได้ เพราะไฟล์ที่แนบไว้รวมกันใหญ่เกินไป กรุณาแนบใหม่เมื่อกดส่ง",
        "“{name}” could not be kept (the files kept for you are too large together): attach it again "
        "when you send",
    ),
    "compose.queued_ecms": (
        "รับหนังสือเข้าคิวส่งแล้ว จะส่งถึง{receiver} ({org_id}) ทางระบบ e-CMS",
        "The letter is queued for {receiver} ({org_id}) by e-CMS",
    ),
    "compose.queued_mail": (
        "รับหนังสือเข้าคิวส่งแล้ว จะส่งถึง{receiver} ({org_id}) ทางอีเมลสารบรรณ",
        "The letter is queued for {receiver} ({org_id}) by saraban e-mail",
    ),
    "list.sent": ("หนังสือส่ง", "Sent letters"),
    "list.received": ("หนังสือรับ", "Received letters"),
    "list.empty": ("ยังไม่มีหนังสือ", "No letters yet"),
    "list.none_match": ("ไม่มีหนังสือที่ตรงกับตัวกรอง ({filter})", "No letter matches the filter ({filter})"),
    "list.filter_show": ("แสดง “{show}”", "show “{show}”"),
    "list.filter_q": ("ค้นหา “{q}”", "search “{q}”"),
    "list.clear": ("ล้างตัวกรอง แสดงหนังสือทั้งหมด", "Clear the filter: show every letter"),
    "list.filter": ("แสดง", "Show"),
    "list.prev": ("ก่อนหน้า", "Previous"),
    "list.next": ("ถัดไป", "Next"),
    "list.count": ("{total} ฉบับ", "{total} letters"),
    "show.open": ("รอลงทะเบียน", "Waiting to be registered"),
    "show.all": ("ทั้งหมด", "All"),
    "show.attention": ("ต้องดำเนินการ (ถูกปฏิเสธ/ส่งผิด/ส่งไม่สำเร็จ)", "Needs attention (rejected, invalid, failed)"),
    "show.follow": ("ต้องติดตาม (ผู้รับยังไม่ลงรับ)", "To follow up (not registered by the receiver yet)"),
    "list.due_notice": (
        "มีหนังสือ {n} ฉบับที่ผู้รับยังไม่ลงรับ เกินเวลาที่ชั้นความเร็วกำหนด",
        "{n} letters not registered by their receiver in the time their speed gives",
    ),
    "list.due_link": ("ดูรายการที่ต้องติดตาม", "See the letters to follow up"),
    "list.follow_hint": (
        "หนังสือที่ส่งแล้วแต่ผู้รับยังไม่ลงทะเบียนรับ เรียงจากที่รอนานที่สุด ฉบับที่รอเกินเวลาที่ชั้นความเร็วกำหนด "
        "มีเครื่องหมาย “ควรติดตาม” ให้ติดต่อผู้รับทางโทรศัพท์หรืออีเมล",
        "Letters sent but not registered by the receiver yet, the longest waiting first; those waiting "
        "longer than their speed gives are marked: call or mail the receiver",
    ),
    "list.due_mark": ("ควรติดตาม", "Follow up"),
    "col.waited": ("รอมาแล้ว", "Waiting"),
    "show.moving": ("ระหว่างส่ง", "On the way"),
    "col.book_no": ("ที่", "Book no."),
    "col.date": ("ลงวันที่", "Date"),
    "col.subject": ("เรื่อง", "Subject"),
    "col.from": ("จาก", "From"),
    "col.to": ("ถึง", "To"),
    "col.state": ("สถานะ", "State"),
    "col.speed": ("ความเร็ว", "Speed"),
    "col.registry_no": ("เลขทะเบียน", "Registry no."),
    "col.their_no": ("เลขรับของผู้รับ", "Their receive no."),
    "col.send_no": ("เลขทะเบียนส่ง", "Our send no."),
    "col.registered_at": ("วันที่ลงทะเบียน", "Registered on"),
    "col.action": ("การปฏิบัติ", "Action"),
    "col.note": ("หมายเหตุ", "Note"),
    "letter.files": ("ไฟล์", "Files"),
    "letter.timeline": ("ความเคลื่อนไหว", "Timeline"),
    "letter.preview": ("ดูหนังสือ", "Preview"),
    "letter.download": ("ดาวน์โหลด", "Download"),
    "letter.register": ("ลงทะเบียนรับ", "Register"),
    "letter.reject": ("ปฏิเสธ (ส่งคืน)", "Reject"),
    "letter.refuse_title": (
        "ไม่รับหนังสือฉบับนี้: ปฏิเสธ หรือแจ้งว่าส่งผิด",
        "Not taking this letter: reject it or mark it invalid",
    ),
    "letter.invalid": ("แจ้งว่าส่งผิด", "Mark invalid"),
    "letter.withdraw": ("ดึงหนังสือคืน", "Withdraw"),
    "letter.resend": ("ส่งใหม่", "Send again"),
    "letter.confirm_register": (
        "ยืนยันลงทะเบียนรับหนังสือฉบับนี้? ระบบจะออกเลขรับถัดไปในทะเบียนหนังสือรับ และแจ้งเลขรับให้ {sender} ทราบทันที ยกเลิกไม่ได้",
        "Register this letter? It takes the next receive number in the receiving registry book and "
        "{sender} is told that number at once; this cannot be undone",
    ),
    "letter.confirm_reject": (
        "ยืนยันการปฏิเสธหนังสือฉบับนี้? ระบบจะแจ้งผู้ส่งพร้อมเหตุผลทันที และยกเลิกไม่ได้",
        "Reject this letter? The sender is told at once, with the reason; this cannot be undone",
    ),
    "letter.confirm_invalid": (
        "ยืนยันว่าหนังสือฉบับนี้ส่งผิด? ระบบจะแจ้งผู้ส่งพร้อมเหตุผลทันที และยกเลิกไม่ได้",
        "Mark this letter as wrongly sent? The sender is told at once, with the reason; this cannot "
        "be undone",
    ),
    "letter.confirm_withdraw": (
        "ยืนยันการดึงหนังสือฉบับนี้คืน? ยกเลิกไม่ได้ (ส่งใหม่หรือแก้ไขแล้วส่งใหม่ได้ภายหลัง)",
        "Withdraw this letter? This cannot be undone (it can be sent again, or corrected and sent "
        "again, afterwards)",
    ),
    "letter.confirm_report_accept_id": (
        "ยืนยันแจ้งผู้รับว่าเลขรับไม่ถูกต้อง? ระบบจะแจ้งผู้รับพร้อมเหตุผลทันที และยกเลิกไม่ได้",
        "Tell the receiver their receive number is wrong? They are told at once, with the reason; "
        "this cannot be undone",
    ),
    "letter.registered_as": ("ลงทะเบียนรับแล้ว เลขรับที่ {n}", "Registered as receive number {n}"),
    "letter.reason_needed": ("กรุณาระบุเหตุผล ผู้ส่งจะได้รับแจ้งเหตุผลนี้", "Say why: the sender is told"),
    "letter.done_register": (
        "ลงทะเบียนรับแล้ว ระบบจะแจ้งเลขรับที่ {n} ให้ผู้ส่งทราบ",
        "Registered; the sender will be told receive number {n}",
    ),
    "letter.done_reject": (
        "ปฏิเสธหนังสือแล้ว ระบบจะแจ้งผู้ส่งพร้อมเหตุผล",
        "Rejected; the sender will be told, with the reason",
    ),
    "letter.done_invalid": (
        "บันทึกว่าส่งผิดแล้ว ระบบจะแจ้งผู้ส่งพร้อมเหตุผล",
        "Marked as wrongly sent; the sender will be told, with the reason",
    ),
    "letter.done_withdraw": (
        "ดึงหนังสือคืนแล้ว เมื่อระบบ e-CMS ยืนยันการดึงคืน จะส่งใหม่ได้",
        "Withdrawn; once e-CMS confirms the withdrawal the letter can be sent again",
    ),
    "letter.done_resend": (
        "ส่งใหม่แล้ว: หนังสือฉบับนี้รับเข้าคิวส่งแล้ว",
        "Sent again: this letter is queued",
    ),
    "letter.correct_resend": ("แก้ไขแล้วส่งใหม่", "Correct and send again"),
    "letter.refused_next": (
        "ผู้รับไม่รับหนังสือฉบับนี้ (เหตุผลอยู่ในความเคลื่อนไหวด้านล่าง) หากจะส่งอีกครั้ง ให้กด “ดึงหนังสือคืน” ก่อน "
        "เมื่อดึงคืนสำเร็จแล้ว จึงส่งใหม่หรือแก้ไขแล้วส่งใหม่ได้",
        "The receiver did not take this letter (their reason is in the history below). To send it again, "
        "press “Withdraw” first; once the withdrawal is done you can send it again, corrected or not",
    ),
    "letter.withdrawn_next": (
        "ดึงหนังสือคืนแล้ว กด “ส่งใหม่” เพื่อส่งฉบับเดิมเป็นหนังสือฉบับใหม่ หรือ “แก้ไขแล้วส่งใหม่” เพื่อแก้ไขก่อนส่ง",
        "Withdrawn: press “Send again” to send the same letter as a new one, or “Correct and send again” "
        "to change it first",
    ),
    "compose.resending": (
        "แก้ไขหนังสือที่ดึงคืนแล้วส่งใหม่เป็นหนังสือฉบับใหม่ ไฟล์เดิมแนบไว้แล้ว เปลี่ยนหรือเอาออกได้",
        "Correcting a withdrawn letter to send it again as a new one; its files are attached, to keep "
        "or replace",
    ),
    "compose.resending_link": ("ดูหนังสือเดิม", "the withdrawn letter"),
    "compose.resend_not_withdrawn": (
        "แก้ไขแล้วส่งใหม่ได้เฉพาะหนังสือที่ดึงคืนแล้วและยังไม่ได้ส่งใหม่",
        "Only a withdrawn letter not yet sent again can be corrected and sent again",
    ),
    "letter.resent_as": ("หนังสือนี้ส่งใหม่แล้วเป็น", "This letter was sent again as"),
    "letter.resent_link": ("หนังสือฉบับใหม่", "the new letter"),
    "letter.evidence_zip": ("ดาวน์โหลดหลักฐานของหนังสือ (ZIP)", "Download the letter's evidence (ZIP)"),
    "letter.evidence_hint": (
        "ชุดเดียวกับ ecms-gateway audit export: ข้อความที่รับและส่ง ไฟล์ บันทึกการตรวจสอบ และวิธีตรวจ",
        "as ecms-gateway audit export writes it: messages in and out, files, audit entries, how to check",
    ),
    "speed.normal": ("ปกติ", "normal"),
    "speed.urgent": ("ด่วน", "urgent"),
    "speed.very_urgent": ("ด่วนมาก", "very urgent"),
    "speed.most_urgent": ("ด่วนที่สุด", "most urgent"),
    "secrecy.normal": ("ปกติ", "normal"),
    "secrecy.confidential": ("ลับ", "confidential"),
    "secrecy.secret": ("ลับมาก", "secret"),
    "secrecy.top_secret": ("ลับที่สุด", "top secret"),
    "tl.resent": ("ส่งใหม่เป็นหนังสือฉบับใหม่", "sent again as a new letter"),
    "letter.report_accept_id": ("แจ้งผู้รับว่าเลขรับไม่ถูกต้อง", "Tell them the receive number is wrong"),
    "letter.accept_id_reason": ("เหตุที่เลขรับไม่ถูกต้อง", "Why the receive number is wrong"),
    "letter.accept_id_reason_needed": (
        "กรุณาระบุเหตุผล ผู้รับจะได้รับแจ้งเหตุผลนี้",
        "Say why: the receiver is told",
    ),
    "letter.accept_id_reported": (
        "บันทึกแล้ว ระบบจะแจ้งผู้รับว่าเลขรับ {n} ไม่ถูกต้อง",
        "Saved: the receiver will be told that receive number {n} is wrong",
    ),
    "letter.unsigned": (
        "ไม่มีลายมือชื่ออิเล็กทรอนิกส์ (รับไว้ตามนโยบาย)",
        "No electronic signature (accepted by policy)",
    ),
    "letter.unsigned_hint": (
        "ไม่สามารถยืนยันได้ว่าหนังสือนี้มาจากผู้ส่งจริง โปรดตรวจสอบกับผู้ส่งก่อนดำเนินการ",
        "Nothing proves this letter comes from its sender: check with the sender before acting on it",
    ),
    "state.queued": ("รอส่ง", "queued"),
    "state.sending": ("กำลังส่ง", "sending"),
    "state.sent": ("ส่งแล้ว", "sent"),
    "state.delivered": ("ผู้รับได้รับแล้ว", "received by them"),
    "state.accepted": ("ผู้รับลงทะเบียนแล้ว", "registered by them"),
    "state.rejected": ("ถูกปฏิเสธ", "rejected"),
    "state.invalid": ("ส่งผิด", "invalid"),
    "state.withdrawn": ("ดึงคืนแล้ว", "withdrawn"),
    "state.failed": ("ส่งไม่สำเร็จ", "failed"),
    "state.received": ("รอลงทะเบียน", "waiting to be registered"),
    # What happened, or was asked, to a letter (engine Event), as a refusal names it.
    "event.claim": ("เริ่มส่ง", "start sending"),
    "event.sent": ("ส่งถึงปลายทาง", "delivered"),
    "event.retry_later": ("รอส่งอีกครั้ง", "retry later"),
    "event.release": ("คืนเข้าคิวส่ง", "back to the queue"),
    "event.give_up": ("เลิกส่ง", "give up"),
    "event.redrive": ("ส่งใหม่", "redrive"),
    "event.receive_notified": ("ผู้รับแจ้งว่าได้รับแล้ว", "receipt notice"),
    "event.accept_notified": ("ผู้รับแจ้งเลขรับ", "receive number notice"),
    "event.reject_notified": ("ผู้รับแจ้งปฏิเสธ", "rejection notice"),
    "event.invalid_notified": ("ผู้รับแจ้งว่าส่งผิด", "wrong-letter notice"),
    "event.bounced": ("อีเมลตีกลับ", "bounce"),
    "event.withdraw": ("ดึงหนังสือคืน", "withdraw"),
    "event.register": ("ลงทะเบียนรับ", "register"),
    "event.reject": ("ปฏิเสธ (ส่งคืน)", "reject"),
    "event.mark_invalid": ("แจ้งว่าส่งผิด", "mark invalid"),
    "event.sent_again": ("ผู้ส่งส่งมาใหม่", "sent again"),
    "state.registered": ("ลงทะเบียนแล้ว", "registered"),
    "tl.accepted": ("รับเข้าคิวส่ง", "queued"),
    "tl.claim": ("เริ่มส่ง", "sending"),
    "tl.sent": ("ส่งถึงระบบ e-CMS แล้ว", "sent"),
    "tl.sent.mail": ("ส่งถึงอีเมลสารบรรณของผู้รับแล้ว", "mailed to their saraban mailbox"),
    "letter.failed_hint": (
        "หนังสือนี้ยังไม่ถึงผู้รับ โปรดแจ้งผู้ดูแลระบบพร้อมเหตุผลในความเคลื่อนไหวด้านล่าง "
        "(เช่น ที่อยู่อีเมลสารบรรณหรือที่อยู่ระบบของผู้รับในทำเนียบไม่ถูกต้อง) เมื่อแก้ไขแล้ว "
        "ผู้ดูแลระบบสั่งส่งใหม่ได้ หรือส่งเป็นเอกสารแทน",
        "This letter has not reached the receiver: tell an operator, with the reason in the timeline "
        "below (for instance the receiver's saraban address or system address in the directory is "
        "wrong); once it is fixed an operator can redrive it, or send it on paper instead",
    ),
    "letter.mail_follow_up": (
        "หนังสือนี้ส่งทางอีเมลสารบรรณ ผู้รับที่ใช้ระบบรับส่งหนังสือจะแจ้งการได้รับและเลขรับกลับมาที่หน้านี้ "
        "แต่ผู้รับที่เปิดอ่านทางโปรแกรมอีเมลจะไม่แจ้งกลับโดยอัตโนมัติ หากต้องการยืนยันว่าได้รับ "
        "โปรดติดตามกับผู้รับทางโทรศัพท์หรืออีเมล หนังสือตอบที่ผู้รับส่งกลับมาทางอีเมลจะอยู่ใน "
        "“หนังสือจากอีเมลรอยืนยัน” ส่วนข้อความที่ผู้รับตอบกลับอีเมลของหนังสือนี้ (ไม่มีไฟล์แนบ) จะแสดงในความเคลื่อนไหวด้านล่าง",
        "This letter went by saraban e-mail. A receiver with a letter system tells us here that it "
        "arrived and its receive number; a receiver who reads it in a mail program tells us nothing "
        "automatically: to be sure it arrived, follow it up by phone or e-mail. A letter they mail back "
        "in answer appears under “Letters by e-mail to confirm”; words they write in answer to this "
        "letter's mail (no file) appear in the timeline below",
    ),
    "tl.retry_later": ("ส่งไม่สำเร็จ จะลองใหม่", "failed for now, will retry"),
    "tl.release": ("ระบบหยุดทำงานก่อนส่ง จะส่งเมื่อเริ่มใหม่", "put back: the gateway stopped before sending it"),
    "tl.give_up": ("ส่งไม่สำเร็จ (หยุดลองใหม่)", "delivery gave up"),
    # Why a try failed: the page's words, then the error as stored, quoted (often the node's English).
    "tl.why": ("สาเหตุที่ส่งไม่สำเร็จ ตามที่ระบบแจ้ง:", "Why, as the system said it:"),
    "tl.why.try": ("สาเหตุที่ส่งครั้งที่ {n} ไม่สำเร็จ ตามที่ระบบแจ้ง:", "Why try {n} failed, as the system said it:"),
    "tl.why.permanent": (
        "ปลายทางหรือระบบไม่รับหนังสือนี้ ส่งซ้ำก็ไม่สำเร็จจนกว่าจะแก้ไขสาเหตุ ตามที่ระบบแจ้ง:",
        "Refused: sending it again cannot help until the cause is fixed. As the system said it:",
    ),
    "tl.why.attempts": (
        "ลองส่งแล้ว {n} ครั้งไม่สำเร็จ สาเหตุครั้งล่าสุด ตามที่ระบบแจ้ง:",
        "Tried {n} times without success; the last time, as the system said it:",
    ),
    "tl.why.too_long": (
        "ลองส่งจนเกินเวลาที่กำหนดแล้วไม่สำเร็จ สาเหตุครั้งล่าสุด ตามที่ระบบแจ้ง:",
        "Tried for longer than allowed without success; the last time, as the system said it:",
    ),
    "tl.redrive": ("ผู้ดูแลสั่งส่งใหม่", "redriven by an operator"),
    "tl.receive_notified": ("ผู้รับได้รับหนังสือแล้ว", "received by them"),
    "tl.accept_notified": ("ผู้รับลงทะเบียนรับ เลขรับที่ {n}", "registered by them as receive number {n}"),
    "tl.reject_notified": ("ผู้รับปฏิเสธ", "rejected by them"),
    "tl.invalid_notified": ("ผู้รับแจ้งว่าส่งผิด", "marked invalid by them"),
    "tl.bounced": ("ระบบอีเมลผู้รับตีกลับ", "bounced by their mail system"),
    "tl.mail_reply": ("ผู้รับตอบกลับทางอีเมล ({who})", "they answered by e-mail ({who})"),
    "tl.mail_reply_number": (
        "ในข้อความแจ้งเลขรับ {n} (ระบบไม่ได้บันทึกเป็นเลขรับของหนังสือ โปรดตรวจสอบ)",
        "Their words give receive number {n} (not recorded as the letter's receive number: check it)",
    ),
    "tl.mail_reply_cut": (
        "ข้อความยาว แสดงเฉพาะ {n} ตัวอักษรแรก อ่านข้อความเต็มได้ในกล่องอีเมลสารบรรณ",
        "A long message: only its first {n} characters are shown; read it whole in the saraban mailbox",
    ),
    "tl.mail_reply_empty": (
        "ไม่มีข้อความของผู้ตอบ มีแต่ข้อความเดิมที่อ้างถึง อ่านอีเมลฉบับเต็มได้ในกล่องอีเมลสารบรรณ",
        "No words of theirs, only the quoted letter; read the whole mail in the saraban mailbox",
    ),
    "tl.notifier_bounced": (
        "อีเมล{what}ถึงผู้ส่งตีกลับ ผู้ส่งจึงยังไม่ทราบ โปรดแจ้งผู้ส่งทางอื่น (โทรศัพท์หรืออีเมลอื่น)",
        "Our {what} mail to the sender bounced: they have not been told; tell them another way "
        "(phone or another address)",
    ),
    "tl.notifier_bounced.why": ("ระบบอีเมลปลายทางแจ้งว่า:", "Their mail system said:"),
    "tl.notifier.receive": ("แจ้งว่าได้รับหนังสือ", "receipt"),
    "tl.notifier.accept": ("แจ้งเลขรับ", "receive number"),
    "tl.notifier.reject": ("แจ้งปฏิเสธหนังสือ", "rejection"),
    "tl.notifier.invalid": ("แจ้งว่าส่งผิด", "invalid-letter"),
    "tl.notifier.invalid_accept_id": ("แจ้งว่าเลขรับไม่ถูกต้อง", "wrong-receive-number"),
    "tl.withdraw": ("ดึงหนังสือคืน", "withdrawn"),
    "tl.invalid_accept_id": ("แจ้งผู้รับว่าเลขรับ {n} ไม่ถูกต้อง", "told them receive number {n} is wrong"),
    "tl.received": ("ได้รับหนังสือ", "received"),
    "tl.received_again": (
        "ได้รับหนังสือฉบับเดียวกันซ้ำอีกครั้ง (ผู้ส่งส่งมาอีก) บันทึกไว้ฉบับเดียว",
        "the same letter arrived again (its sender sent it again); recorded once",
    ),
    "tl.register": ("ลงทะเบียนรับ เลขรับที่ {n}", "registered as receive number {n}"),
    "tl.reject": ("ปฏิเสธหนังสือ", "rejected"),
    "tl.sent_again": (
        "ผู้ส่งส่งหนังสือนี้มาอีกครั้ง รอลงทะเบียน",
        "sent to us again by the sender; waiting to be registered",
    ),
    "tl.mark_invalid": ("แจ้งว่าส่งผิด", "marked invalid"),
    "registry.title": ("ทะเบียนหนังสือ", "Registry books"),
    "registry.in": ("ทะเบียนหนังสือรับ", "Register of received letters"),
    "registry.out": ("ทะเบียนหนังสือส่ง", "Register of sent letters"),
    "registry.show": ("แสดง", "Show"),
    "registry.csv": ("ดาวน์โหลด CSV", "Download CSV"),
    "registry.pdf": ("ดาวน์โหลด PDF", "Download PDF"),
    "registry.period": ("ระหว่างวันที่ {start} ถึง {end}", "From {start} to {end}"),
    "registry.accept_id": ("เลขรับปลายทาง {n}", "receiver's no. {n}"),
    "registry.printed": (
        "{n} รายการ · พิมพ์เมื่อ {at} (เวลาประเทศไทย)",
        "entries: {n} · printed {at} (Thailand time)",
    ),
    "registry.reversed": (
        "วันที่เริ่มต้น ({start}) อยู่หลังวันที่สิ้นสุด ({end}) กรุณาสลับวันที่ทั้งสองช่อง",
        "The start date ({start}) is after the end date ({end}); swap the two dates",
    ),
    "registry.too_long": (
        "ช่วงวันที่ยาว {days} วัน ทะเบียนหนึ่งเล่มแสดงได้ไม่เกิน {most} วัน (ราว 2 ปี) กรุณาเลือกช่วงที่สั้นลง",
        "The period is {days} days long; one book covers at most {most} days (about two years): "
        "choose a shorter period",
    ),
    "registry.cannot": (
        "ทำทะเบียนหนังสือสำหรับช่วงวันที่นี้ไม่ได้",
        "No registry book can be made for these dates",
    ),
    "dash.title": ("ภาพรวมระบบ", "Dashboard"),
    "dash.queues": ("คิวงาน", "Work queues"),
    "dash.state": ("สถานะ", "State"),
    "dash.channel": ("ช่องทาง", "Channel"),
    "dash.kind": ("งาน", "Work"),
    "dash.count": ("จำนวน", "Count"),
    "dash.oldest": ("ค้างนานสุด", "Oldest"),
    "dash.per_hour": ("หนังสือต่อชั่วโมง (24 ชม.)", "Letters per hour (24 h)"),
    "dash.latency": ("เวลาส่ง (วินาที, 24 ชม.)", "Delivery latency (seconds, 24 h)"),
    "dash.failing": ("เส้นทางที่ส่งไม่สำเร็จ", "Failing routes"),
    "dash.dead": ("หนังสือที่ส่งไม่สำเร็จ", "Dead letters"),
    "dash.redrive": ("ส่งใหม่", "Redrive"),
    "dash.redrive_selected": ("ส่งใหม่ที่เลือก", "Redrive selected"),
    "dash.redriven": ("สั่งส่งใหม่แล้ว {n} รายการ", "{n} redriven"),
    "dash.directory": ("ทำเนียบส่วนราชการ", "Directory sync"),
    "dash.directory_count": ("ส่วนราชการในทำเนียบ {n} แห่ง", "{n} organisations in the directory"),
    "dash.directory_source": ("ที่มา:", "From:"),
    # Where the directory came from (DirectoryFrom), before its path or the node's address as written.
    "dash.directory_from.file": ("ไฟล์ทำเนียบส่วนราชการ", "the directory file"),
    "dash.directory_from.node": ("ทำเนียบจากศูนย์ e-CMS", "the e-CMS node's organisation list"),
    "dash.directory_from.cache": (
        "สำเนาทำเนียบจากศูนย์ e-CMS ที่เก็บไว้",
        "the kept copy of the e-CMS node's organisation list",
    ),
    "dash.directory_fetched": ("ได้รับจากศูนย์เมื่อ {at}", "fetched {at}"),
    "dash.directory_loaded": ("โหลดล่าสุดเมื่อ {at}", "last loaded {at}"),
    "dash.poll_ok": ("รับหนังสือจากศูนย์ e-CMS ได้ล่าสุดเมื่อ {at}", "last fetched letters from the e-CMS node {at}"),
    "dash.poll_failed": ("รับหนังสือจากศูนย์ e-CMS ครั้งล่าสุดไม่สำเร็จ", "the latest fetch from the e-CMS node failed"),
    "dash.poll_last_ok": ("(สำเร็จครั้งล่าสุดเมื่อ {at})", "(last worked {at})"),
    "dash.certs": ("ใบรับรอง", "Certificates"),
    "dash.days_left": ("เหลือ {n} วัน", "{n} days left"),
    "dash.expired": ("หมดอายุแล้ว {n} วัน", "expired {n} days ago"),
    "dash.cert_none": (
        "ไม่มีใบรับรองที่ใช้ลงนาม: อ่านไฟล์ไม่ได้ ({problem}) หนังสือของหน่วยงานนี้จะส่งไม่ได้จนกว่าจะแก้ไฟล์",
        "No certificate signs for it: the file cannot be read ({problem}); its letters cannot be sent "
        "until the file is fixed",
    ),
    "dash.cert_file_new": (
        "ไฟล์ใบรับรองเป็นใบใหม่แล้ว (หมดอายุ {date}) แต่เกตเวย์ยังลงนามด้วยใบที่แสดงอยู่นี้ ต้องเริ่มเกตเวย์ใหม่จึงจะใช้ใบใหม่",
        "The certificate file now holds another certificate (ends {date}); the gateway still signs with "
        "the one shown here until it is restarted",
    ),
    "dash.cert_file_problem": (
        "อ่านไฟล์ใบรับรองไม่ได้ ({problem}) เกตเวย์ยังลงนามด้วยใบที่แสดงอยู่นี้ แต่จะเริ่มใหม่ไม่ได้จนกว่าจะแก้ไฟล์",
        "The certificate file cannot be read ({problem}); the gateway still signs with the one shown "
        "here but will not start again until the file is fixed",
    ),
    "dash.none": ("ไม่มี", "None"),
    "dash.error": ("ข้อผิดพลาด", "Error"),
    "dash.retrying": ("รอลองใหม่", "Retrying"),
    "dash.dead_count": ("ส่งไม่สำเร็จ", "Dead"),
    "dash.failing_hint": (
        "ระบบลองส่งใหม่เองเป็นระยะ รายการที่ระบบเลิกลองแล้วอยู่ในตาราง หนังสือที่ส่งไม่สำเร็จ ด้านล่าง",
        "The gateway tries these again by itself; those it gave up on are under Dead letters below",
    ),
    "dash.dead_hint": (
        "ระบบเลิกลองส่งรายการเหล่านี้แล้ว แก้สาเหตุตามช่องข้อผิดพลาดก่อน (เช่น กุญแจลงนาม การตั้งค่าอีเมลสารบรรณ "
        "หรือที่อยู่ของผู้รับในทำเนียบ) แล้วกดปุ่ม ส่งใหม่ ของรายการนั้น หรือเลือกหลายรายการแล้วกด ส่งใหม่ที่เลือก",
        "The gateway gave up on these: fix the cause their Error names first (for instance the signing "
        "key, the saraban mail settings or the receiver's address in the directory), then press Redrive on "
        "the row, or select several and press Redrive selected",
    ),
    "work.ready": ("รอทำ", "ready"),
    "work.leased": ("กำลังทำ", "in hand"),
    "work.done": ("เสร็จแล้ว", "done"),
    "work.dead": ("ไม่สำเร็จ", "dead"),
    "work.send": ("ส่งหนังสือ", "send a letter"),
    "work.inbound": ("รับเข้า", "take in"),
    "work.notify_receive": ("แจ้งว่าได้รับหนังสือ", "tell: received"),
    "work.notify_accept": ("แจ้งเลขรับ", "tell: receive number"),
    "work.notify_reject": ("แจ้งปฏิเสธหนังสือ", "tell: rejected"),
    "work.notify_invalid": ("แจ้งว่าส่งผิด", "tell: wrongly sent"),
    "work.notify_invalid_accept_id": ("แจ้งว่าเลขรับไม่ถูกต้อง", "tell: wrong receive number"),
    "work.withdraw": ("ดึงหนังสือคืน", "withdraw"),
    "channel.ecms": ("e-CMS", "e-CMS"),
    "channel.mail": ("อีเมลสารบรรณ", "saraban mail"),
    "audit.title": ("บันทึกตรวจสอบ", "Audit log"),
    "audit.verify": ("ตรวจสอบความถูกต้องของสายบันทึก", "Verify chain"),
    "audit.ok": ("สายบันทึกถูกต้อง ตรวจแล้ว {n} รายการ", "The chain is intact: {n} entries checked"),
    "audit.bad": ("สายบันทึกเสียหายที่รายการ {seq}: {problem}", "The chain is broken at entry {seq}: {problem}"),
    "audit.when": ("เวลา", "When"),
    "audit.actor": ("ผู้ทำ", "Who"),
    "audit.action": ("การกระทำ", "Action"),
    "audit.letter": ("หนังสือ", "Letter"),
}


def _merged(*parts: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """One catalogue of its parts; a key in two of them is a mistake, found when the pages start."""
    merged: dict[str, tuple[str, str]] = {}
    for part in parts:
        twice = merged.keys() & part.keys()
        if twice:
            raise ValueError(f"words given twice: {', '.join(sorted(twice))}")
        merged.update(part)
    return merged


CATALOGUE: Final = _merged(_PAGES, AUDIT_WORDS, MAIL_WORDS)


def translate(lang: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` with ``{name}`` fields filled in."""
    pair = CATALOGUE.get(key)
    text = key if pair is None else pair[0 if lang == "th" else 1]
    return text.format(**values) if values else text


def translate_value(lang: str, prefix: str, value: str) -> str:
    """A code's name (``work.`` + ``dead``) in ``lang``; the code itself when it has none."""
    key = f"{prefix}.{value}"
    return translate(lang, key) if key in CATALOGUE else value


def pick_lang(cookie: str | None) -> str:
    return cookie if cookie in LANGS else DEFAULT_LANG

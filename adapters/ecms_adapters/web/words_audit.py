"""The audit log's words (``i18n.CATALOGUE`` takes them in): each action the core writes, by name,
and the page's own labels; ``tests/unit/web/test_audit_text.py`` checks every action is here."""

from __future__ import annotations

from typing import Final

# key: (Thai, English)
AUDIT_WORDS: Final[dict[str, tuple[str, str]]] = {
    # Audit actions by name (audit_text.py); an action not here shows its code, as stored.
    "act.letter.accepted": ("รับหนังสือเข้าคิวส่ง", "letter queued to send"),
    "act.letter.received": ("ได้รับหนังสือ", "letter received"),
    "act.letter.claim": ("เริ่มส่งหนังสือ", "sending started"),
    "act.letter.sent": ("ส่งหนังสือแล้ว", "letter sent"),
    "act.letter.retry_later": ("ส่งไม่สำเร็จ จะลองใหม่", "try failed, will retry"),
    "act.letter.release": ("คืนหนังสือเข้าคิวส่ง", "letter put back in the queue"),
    "act.letter.give_up": ("เลิกส่งหนังสือ (ส่งไม่สำเร็จ)", "delivery given up"),
    "act.letter.redrive": ("ผู้ดูแลสั่งส่งหนังสือใหม่", "letter redriven"),
    "act.letter.receive_notified": ("ผู้รับแจ้งว่าได้รับหนังสือ", "receipt notice from the receiver"),
    "act.letter.accept_notified": ("ผู้รับแจ้งเลขรับ", "receive number from the receiver"),
    "act.letter.reject_notified": ("ผู้รับแจ้งปฏิเสธหนังสือ", "rejection from the receiver"),
    "act.letter.invalid_notified": ("ผู้รับแจ้งว่าส่งผิด", "wrong-letter notice from the receiver"),
    "act.letter.bounced": ("อีเมลหนังสือตีกลับ", "mailed letter bounced"),
    "act.letter.withdraw": ("ดึงหนังสือคืน", "letter withdrawn"),
    "act.letter.register": ("ลงทะเบียนรับ", "letter registered"),
    "act.letter.reject": ("ปฏิเสธหนังสือ", "letter rejected"),
    "act.letter.mark_invalid": ("แจ้งว่าส่งผิด", "letter marked invalid"),
    "act.letter.sent_again": ("ผู้ส่งส่งหนังสือมาใหม่", "sent again by its sender"),
    "act.letter.refused": ("ไม่ทำรายการ เพราะสถานะหนังสือไม่อนุญาต", "step refused in the letter's state"),
    "act.letter.resent": ("ส่งใหม่เป็นหนังสือฉบับใหม่", "sent again as a new letter"),
    "act.letter.received_again": ("ได้รับหนังสือฉบับเดิมซ้ำ (บันทึกไว้ครั้งเดียว)", "same letter received again"),
    "act.letter.invalid_accept_id": ("แจ้งผู้รับว่าเลขรับไม่ถูกต้อง", "receiver told its receive number is wrong"),
    "act.inbox.received": ("ได้รับข้อความเข้า", "message received"),
    "act.notifier.noted": ("บันทึกการแจ้งจากผู้รับ", "notice noted"),
    "act.notifier.unmatched": ("ได้รับการแจ้งที่ไม่ตรงกับหนังสือใด", "notice matching no letter"),
    "act.message.archived": ("เก็บสำเนาข้อความที่ส่ง", "message sent kept"),
    "act.work.done": ("งานเสร็จ", "work item done"),
    "act.work.released": ("คืนงานเข้าคิว", "work item put back"),
    "act.work.dead": ("งานไม่สำเร็จ (หยุดลองใหม่)", "work item dead"),
    "act.work.redriven": ("ผู้ดูแลสั่งทำงานใหม่", "work item redriven"),
    "act.work.taken_over": ("รับช่วงงานที่ค้าง", "work item taken over"),
    "act.mail.notifier_bounced": ("การแจ้งทางอีเมลตีกลับ", "mailed notice bounced"),
    "act.mail.reply": ("ผู้รับตอบกลับทางอีเมล", "answer by e-mail"),
    "act.mail_letter.pending": ("ได้รับหนังสือทางอีเมล รอยืนยัน", "letter by e-mail waiting"),
    "act.mail_letter.confirmed": ("ยืนยันหนังสือจากอีเมล", "letter by e-mail confirmed"),
    "act.mail_letter.dismissed": ("ปัดตกอีเมล", "mail dismissed"),
    "act.access.user_added": ("เพิ่มผู้ใช้", "user added"),
    "act.access.user_disabled": ("ปิดบัญชีผู้ใช้", "user disabled"),
    "act.access.password_set": ("ตั้งรหัสผ่านใหม่", "password set"),
    "act.access.key_added": ("สร้างกุญแจ API", "API key added"),
    "act.access.key_revoked": ("ยกเลิกกุญแจ API", "API key revoked"),
    "act.webhook.added": ("เพิ่มปลายทาง webhook", "webhook added"),
    "act.webhook.changed": ("แก้ไขปลายทาง webhook", "webhook changed"),
    "act.webhook.removed": ("ลบปลายทาง webhook", "webhook removed"),
    "act.webhook.retried": ("ส่ง webhook ใหม่", "webhook retried"),
    "act.db.downgraded": ("ย้อนรุ่นโครงสร้างฐานข้อมูล", "database schema downgraded"),
    "audit.system_said": ("ระบบบันทึกว่า:", "The system wrote:"),
    # How the chain is broken (audit_text.chain_problem), one per ChainBreak, with the entries it names;
    # ".one" where the range is a single entry. The English matches what `audit verify` prints.
    "audit.break.altered": (
        "รายการที่ {seq} ถูกแก้ไข: เนื้อหาไม่ตรงกับค่าแฮชของรายการ",
        "entry {seq} was altered: its content no longer matches its hash",
    ),
    "audit.break.rehashed": (
        "รายการที่ {seq} ถูกแก้ไข (และคำนวณค่าแฮชใหม่): รายการที่ {next} จึงไม่เชื่อมต่อกับรายการนี้แล้ว",
        "entry {seq} was altered (and its hash recomputed): entry {next} no longer links to it",
    ),
    "audit.break.removed": (
        "รายการที่ {first} ถึง {last} ถูกลบ: รายการที่ {seq} เชื่อมต่อกับรายการที่ไม่มีอยู่แล้ว",
        "entries {first} to {last} removed: entry {seq} links to an entry that is not there",
    ),
    "audit.break.removed.one": (
        "รายการที่ {first} ถูกลบ: รายการที่ {seq} เชื่อมต่อกับรายการที่ไม่มีอยู่แล้ว",
        "entry {first} removed: entry {seq} links to an entry that is not there",
    ),
    "audit.break.reordered": (
        "รายการที่ {seq} ถูกย้ายลำดับ: ต้องอยู่ต่อจากรายการที่ {belongs_after} ไม่ใช่ต่อจากรายการที่ {placed_after}",
        "entry {seq} was reordered: it belongs after entry {belongs_after}, not after entry {placed_after}",
    ),
    "audit.break.out_of_sequence": (
        "รายการที่ {seq} มีเลขลำดับไม่ต่อเนื่อง (ควรเป็นรายการที่ {expected})",
        "entry {seq} is numbered out of sequence (expected {expected})",
    ),
    "audit.break.start_removed": (
        "รายการที่ {seq} ไม่ใช่รายการแรกของสายบันทึก: รายการก่อนหน้าถูกลบ",
        "entry {seq} does not start the chain: entries before it were removed",
    ),
    "audit.break.end_removed": (
        "รายการที่ {first} ถึง {last} ถูกลบออกจากท้ายสายบันทึก",
        "entries {first} to {last} were removed from the end of the chain",
    ),
    "audit.break.end_removed.one": (
        "รายการที่ {first} ถูกลบออกจากท้ายสายบันทึก",
        "entry {first} was removed from the end of the chain",
    ),
    "audit.break.end_mismatch": (
        "รายการที่ {seq} ไม่ตรงกับรายการสุดท้ายของสายบันทึกที่ระบบจดไว้",
        "entry {seq} does not match the recorded end of the chain",
    ),
}

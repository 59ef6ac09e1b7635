"""README.txt of a letter's evidence export, in Thai and English: what each file is and how to check it
without the gateway's database (audit hashes, XML signatures with ecms-gateway and xmlsec1, sha256sum).
"""

from __future__ import annotations

import email.policy
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any, Final

from ecms_gateway.letter.thai import THAI_TIME, format_thai_date
from ecms_gateway.services.evidence import EvidencePart, LetterEvidence
from ecms_gateway.xml.namespaces import RAM

ID_ATTR: Final = f"--id-attr:ID {RAM}:CorrespondenceLetter"
"""Where xmlsec1 finds the ID a letter's signature refers to (URI="#Letter"); notifiers need none."""

RECOMPUTE: Final = """\
python3 - <<'EOF'
import hashlib, json
for line in open("audit.jsonl", encoding="utf-8"):
    e = json.loads(line)
    if e["record"] != "entry":
        continue
    names = ("at", "actor", "action", "letter_id", "work_id", "reason", "detail", "prev_hash")
    fields = {k: e[k] for k in names}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    ok = hashlib.sha256(text.encode("utf-8")).hexdigest() == e["hash"]
    print(e["seq"], e["action"], "ok" if ok else "MISMATCH")
EOF"""


CUT: Final = (
    "cut() {  # cut FILE ELEMENT OUT: the element's bytes, unchanged, out of the SOAP envelope\n"
    """python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); t = sys.argv[2].encode(); """
    """s = d.index(b"<" + t); e = d.index(b"</" + t + b">") + len(t) + 3; """
    """open(sys.argv[3], "wb").write(d[s:e])' "$@"\n"""
    "}"
)
"""A notifier is signed as a document of its own (URI=""): xmlsec1 must see it without its envelope."""

_NOTIFIER_ELEMENTS: Final = {
    "receive": "ReceiveLetterNotifier",
    "accept": "AcceptLetterNotifier",
    "reject": "RejectLetterNotifier",
    "invalid": "InvalidLetterNotifier",
    "invalid_accept_id": "InvalidAcceptIDNotifier",
}

_HASH_TEXT: Final = """\
== ตรวจอย่างไร / How to check ==
1. ไฟล์ไม่ถูกแก้ไข / Files unchanged:
     sha256sum -c SHA256SUMS
   ทุกบรรทัดต้องเป็น OK / every line must say OK.

2. ค่าแฮชของบันทึกการตรวจสอบ / Audit entry hashes. กฎ (ecms_gateway/engine/audit.py, entry_hash):
   hash = SHA-256 ของ UTF-8 ของ JSON ของฟิลด์ at, actor, action, letter_id, work_id, reason, detail,
   prev_hash (ไม่รวม seq) เรียงคีย์ตามตัวอักษร ไม่มีช่องว่าง (separators "," และ ":") อักษรไทยไม่ escape
   The rule: hash = SHA-256 over the UTF-8 bytes of the canonical JSON of the fields at, actor, action,
   letter_id, work_id, reason, detail and prev_hash (seq left out): keys sorted, no spaces, non-ASCII
   text as is. "at" is the UTC time with microseconds as written in audit.jsonl; "detail" is the text
   as stored (itself canonical JSON), not the object it encodes. prev_hash is the hash of the entry
   before in the whole chain (entry 1: 64 zeros). Entries of other letters lie between these, so only
   consecutive seq numbers link here; the head hash above commits to the whole chain at export time:
   a later `ecms-gateway audit verify`, or a later export showing the same entries, can be compared.
   In this folder, with bash / ในโฟลเดอร์นี้ ด้วย bash:
{recompute}
"""

_SIGNATURE_TEXT: Final = """\
3. ลายมือชื่อดิจิทัลของข้อความ / A message's XML signature. ใช้ใบรับรองที่ได้จากหน่วยงานคู่ค้าโดยตรง
   (ไม่ใช่ใบที่อยู่ในข้อความ) / Trust the partner's certificate as obtained from the partner, not the
   one inside the message (PARTNER-CERT.pem below; for a certificate a CA issued, the CA's root, and
   trust/ca/ instead of trust/orgs/). The messages are the SOAP replies of the e-CMS node as received;
   a notifier is signed as a document of its own, so xmlsec1 is given its bytes cut out of the reply.
   In this folder, with bash / ในโฟลเดอร์นี้ ด้วย bash:
mkdir -p trust/orgs/{org} && cp PARTNER-CERT.pem trust/orgs/{org}/
{cut}"""


def readme(evidence: LetterEvidence, *, exported_at: str) -> str:
    letter = evidence.letter
    chain = evidence.chain
    state = (
        f"intact: {chain['entries_checked']} entries checked, head entry {chain['head_seq']} "
        f"hash {chain['head_hash']}"
        if chain["intact"]
        else f"BROKEN at entry {chain['first_bad_seq']}: {chain['problem']}"
    )
    dated = format_thai_date(datetime.fromisoformat(letter["letter_date"]).date())
    return "\n".join(
        [
            f"หลักฐานของหนังสือ {letter['book_no']} ลงวันที่ {dated} (letter {evidence.letter_id})",
            f"Evidence of letter {evidence.letter_id}: {letter['book_no']} of {letter['letter_date']}",
            f"from {letter['sender']['org_id']} to {letter['receiver']['org_id']}, "
            f"{letter['direction']}bound, state {letter['state']}",
            *_incomplete_lines(evidence),
            "",
            f"ส่งออกเมื่อ / Exported: {thai_and_utc(exported_at)}",
            f"Audit chain at export / สายโซ่บันทึกการตรวจสอบขณะส่งออก: {state}",
            "",
            *_summary_lines(letter),
            "",
            *_timeline_lines(evidence),
            "",
            _FILES_TEXT,
            *_message_lines(evidence),
            *_missing_lines(evidence),
            "",
            _checks_text(evidence),
        ]
    )


def _incomplete_lines(evidence: LetterEvidence) -> list[str]:
    if evidence.complete:
        return []
    return [
        "",
        f"!! ชุดหลักฐานนี้ไม่ครบ: {len(evidence.missing)} รายการหายไปหรือถูกเปลี่ยนในที่เก็บของ gateway "
        "(ดูหัวข้อ ขาดหายหรือเสียหาย ด้านล่าง)",
        f"!! INCOMPLETE: {len(evidence.missing)} file(s) or message(s) the store lists for this letter are "
        "missing from it or changed there (see MISSING OR DAMAGED below)",
    ]


def thai_and_utc(text: str | None) -> str:
    """``22 พฤศจิกายน 2569 02:52:30 น. ... / 2026-11-21 19:52:30 UTC``: Thai time is what a Thai reader
    compares with the notifiers' own times (+07:00); UTC is what the store and audit.jsonl keep."""
    if text is None:
        return "-"
    at = datetime.fromisoformat(text)
    thai = at.astimezone(THAI_TIME)
    utc = at.astimezone(UTC)
    return (
        f"{format_thai_date(thai.date())} {thai:%H:%M:%S} น. เวลาประเทศไทย (UTC+7) / "
        f"{utc:%Y-%m-%d %H:%M:%S} UTC"
    )


def _summary_lines(letter: dict[str, Any]) -> list[str]:
    registry = letter["registry"]
    lines = ["== สรุป / Summary ==", f"เรื่อง / Subject: {letter['subject']}"]
    if registry["number"] is not None:
        kind = "เลขทะเบียนรับ / receive number" if letter["direction"] == "in" else "เลขทะเบียนส่ง / send number"
        lines.append(f"{kind}: {registry['number']}/{registry['year_be']} (of {registry['org']})")
        if registry["registered_at"] is not None:
            lines.append(f"  ออกเลขเมื่อ / given at: {thai_and_utc(registry['registered_at'])}")
    if letter["receiver_accept_id"] is not None:
        lines.append(f"เลขรับของผู้รับ / the receiver's receive number: {letter['receiver_accept_id']}")
    if letter["resend_of"] is not None:
        lines.append(
            f"ส่งใหม่แทนหนังสือ / sent again in place of letter {letter['resend_of']} "
            "(export that letter too for its earlier life)"
        )
    if letter["resent_as"]:
        ids = ", ".join(str(i) for i in letter["resent_as"])
        lines.append(f"ส่งใหม่เป็นหนังสือ / sent again as letter {ids} (export it too for its later life)")
    lines.append(f"บันทึกเข้าระบบ / recorded at: {thai_and_utc(letter['created_at'])}")
    return lines


def _timeline_lines(evidence: LetterEvidence) -> list[str]:
    """Who did what when, from audit.jsonl, for reading; the hashes there are what proves it."""
    lines = ["== ลำดับเหตุการณ์ / Timeline: who did what when (from audit.jsonl) =="]
    for e in evidence.audit:
        why = f" - {e['reason']}" if e["reason"] else ""
        lines.append(f"  {e['seq']:>5}  {thai_and_utc(e['at'])}")
        lines.append(f"         {e['actor']}: {e['action']}{why}")
    return lines


_FILES_TEXT: Final = """\
== ไฟล์ในชุดนี้ / What is here ==
letter.json     ข้อมูลหนังสือตามที่ฐานข้อมูลเก็บไว้ (เลขที่หนังสือ เรื่อง ผู้ส่ง ผู้รับ สถานะ เลขรับ ProcessID วันเวลา)
                the letter's facts as the store keeps them (book number, subject, sender, receiver, state,
                receive number, ProcessIDs, times in ISO 8601 with offset, resent links)
audit.jsonl     บันทึกการตรวจสอบทุกรายการที่เกี่ยวกับหนังสือนี้ หนึ่งบรรทัดต่อรายการ ตามที่เก็บไว้ และบรรทัดสุดท้าย
                คือผลการตรวจสายโซ่ทั้งหมดขณะส่งออก
                every audit entry about this letter, one JSON line each, exactly as stored (seq, at, actor,
                action, letter_id, work_id, reason, detail, prev_hash, hash; linked_by says why it belongs to
                the letter); the last line ("record": "chain_verification") is the result of checking the
                whole chain at export time
messages/       ข้อความ e-CMS หรืออีเมลที่ได้รับ ตามไบต์ที่ได้รับจริง เรียงตามเวลาที่ได้รับ
                the e-CMS or mail messages received for this letter, byte for byte as they came, numbered
                in the order they arrived (role and inbox item in the name)
files/          ไฟล์หนังสือ (ไฟล์หลัก 00 และสิ่งที่ส่งมาด้วย) ตามที่เก็บไว้
                the letter's files as stored (00 is the main file, then the attachments)
manifest.json   รายการไฟล์ทั้งหมดพร้อม SHA-256 และขนาด เวลาส่งออก รุ่นของ gateway ฐานข้อมูล และสิ่งที่ไม่ได้รวมไว้
                what was exported, when, by which gateway version, from which database; the SHA-256 and size
                of every file; what could not be included and why
SHA256SUMS      สำหรับ sha256sum -c / for `sha256sum -c SHA256SUMS`
"""


def _message_lines(evidence: LetterEvidence) -> list[str]:
    if not evidence.messages:
        return ["messages/: ไม่มี / none kept for this letter"]
    return [
        "messages/:",
        *(f"  {m.path}  ({m.about['role']}, {_sent_by(m, evidence)})" for m in evidence.messages),
    ]


def _signer(evidence: LetterEvidence) -> str:
    """Who sent (and signed) what we received about the letter: the other side of it."""
    letter = evidence.letter
    party = letter["sender"] if letter["direction"] == "in" else letter["receiver"]
    return str(party["org_id"])


def _missing_lines(evidence: LetterEvidence) -> list[str]:
    lines = []
    if evidence.missing:
        lines += [
            "",
            "== ขาดหายหรือเสียหาย / MISSING OR DAMAGED in the gateway's store (see manifest.json) ==",
            "   ที่เก็บของ gateway ระบุว่ามีรายการเหล่านี้ แต่ไม่พบหรือเนื้อหาไม่ตรงกับค่าแฮชที่บันทึกไว้",
            "   The store lists these, but they are gone or no longer match the hash it recorded:",
            *(f"  {m['what']}: {m['why']}" for m in evidence.missing),
        ]
    not_kept = [m for m in evidence.not_included if m not in evidence.missing]
    if not_kept:
        lines += [
            "",
            "== ไม่ได้รวมไว้ / Not included (see manifest.json) ==",
            *(f"  {m['what']}: {m['why']}" for m in not_kept),
        ]
    return lines


def _sent_by(message: EvidencePart, evidence: LetterEvidence) -> str:
    """An e-CMS message comes from the other side's node, signed; a mail says only who it claims to be
    from (a person's own address, for a letter a clerk confirmed from a person's mail)."""
    if message.about["channel"] != "mail":
        return f"from {_signer(evidence)}"
    try:
        sender = BytesHeaderParser(policy=email.policy.default).parsebytes(message.content)["From"]
    except ValueError:  # a From header too broken to read: the file is there to read as text
        sender = None
    return f"its From header: {sender}" if sender else "no From header"


def _checks_text(evidence: LetterEvidence) -> str:
    org = _signer(evidence)
    xml = [m for m in evidence.messages if m.path.endswith(".xml")]
    mails = [m for m in evidence.messages if m.path.endswith(".eml")]
    return "\n".join(
        [
            _HASH_TEXT.format(recompute=RECOMPUTE),
            *([_SIGNATURE_TEXT.format(org=org, cut=CUT)] if xml else []),
            *(_verify_commands(m, org) for m in xml),
            *([_MAIL_TEXT.format(number=4 if xml else 3)] if mails else []),
            "",
        ]
    )


_MAIL_TEXT: Final = """\
{number}. อีเมล (.eml) / A mail (.eml): เก็บไว้ตามไบต์ที่เซิร์ฟเวอร์อีเมลส่งให้ เปิดด้วยโปรแกรมอีเมลใดก็ได้
   หรืออ่านส่วนหัว (From, Date, Message-ID, Received) เป็นข้อความ
   ผู้ส่งในส่วนหัว From เป็นเพียงสิ่งที่อ้าง ไม่ใช่ลายมือชื่อดิจิทัล
   It is byte for byte what the mail server gave: open it in any mail program, or read its headers
   (From, Date, Message-ID, Received) as text. Its From header is a claim, not a signature; only an
   S/MIME signature, if the mail has one, proves who sent it (`ecms-gateway verify` and xmlsec1 are
   for e-CMS messages, .xml, only)."""


def _verify_commands(message: EvidencePart, org: str) -> str:
    kind = message.about["role"].removeprefix("received notifier ").strip()
    element = _NOTIFIER_ELEMENTS.get(kind)
    path = message.path
    if element is None or not message.about["role"].startswith("received notifier"):
        return (
            f"   {path}:\n     ecms-gateway verify {path} --trust trust\n"
            f"     xmlsec1 --verify --trusted-pem PARTNER-CERT.pem {ID_ATTR} {path}"
        )
    part = f"{Path(path).stem}.{element}.xml"
    return (
        f"   {path}:\n     ecms-gateway verify {path} --trust trust --org {org}\n"
        f"     cut {path} {element} {part} && xmlsec1 --verify --trusted-pem PARTNER-CERT.pem {part}"
    )

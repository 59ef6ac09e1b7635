"""README.txt of a letter's evidence export, in Thai and English: what each file is and how to check it
without the gateway's database (audit hashes, XML signatures of what was received and what was sent with
ecms-gateway and xmlsec1, sha256sum).
"""

from __future__ import annotations

import email.policy
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any, Final

from ecms_gateway.engine.audit import detail_of
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
3. ลายมือชื่อดิจิทัลของข้อความ / A message's XML signature. ใช้ใบรับรองที่ได้จากเจ้าของโดยตรง
   (ไม่ใช่ใบที่อยู่ในข้อความ): ของหน่วยงานคู่ค้าสำหรับข้อความที่ได้รับ ของเราเองสำหรับข้อความที่ส่ง
   Trust the signer's certificate as obtained from its owner, not the one inside the message: the
   partner's (PARTNER-CERT.pem) for what was received, ours (OUR-CERT.pem: the certificate of the key
   we signed with at the time; a key replaced since does not change what was sent) for what we sent.
   For a certificate a CA issued, use the CA's root, and trust/ca/ instead of trust/orgs/.
   Received messages are the SOAP replies of the e-CMS node as received. A notifier is signed as a
   document of its own, so xmlsec1 is given its bytes cut out of the envelope.
   In this folder, with bash / ในโฟลเดอร์นี้ ด้วย bash:
{setup}
{cut}"""

_SENT_TEXT: Final = """\
   ข้อความที่ส่ง (messages/sent/) คือไบต์ที่ gateway ส่งให้โหนด e-CMS ของเรา (คำขอ SOAP) หรือเซิร์ฟเวอร์
   อีเมล ตามที่เก็บไว้ก่อนส่งครั้งแรก การส่งซ้ำใช้ไบต์เดิมทุกครั้ง หนังสือหรือหนังสือแจ้งที่อยู่ในนั้นคือสิ่งที่
   โหนดส่งต่อให้ผู้รับ ค่า SHA-256 ของแต่ละข้อความอยู่ในบันทึก message.archived ของสายโซ่ (audit.jsonl)
   The sent messages (messages/sent/) are what the gateway handed its e-CMS node (the SOAP request)
   or its mail server, archived before the first try; every retry sent these same bytes, so the
   letter or notifier inside is what the node queued for the receiver. Each one's SHA-256 is in its
   "message.archived" audit entry (detail.sha256), chained with the rest: compare it with
   `sha256sum messages/sent/*`. manifest.json says when the node or server took each one and what it
   answered (confirmation: the ProcessID, or the SMTP reply); none: it was never confirmed."""


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
            *_state_lines(evidence),
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
            entry = registry["registered_by_entry"]
            by = f" (audit entry {entry})" if entry is not None else ""
            lines.append(f"  ออกเลขเมื่อ / given at: {thai_and_utc(registry['registered_at'])}{by}")
            if not registry["registered_at_proven_by_chain"]:
                lines.append(_not_proven_fact(entry))
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


def _state_lines(evidence: LetterEvidence) -> list[str]:
    """How the letter came to be in its state: the entry that last moved it there (who, when, why: a
    rejection's or a give-up's reason is what a dispute turns on), pointed to in the timeline."""
    state = evidence.letter["state"]
    moved = [
        e
        for e in evidence.audit
        if e["letter_id"] == evidence.letter_id and detail_of(e["detail"]).get("to") == state
    ]
    if not moved:
        return [f"สถานะ / state: {state}"]
    e = moved[-1]
    why = f" - {e['reason']}" if e["reason"] else ""
    return [
        f"สถานะ / state: {state} ตั้งแต่ / since {thai_and_utc(e['at'])}",
        f"  (entry {e['seq']}: {e['actor']}: {e['action']}{why})",
        *(line.replace("         ", "  ", 1) for line in _unproven(e["seq"], evidence.chain)),
    ]


def _not_proven_fact(entry: int | None) -> str:
    """A fact of letter.json whose audit entry the chain does not vouch for, or that none records."""
    if entry is None:
        return "  !! ไม่มีบันทึกการตรวจสอบรายการใดยืนยัน / NOT PROVEN: no audit entry records it (the store's row)"
    return (
        f"  !! รายการ {entry} อยู่ที่หรือหลังจุดที่สายโซ่ขาด / NOT PROVEN: entry {entry} is at or after "
        "the break in the chain"
    )


def _timeline_lines(evidence: LetterEvidence) -> list[str]:
    """Who did what when, from audit.jsonl, for reading; the hashes there are what proves it."""
    lines = ["== ลำดับเหตุการณ์ / Timeline: who did what when (from audit.jsonl) =="]
    for e in evidence.audit:
        why = f" - {e['reason']}" if e["reason"] else ""
        lines.append(f"  {e['seq']:>5}  {thai_and_utc(e['at'])}")
        lines.append(f"         {e['actor']}: {e['action']}{why}")
        lines.extend(_unproven(e["seq"], evidence.chain))
    return lines


def _unproven(seq: int, chain: dict[str, Any]) -> list[str]:
    """The mark on an entry the chain does not vouch for: the one where it breaks, and every one after
    it (the check stops at the break, so what they say is not proven either)."""
    first_bad = chain["first_bad_seq"]
    if chain["intact"] or first_bad is None or seq < first_bad:
        return []
    if seq == first_bad:
        return [
            f"         !! รายการนี้ถูกแก้ไขหรือผิดลำดับ ไม่ใช่หลักฐาน / NOT PROVEN: {chain['problem']}",
        ]
    return [
        f"         !! อยู่หลังจุดที่สายโซ่ขาด (รายการ {first_bad}) จึงพิสูจน์ไม่ได้ "
        f"/ NOT PROVEN: after the break in the chain at entry {first_bad}",
    ]


_FILES_TEXT: Final = """\
== ไฟล์ในชุดนี้ / What is here ==
letter.json     ข้อมูลหนังสือตามที่ฐานข้อมูลเก็บไว้ (เลขที่หนังสือ เรื่อง ผู้ส่ง ผู้รับ สถานะ เลขรับ ProcessID วันเวลา)
                proven_by_chain false: บันทึกที่ยืนยันข้อมูลนั้นอยู่ที่หรือหลังจุดที่สายโซ่ขาด หรือไม่มีบันทึกใดยืนยัน
                the letter's facts as the store keeps them (book number, subject, sender, receiver, state,
                receive number, ProcessIDs, times in ISO 8601 with offset, resent links); a ProcessID or
                the time a number was given names the audit entry that records it, and proven_by_chain
                is false when that entry is at or after a break in the chain, or none records it
audit.jsonl     บันทึกการตรวจสอบทุกรายการที่เกี่ยวกับหนังสือนี้ หนึ่งบรรทัดต่อรายการ ตามที่เก็บไว้ และบรรทัดสุดท้าย
                คือผลการตรวจสายโซ่ทั้งหมดขณะส่งออก
                every audit entry about this letter, one JSON line each, exactly as stored (seq, at, actor,
                action, letter_id, work_id, reason, detail, prev_hash, hash; linked_by says why it belongs to
                the letter); the last line ("record": "chain_verification") is the result of checking the
                whole chain at export time
messages/       ข้อความ e-CMS หรืออีเมลที่ได้รับ ตามไบต์ที่ได้รับจริง เรียงตามเวลาที่ได้รับ
                the e-CMS or mail messages received for this letter, byte for byte as they came, numbered
                in the order they arrived (role and inbox item in the name)
messages/sent/  ข้อความที่เราส่งเกี่ยวกับหนังสือนี้ (หนังสือ หนังสือแจ้ง การถอนหนังสือ) ตามไบต์ที่ส่งจริง
                เรียงตามเวลาที่เก็บไว้ก่อนส่ง
                the messages we sent about this letter (the letter, notifiers, a withdrawal), byte for byte
                as they were handed to the node or the mail server, numbered in the order they were
                archived (what it is and the archive's id in the name)
files/          ไฟล์หนังสือ (ไฟล์หลัก 00 และสิ่งที่ส่งมาด้วย) ตามที่เก็บไว้
                the letter's files as stored (00 is the main file, then the attachments)
manifest.json   รายการไฟล์ทั้งหมดพร้อม SHA-256 และขนาด เวลาส่งออก รุ่นของ gateway ฐานข้อมูล และสิ่งที่ไม่ได้รวมไว้
                what was exported, when, by which gateway version, from which database; the SHA-256 and size
                of every file; what could not be included and why
SHA256SUMS      สำหรับ sha256sum -c / for `sha256sum -c SHA256SUMS`
"""


def _message_lines(evidence: LetterEvidence) -> list[str]:
    received = (
        [
            "messages/:",
            *(f"  {m.path}  ({m.about['role']}, {_sent_by(m, evidence)})" for m in evidence.messages),
        ]
        if evidence.messages
        else ["messages/: ไม่มี / none received for this letter"]
    )
    if not evidence.sent:
        return [*received, "messages/sent/: ไม่มี / none archived for this letter"]
    return [*received, "messages/sent/:", *(f"  {m.path}  ({_sent_facts(m)})" for m in evidence.sent)]


def _sent_facts(message: EvidencePart) -> str:
    about = message.about
    confirmed = (
        f"confirmed {about['confirmed_at']}: {about['confirmation']}"
        if about["confirmed_at"]
        else "NOT CONFIRMED by the node or server"
    )
    return (
        f"{about['role']} by {about['channel']}, {about['message_id']}, "
        f"archived {about['archived_at']}, {confirmed}"
    )


def _signer(evidence: LetterEvidence) -> str:
    """Who sent (and signed) what we received about the letter: the other side of it."""
    letter = evidence.letter
    party = letter["sender"] if letter["direction"] == "in" else letter["receiver"]
    return str(party["org_id"])


def _ours(evidence: LetterEvidence) -> str:
    """Who signed what we sent about the letter: our side of it."""
    letter = evidence.letter
    party = letter["receiver"] if letter["direction"] == "in" else letter["sender"]
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
    org, ours = _signer(evidence), _ours(evidence)
    xml = [m for m in evidence.messages if m.path.endswith(".xml")]
    sent_xml = [m for m in evidence.sent if m.path.endswith(".xml")]
    mails = [m for m in (*evidence.messages, *evidence.sent) if m.path.endswith(".eml")]
    setup = [
        *([f"mkdir -p trust/orgs/{org} && cp PARTNER-CERT.pem trust/orgs/{org}/"] if xml else []),
        *([f"mkdir -p trust/orgs/{ours} && cp OUR-CERT.pem trust/orgs/{ours}/"] if sent_xml else []),
    ]
    signatures = [_SIGNATURE_TEXT.format(setup="\n".join(setup), cut=CUT)] if setup else []
    return "\n".join(
        [
            _HASH_TEXT.format(recompute=RECOMPUTE),
            *signatures,
            *(_verify_commands(m, org, cert="PARTNER-CERT.pem") for m in xml),
            *([_SENT_TEXT] if evidence.sent else []),
            *(_verify_commands(m, ours, cert="OUR-CERT.pem") for m in sent_xml),
            *([_MAIL_TEXT.format(number=4 if signatures else 3)] if mails else []),
            "",
        ]
    )


_MAIL_TEXT: Final = """\
{number}. อีเมล (.eml) / A mail (.eml): เก็บไว้ตามไบต์ที่เซิร์ฟเวอร์อีเมลส่งให้ (ที่ส่ง: ตามไบต์ที่ส่งให้เซิร์ฟเวอร์)
   เปิดด้วยโปรแกรมอีเมลใดก็ได้ หรืออ่านส่วนหัว (From, Date, Message-ID, Received) เป็นข้อความ
   ผู้ส่งในส่วนหัว From เป็นเพียงสิ่งที่อ้าง ไม่ใช่ลายมือชื่อดิจิทัล
   A received mail is byte for byte what the mail server gave, a sent one (messages/sent/) what the
   gateway handed its mail server (the SMTP envelope is in manifest.json): open it in any mail
   program, or read its headers (From, Date, Message-ID, Received) as text.
   Its From header is a claim, not a signature; only an S/MIME signature, if the mail has one, proves
   who sent it. The signed letter or notifier a gateway reads is its attachment ecms-letter.xml or
   ecms-notifier.xml: saved from a mail program, it is checked like an .xml message above."""


def _verify_commands(message: EvidencePart, org: str, *, cert: str) -> str:
    role = message.about["role"]
    path = message.path
    if not _signed(message.content):
        why = (
            "a withdrawal is not signed" if role == "sent withdraw" else "unsigned under the partner's policy"
        )
        return f"   {path}: ไม่มีลายมือชื่อ / not signed ({why}); its SHA-256 is what proves it"
    kind = role.split(" notifier ", 1)[1].strip() if " notifier " in role else None
    element = _NOTIFIER_ELEMENTS.get(kind) if kind else None
    if element is None:
        return (
            f"   {path}:\n     ecms-gateway verify {path} --trust trust\n"
            f"     xmlsec1 --verify --trusted-pem {cert} {ID_ATTR} {path}"
        )
    part = f"{Path(path).stem}.{element}.xml"
    return (
        f"   {path}:\n     ecms-gateway verify {path} --trust trust --org {org}\n"
        f"     cut {path} {element} {part} && xmlsec1 --verify --trusted-pem {cert} {part}"
    )


def _signed(content: bytes) -> bool:
    """Whether an e-CMS message carries an XML signature (withdrawals never, notifiers by policy)."""
    return b"http://www.w3.org/2000/09/xmldsig#" in content and b"SignatureValue" in content

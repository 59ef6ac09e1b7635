"""The evidence of one letter's life for an auditor or a partner in a dispute: its facts, its audit entries
with the hashes that chain them, the messages received and sent and the files, byte for byte as the store
keeps them, and what it does not have.

``letter_evidence`` gathers it from the store; writing it out (folder, manifest, checksums) is the CLI's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from ecms_gateway.engine import Store, WorkKind, WorkState
from ecms_gateway.engine.evidence import (
    AuditRecord,
    EvidenceRecords,
    FileRecord,
    ItemRecord,
    letter_records,
    proven,
    received_entry,
)
from ecms_gateway.engine.reasons import describe
from ecms_gateway.engine.sent_values import SENT_BY_WORK, SentMessage
from ecms_gateway.errors import GatewayError

# Characters kept out of exported names: path separators, and those sha256sum would escape.
_UNSAFE_NAME: Final = re.compile(r"[/\\\x00-\x1f\x7f]+")

NOT_ARCHIVED: Final = (
    "no copy was archived: a gateway version without the sent-message archive sent it (before store "
    "migration 0008 was applied, or a process of an earlier version still running after it was), so its "
    "bytes were not kept; the audit entries record that it went (with the node's ProcessID, or the "
    "mail's Message-ID)"
)
HASHED_FIELDS: Final = ("at", "actor", "action", "letter_id", "work_id", "reason", "detail", "prev_hash")
"""The fields of an audit line that its ``hash`` covers (``engine.audit.entry_hash``)."""


@dataclass(frozen=True, kw_only=True)
class EvidencePart:
    """One exported file: where it goes in the export, its bytes, and what it is (for the manifest)."""

    path: str
    content: bytes
    about: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class LetterEvidence:
    """Everything exported about one letter: ``messages`` received, ``sent`` as archived, ``files``.
    ``missing`` is what the store should have given and could not (a file, received item or sent
    message gone or changed); ``not_included`` is that and what it never had (messages sent before the
    archive existed)."""

    letter_id: int
    letter: dict[str, Any]
    audit: tuple[dict[str, Any], ...]
    chain: dict[str, Any]
    messages: tuple[EvidencePart, ...]
    sent: tuple[EvidencePart, ...]
    files: tuple[EvidencePart, ...]
    missing: tuple[dict[str, Any], ...]
    not_included: tuple[dict[str, Any], ...]

    @property
    def chain_intact(self) -> bool:
        return bool(self.chain["intact"])

    @property
    def complete(self) -> bool:
        """Every file, received item and sent message the store lists is in the export, as stored."""
        return not self.missing


def letter_evidence(store: Store, letter_id: int) -> LetterEvidence:
    """The evidence of letter ``letter_id`` (``NotFound`` when there is none), read at one moment."""
    records = letter_records(store.db, letter_id)
    messages, missing_messages = _messages(store, records.items)
    sent, missing_sent = _sent(store, records.sent)
    files, missing_files = _files(store, records)
    missing = (*missing_messages, *missing_sent, *missing_files)
    return LetterEvidence(
        letter_id=letter_id,
        letter=_letter(store, records, files),
        audit=tuple(audit_line(e) for e in records.entries),
        chain=_chain(records),
        messages=messages,
        sent=sent,
        files=files,
        missing=missing,
        not_included=(*missing, *_not_archived(records)),
    )


def audit_line(entry: AuditRecord) -> dict[str, Any]:
    """An entry as exported: the hashed fields exactly as ``entry_hash`` reads them, then seq and hash."""
    return {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "letter_id": entry.letter_id,
        "work_id": entry.work_id,
        "reason": entry.reason,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
        "linked_by": entry.linked_by,
    }


def _chain(records: EvidenceRecords) -> dict[str, Any]:
    report = records.chain
    return {
        "intact": report.ok,
        "entries_checked": report.checked,
        "head_seq": records.head_seq,
        "head_hash": records.head_hash,
        "first_bad_seq": report.first_bad,
        "problem": report.problem,
    }


def _messages(
    store: Store, items: tuple[ItemRecord, ...]
) -> tuple[tuple[EvidencePart, ...], list[dict[str, Any]]]:
    parts, missing = [], []
    for number, item in enumerate(items, start=1):
        role = item.role.replace(":", "-").replace("_", "-")
        extension = ".eml" if item.channel == "mail" else ".xml"
        path = f"messages/{number:02d}-received-{role}-inbox{item.inbox_id}{extension}"
        about = {
            "role": f"received {item.role.replace(':', ' ')}",
            "inbox_id": item.inbox_id,
            "channel": item.channel,
            "process_id": item.process_id,
            "received_at": iso(item.received_at),
            "sha256_at_intake": item.sha256,
            "size_at_intake": item.size,
        }
        try:
            parts.append(EvidencePart(path=path, content=store.load_raw(item.inbox_id), about=about))
        except (GatewayError, OSError) as exc:
            missing.append({"what": path, **about, "why": describe(exc)})
    return tuple(parts), missing


def _files(store: Store, records: EvidenceRecords) -> tuple[tuple[EvidencePart, ...], list[dict[str, Any]]]:
    parts, missing = [], []
    for f in records.files:
        role = "main file" if f.position == 0 else "attachment"
        path = f"files/{f.position:02d}-{_safe(f.name)}"
        about = {"role": role, "position": f.position, "name": f.name, "mime": f.mime, "sha256": f.sha256}
        try:
            content = store.load_file(records.letter.summary.id, f.position).content
        except (GatewayError, OSError) as exc:
            missing.append({"what": path, **about, "why": describe(exc)})
            continue
        parts.append(EvidencePart(path=path, content=content, about=about))
    return tuple(parts), missing


def _safe(name: str) -> str:
    cleaned = _UNSAFE_NAME.sub("_", name).lstrip(".")
    return cleaned or "file"


def _sent(
    store: Store, messages: tuple[SentMessage, ...]
) -> tuple[tuple[EvidencePart, ...], list[dict[str, Any]]]:
    """The messages we sent about the letter as archived, numbered in the order they were archived."""
    parts, missing = [], []
    for number, message in enumerate(messages, start=1):
        what = message.what.value.replace(":", "-").replace("_", "-")
        extension = ".eml" if message.channel == "mail" else ".xml"
        path = f"messages/sent/{number:02d}-{what}-sent{message.id}{extension}"
        about = {
            "role": f"sent {message.what.value.replace(':', ' ')}",
            "sent_id": message.id,
            "work_id": message.work_id,
            "channel": message.channel,
            "message_id": message.message_id,
            "archived_at": iso(message.created_at),
            "confirmed_at": iso(message.confirmed_at),
            "confirmation": message.confirmation,
            "sha256_at_archive": message.sha256,
            "size_at_archive": message.size,
        }
        if message.mail_from is not None:  # the SMTP envelope, which the mail's bytes do not carry
            about |= {"mail_from": message.mail_from, "rcpt_to": list(message.rcpt_to)}
        try:
            parts.append(EvidencePart(path=path, content=store.load_sent(message.id), about=about))
        except (GatewayError, OSError) as exc:
            missing.append({"what": path, **about, "why": describe(exc)})
    return tuple(parts), missing


def _not_archived(records: EvidenceRecords) -> list[dict[str, Any]]:
    """Sending work done without an archived message: a gateway version without the archive sent it."""
    archived = {m.work_id for m in records.sent}
    return [
        {
            "what": f"the {w.kind} message of work item {w.work_id} ({w.channel})",
            "work_state": w.state,
            "finished_at": iso(w.finished_at),
            "process_id": w.process_id,
            "why": NOT_ARCHIVED,
        }
        for w in records.work
        if WorkKind(w.kind) in SENT_BY_WORK and w.state == WorkState.DONE.value and w.work_id not in archived
    ]


def _letter(store: Store, records: EvidenceRecords, files: tuple[EvidencePart, ...]) -> dict[str, Any]:
    record, s = records.letter, records.letter.summary
    exported = {f.about["position"]: f.path for f in files}
    return {
        "id": s.id,
        "direction": s.direction.value,
        "state": s.state.value,
        "channel": s.channel,
        "book_no": s.book_no,
        "letter_date": s.letter_date.isoformat(),
        "subject": s.subject,
        "speed": s.speed.value,
        "secrecy": s.secrecy.value,
        "sender": {"org_id": s.sender_org, "department_id": record.sender_dept},
        "receiver": {"org_id": s.receiver_org},
        "registry": {
            "org": record.registry_org,
            "number": s.registry_no,
            "year": s.registry_year,
            "year_be": s.registry_year + 543 if s.registry_year else None,
            "registered_at": iso(record.numbered_at),
            "registered_by_entry": record.numbered_by,
            "registered_at_proven_by_chain": proven(records, record.numbered_by),
        },
        "receiver_accept_id": s.accept_id,
        "signature": s.signature.value if s.signature else None,
        "content_digest": record.content_digest,
        "process_ids": _process_ids(records),
        "mail_message_id": store.mailed_message_id(s.id),
        "inbox_id": record.inbox_id,
        "resend_of": record.resend_of,
        "resent_as": list(record.resent_as),
        "created_at": iso(s.created_at),
        "updated_at": iso(s.updated_at),
        "files": [{**_file_facts(f), "exported_as": exported.get(f.position)} for f in records.files],
        "letter": json.loads(record.letter_json),
    }


def _file_facts(f: FileRecord) -> dict[str, Any]:
    return {"position": f.position, "name": f.name, "mime": f.mime, "size": f.size, "sha256": f.sha256}


def _process_ids(records: EvidenceRecords) -> list[dict[str, Any]]:
    """A received item's ProcessID is its row's, recorded by its ``inbox.received`` entry; a sent one is
    read from the worker's note in an audit entry. Each says which entry and whether the chain proves
    it: after a break the note may be anyone's words."""
    received = []
    for i in records.items:
        entry = received_entry(i, records.entries)
        seq = None if entry is None else entry.seq
        received.append(
            {
                "process_id": i.process_id,
                "of": f"received {i.role.replace(':', ' ')}",
                "inbox_id": i.inbox_id,
                **_proof(records, seq),
            }
        )
    sent = [
        {
            "process_id": w.process_id,
            "of": _sent_of(w.kind),
            "work_id": w.work_id,
            **_proof(records, w.process_id_entry),
        }
        for w in records.work
        if w.process_id is not None
    ]
    return [*received, *sent]


def _proof(records: EvidenceRecords, seq: int | None) -> dict[str, Any]:
    return {"audit_entry": seq, "proven_by_chain": proven(records, seq)}


def _sent_of(kind: str) -> str:
    # A withdrawal is not a message of its own at the node: its answer names a ProcessID (ours names
    # the withdrawn letter's), which "sent withdraw" made look like the withdrawal's own.
    if kind == "withdraw":
        return "the node's answer to the withdrawal"
    return f"sent {kind}"


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601; a time with its offset (UTC, as the store keeps it)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value.isoformat()

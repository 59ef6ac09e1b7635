"""What ``ecms-gateway show ID`` tells of a letter's evidence, compactly: every audit entry, received item
and work item that ``audit export`` writes, from the same read (``engine.evidence.letter_records``), so
the two cannot tell different stories.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ecms_gateway.engine.reasons import shown_for

if TYPE_CHECKING:
    from ecms_gateway.engine.evidence import EvidenceRecords

Table = Callable[[Sequence[str], Sequence[Sequence[str]]], str]


def evidence_lines(records: EvidenceRecords, table: Table) -> list[str]:
    """The history (with why each entry belongs to the letter and whether the chain proves it), the
    received items, the work items and the chain's state; ``table`` lays out the columns."""
    return [*_history(records, table), *_received(records, table), *_work(records, table), _chain(records)]


def _history(records: EvidenceRecords, table: Table) -> list[str]:
    rows = [
        [
            str(e.seq),
            _ts(e.at),
            e.actor,
            e.action,
            shown_for(e.action, e.reason) or "",
            "" if e.linked_by == "letter" else e.linked_by,
            *([_proof(records, e.seq)] if not records.chain.ok else []),
        ]
        for e in records.entries
    ]
    headers = ["SEQ", "AT", "WHO", "WHAT", "WHY", "VIA", *(["CHAIN"] if not records.chain.ok else [])]
    return [
        "history: every audit entry `audit export` writes (VIA: how one names the letter, if not by its id)",
        table(headers, rows),
    ]


def _proof(records: EvidenceRecords, seq: int) -> str:
    """``NOT PROVEN`` on the entry where the chain breaks and on every one after it."""
    first_bad = records.chain.first_bad
    return "NOT PROVEN" if first_bad is not None and seq >= first_bad else ""


def _received(records: EvidenceRecords, table: Table) -> list[str]:
    if not records.items:
        return ["received messages: none"]
    rows = [
        [str(i.inbox_id), i.role, i.channel, i.process_id, _ts(i.received_at), f"{i.size} bytes"]
        for i in records.items
    ]
    headers = ["INBOX", "ROLE", "CHANNEL", "PROCESS ID", "RECEIVED", "SIZE"]
    return ["received messages (byte for byte in the export's messages/):", table(headers, rows)]


def _work(records: EvidenceRecords, table: Table) -> list[str]:
    if not records.work:
        return []
    rows = [
        [
            str(w.work_id),
            w.kind,
            w.channel,
            w.state,
            str(w.attempts),
            _ts(w.created_at),
            _ts(w.finished_at) if w.finished_at else "",
            w.process_id or "",
        ]
        for w in records.work
    ]
    headers = ["WORK", "KIND", "CHANNEL", "STATE", "TRIES", "CREATED", "FINISHED", "PROCESS ID"]
    return ["work items:", table(headers, rows)]


def _chain(records: EvidenceRecords) -> str:
    report = records.chain
    if report.ok:
        return f"audit chain: intact ({report.checked} entries checked, head {records.head_seq})"
    return (
        f"audit chain: BROKEN at entry {report.first_bad}: {report.problem}; that entry and every one "
        "after it are NOT PROVEN (`ecms-gateway audit verify` says what to do)"
    )


def _ts(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")

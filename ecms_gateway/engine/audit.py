"""The append-only audit chain: every state change and operator action, who/when/why, each entry
holding the SHA-256 of the one before; ``verify`` names the first entry altered, removed or reordered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.engine import RowMapping

from ecms_gateway.engine.values import AuditReport, ChainBreak
from ecms_gateway.store.tables import AUDIT, AUDIT_HEAD

GENESIS: Final = "0" * 64
_HEAD_ID: Final = 1

# Built once: SQLAlchemy then reuses their cache keys and compiled forms instead of rebuilding both
# for every entry (the audit chain is written in nearly every transaction).
_LOCK_HEAD: Final = (
    select(AUDIT_HEAD.c.last_seq, AUDIT_HEAD.c.last_hash).where(AUDIT_HEAD.c.id == _HEAD_ID).with_for_update()
)
_ADD_ENTRY: Final = insert(AUDIT)
_MOVE_HEAD: Final = (
    update(AUDIT_HEAD)
    .where(AUDIT_HEAD.c.id == _HEAD_ID)
    .values(last_seq=bindparam("p_seq"), last_hash=bindparam("p_hash"))
)


def canonical_json(value: Mapping[str, Any]) -> str:
    """Sorted keys, no spaces, UTF-8 text as is: one spelling per value, so hashes are reproducible."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def detail_of(text: str | None) -> dict[str, Any]:
    """An entry's ``detail`` as a mapping (empty when there is none, or it is not a JSON object)."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def entry_hash(
    *,
    at: datetime,
    actor: str,
    action: str,
    letter_id: int | None,
    work_id: int | None,
    reason: str | None,
    detail: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of the entry and the previous entry's hash.

    The sequence number is left out on purpose: a moved entry keeps a valid hash of its own, and the
    broken link to its neighbours shows it was reordered rather than altered.
    """
    payload = {
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "letter_id": letter_id,
        "work_id": work_id,
        "reason": reason,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def append(
    conn: Connection,
    *,
    at: datetime,
    actor: str,
    action: str,
    letter_id: int | None = None,
    work_id: int | None = None,
    reason: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Add one entry inside the caller's transaction; returns its sequence number.

    The head row is locked until commit, so appenders form one chain even across machines. Call
    this last in a transaction, after the rows it describes, to keep that lock short.
    """
    head = conn.execute(_LOCK_HEAD).one()
    seq = int(head.last_seq) + 1
    detail_text = canonical_json(detail or {})
    digest = entry_hash(
        at=at,
        actor=actor,
        action=action,
        letter_id=letter_id,
        work_id=work_id,
        reason=reason,
        detail=detail_text,
        prev_hash=head.last_hash,
    )
    conn.execute(
        _ADD_ENTRY,
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "letter_id": letter_id,
            "work_id": work_id,
            "reason": reason,
            "detail": detail_text,
            "prev_hash": head.last_hash,
            "hash": digest,
        },
    )
    conn.execute(_MOVE_HEAD, {"p_seq": seq, "p_hash": digest})
    return seq


def _recomputed(row: RowMapping) -> str:
    return entry_hash(
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        letter_id=row["letter_id"],
        work_id=row["work_id"],
        reason=row["reason"],
        detail=row["detail"],
        prev_hash=row["prev_hash"],
    )


def verify(conn: Connection, *, batch: int = 2000) -> AuditReport:
    """Walk the chain in sequence order and report the first entry that breaks it."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    result = conn.execution_options(yield_per=batch).execute(select(AUDIT).order_by(AUDIT.c.seq))
    try:
        for row in result.mappings():
            seq = int(row["seq"])
            if _recomputed(row) != row["hash"]:
                return _bad(
                    checked,
                    seq,
                    f"entry {seq} was altered: its content no longer matches its hash",
                    ChainBreak.ALTERED,
                    seq=seq,
                )
            if row["prev_hash"] != prev_hash:
                return _broken_link(conn, checked, row, expected_seq)
            if seq != expected_seq:
                return _bad(
                    checked,
                    seq,
                    f"entry {seq} is numbered out of sequence (expected {expected_seq})",
                    ChainBreak.OUT_OF_SEQUENCE,
                    seq=seq,
                    expected=expected_seq,
                )
            prev_hash, expected_seq, checked = row["hash"], seq + 1, checked + 1
    finally:
        result.close()  # a server-side cursor on PostgreSQL when we stop early
    head = conn.execute(select(AUDIT_HEAD).where(AUDIT_HEAD.c.id == _HEAD_ID)).mappings().one()
    last_seq = expected_seq - 1
    if int(head["last_seq"]) > last_seq:
        return _bad(
            checked,
            last_seq + 1,
            f"entries {last_seq + 1} to {head['last_seq']} were removed from the end of the chain",
            ChainBreak.END_REMOVED,
            first=last_seq + 1,
            last=int(head["last_seq"]),
        )
    if int(head["last_seq"]) < last_seq or head["last_hash"] != prev_hash:
        return _bad(
            checked,
            last_seq,
            f"entry {last_seq} does not match the recorded end of the chain",
            ChainBreak.END_MISMATCH,
            seq=last_seq,
        )
    return AuditReport(checked=checked)


def _broken_link(conn: Connection, checked: int, row: RowMapping, expected_seq: int) -> AuditReport:
    seq = int(row["seq"])
    if seq != expected_seq:
        gap = f"entry {expected_seq}" if seq == expected_seq + 1 else f"entries {expected_seq} to {seq - 1}"
        return _bad(
            checked,
            expected_seq,
            f"{gap} removed: entry {seq} links to an entry that is not there",
            ChainBreak.REMOVED,
            first=expected_seq,
            last=seq - 1,
            seq=seq,
        )
    linked = conn.execute(select(AUDIT.c.seq).where(AUDIT.c.hash == row["prev_hash"])).scalar()
    if linked is not None:
        return _bad(
            checked,
            seq,
            f"entry {seq} was reordered: it belongs after entry {linked}, not after entry {seq - 1}",
            ChainBreak.REORDERED,
            seq=seq,
            belongs_after=int(linked),
            placed_after=seq - 1,
        )
    if seq == 1:
        return _bad(
            checked,
            1,
            "entry 1 does not start the chain: entries before it were removed",
            ChainBreak.START_REMOVED,
            seq=1,
        )
    return _bad(
        checked,
        seq - 1,
        f"entry {seq - 1} was altered (and its hash recomputed): entry {seq} no longer links to it",
        ChainBreak.REHASHED,
        seq=seq - 1,
        next=seq,
    )


def _bad(checked: int, first_bad: int, problem: str, kind: ChainBreak, /, **numbers: int) -> AuditReport:
    """The report of a break at entry ``first_bad``: ``problem`` in English as printed and exported,
    ``kind`` and ``numbers`` the same as data for a face that words it in its reader's language."""
    return AuditReport(checked=checked, first_bad=first_bad, problem=problem, kind=kind, numbers=numbers)


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(AUDIT)).scalar_one())

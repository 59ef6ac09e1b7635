"""Dropping what a node has finished with: queue items fetched or withdrawn and receipts of requests
delivered, relayed, refused or withdrawn, once older than a retention the operator chooses.

Nothing still waiting is touched: an item in a queue (``queued``) or a relay job (``pending``) stays
however old it is. A local receipt goes with the last queue item of its ProcessID, never before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import ColumnElement, Connection, Table, delete, exists, func, select

from ecms_gateway.node.tables import INBOUND, OUTBOUND, PAYLOAD, InboundState, RelayState, Route
from ecms_gateway.store.database import Database

# Rows dropped per transaction: a running node's writes wait for the purge's one at a time only.
BATCH: Final = 500


@dataclass(frozen=True, kw_only=True)
class Purged:
    """What one purge dropped, and what it kept because it is still waiting."""

    queue_items: int  # fetched or withdrawn items of the queues, with their bytes
    receipts: int  # receipts of finished requests (relay envelopes included)
    waiting_items: int  # items still queued for their organisation to fetch (kept)
    waiting_relays: int  # relay jobs still to forward (kept)

    def summary(self, before: datetime) -> str:
        return (
            f"purged {self.queue_items} queue item(s) fetched or withdrawn and {self.receipts} receipt(s) "
            f"of finished requests, all finished before {before.isoformat(timespec='seconds')}; kept "
            f"{self.waiting_items} item(s) waiting to be fetched and {self.waiting_relays} waiting to be "
            "relayed"
        )


def purge_finished(db: Database, *, before: datetime, batch: int = BATCH) -> Purged:
    """Drop every queue item and receipt finished before ``before``, ``batch`` rows a transaction."""
    items = _in_batches(db, INBOUND, _finished_items(before), batch=batch, payloads=True)
    # After the items: a local receipt whose queue item remains (queued, or finished later) is kept.
    receipts = _in_batches(db, OUTBOUND, _finished_receipts(before), batch=batch)
    with db.read() as conn:
        waiting_items = _count(conn, INBOUND, INBOUND.c.state == InboundState.QUEUED)
        waiting_relays = _count(conn, OUTBOUND, OUTBOUND.c.state == RelayState.PENDING)
    return Purged(
        queue_items=items, receipts=receipts, waiting_items=waiting_items, waiting_relays=waiting_relays
    )


def _finished_items(before: datetime) -> ColumnElement[bool]:
    # The item's last event: its withdrawal (also after a fetch), its fetch, else its arrival.
    last = func.coalesce(INBOUND.c.withdrawn_at, INBOUND.c.fetched_at, INBOUND.c.created_at)
    return INBOUND.c.state.in_([InboundState.FETCHED, InboundState.WITHDRAWN]) & (last < before)


def _finished_receipts(before: datetime) -> ColumnElement[bool]:
    relayed = (OUTBOUND.c.route == Route.RELAY) & OUTBOUND.c.state.in_(
        [RelayState.RELAYED, RelayState.FAILED, RelayState.WITHDRAWN]
    )
    item_left = exists().where(INBOUND.c.process_id == OUTBOUND.c.process_id)
    local = (OUTBOUND.c.route == Route.LOCAL) & ~item_left
    last = func.coalesce(OUTBOUND.c.finished_at, OUTBOUND.c.created_at)
    return (relayed | local) & (last < before)


def _in_batches(
    db: Database, table: Table, finished: ColumnElement[bool], *, batch: int, payloads: bool = False
) -> int:
    """Delete the ``finished`` rows of ``table`` (and their ``node_payload`` rows), a batch at a time."""
    dropped = 0
    while True:
        with db.write() as conn:
            ids = list(conn.execute(select(table.c.id).where(finished).limit(batch)).scalars())
            if ids and payloads:
                conn.execute(delete(PAYLOAD).where(PAYLOAD.c.id.in_(ids)))
            if ids:
                conn.execute(delete(table).where(table.c.id.in_(ids)))
        dropped += len(ids)
        if len(ids) < batch:
            return dropped


def _count(conn: Connection, table: Table, where: ColumnElement[bool]) -> int:
    return int(conn.execute(select(func.count()).select_from(table).where(where)).scalar_one())

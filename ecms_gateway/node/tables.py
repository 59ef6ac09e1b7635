"""The node's own tables (its own SQLModel metadata and Alembic history, apart from the gateway's store):
each organisation's inbound queue, and the receipts of what senders handed to this node.

A node is another system than an agency's gateway (e-CMS nodes are run by DGA), with its own database
file; see docs/ecms-channel.md for why it does not share the store's revision chain.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, LargeBinary, MetaData, Table, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from ecms_gateway.store.types import UtcDateTime


class NodeModel(SQLModel, registry=registry()):
    """Base of the node's tables: a metadata of their own, not ``SQLModel.metadata`` (the store's)."""


class InboundState(StrEnum):
    """Where an item in an organisation's queue is."""

    QUEUED = "queued"  # waiting for the organisation to poll and delete it
    FETCHED = "fetched"  # the organisation deleted it (stored on its side); kept for ask-again
    WITHDRAWN = "withdrawn"  # the sender withdrew the letter before it was fetched


class Route(StrEnum):
    """How this node handled an outbound request."""

    LOCAL = "local"  # enqueued for an organisation this node serves (same ProcessID in node_inbound)
    RELAY = "relay"  # forwarded to the node WS-Addressing To named


class RelayState(StrEnum):
    """Where a relayed request is."""

    PENDING = "pending"  # committed, not yet accepted by the destination node (retried with backoff)
    RELAYED = "relayed"  # the destination node accepted it
    FAILED = "failed"  # the destination refused it for good, or the retry policy gave up
    WITHDRAWN = "withdrawn"  # the sender withdrew the letter before it was relayed
    LOCAL = "local"  # not relayed: the state is the inbound item's (route local)


class NodeInbound(NodeModel, table=True):
    """One item in one organisation's queue; its bytes are in ``node_payload`` (same id)."""

    __tablename__ = "node_inbound"
    __table_args__ = (
        Index("ix_node_inbound_head", "org_id", "state", "id"),
        Index("ix_node_inbound_key", "book_key", "letter_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: str = Field(max_length=64, unique=True)
    org_id: str = Field(max_length=10)
    item_kind: str = Field(max_length=32)
    book_no: str = Field(max_length=200)
    book_key: str = Field(max_length=200)
    letter_date: date
    # The department codes of the letter the item is (or is about); "" when the node cannot tell.
    sender_dept: str = Field(max_length=5)
    receiver_dept: str = Field(max_length=5)
    state: str = Field(max_length=16)
    created_at: datetime = Field(sa_type=UtcDateTime)
    fetched_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class NodePayload(NodeModel, table=True):
    """The item element of a queue item exactly as it arrived, apart from the item's row: marking the
    row fetched then rewrites a few bytes, not the whole letter (SQLite rewrites a changed row whole,
    a 5 MB attachment included)."""

    __tablename__ = "node_payload"

    # The id of its node_inbound row, written in the same transaction. No foreign key: SQLite's batch
    # migrations recreate node_inbound, which a reference to it would forbid.
    id: int = Field(primary_key=True)
    payload: bytes = Field(sa_type=LargeBinary)


class NodeOutbound(NodeModel, table=True):
    """The receipt of one accepted outbound request (a letter, a notifier or a withdrawal)."""

    __tablename__ = "node_outbound"
    __table_args__ = (
        Index("ix_node_outbound_due", "state", "next_try_at"),
        Index("ix_node_outbound_key", "book_key", "letter_date"),
        Index("ix_node_outbound_sender", "sender_dept", "id"),
        Index("ix_node_outbound_message", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    process_id: str = Field(max_length=64, unique=True)
    message_id: str | None = Field(default=None, max_length=200)
    sender_dept: str = Field(max_length=5)
    item_kind: str = Field(max_length=64)
    book_no: str = Field(max_length=200)
    book_key: str = Field(max_length=200)
    letter_date: date
    receiver_dept: str = Field(max_length=5)
    route: str = Field(max_length=8)
    target_url: str | None = Field(default=None, max_length=500)
    envelope: bytes | None = Field(default=None, sa_type=LargeBinary)
    state: str = Field(max_length=16)
    attempts: int = 0
    created_at: datetime = Field(sa_type=UtcDateTime)
    first_try_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    next_try_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)


NODE_METADATA: MetaData = NodeModel.metadata
INBOUND: Table = NODE_METADATA.tables["node_inbound"]
OUTBOUND: Table = NODE_METADATA.tables["node_outbound"]
PAYLOAD: Table = NODE_METADATA.tables["node_payload"]

"""The ports of the mail channel: sending (SMTP), reading our mailbox (IMAP), and the reader's checkpoint.

Adapters (``ecms_adapters.mail``) implement ``MailSender`` and ``MailboxReader``; they raise
``TransientMailError`` or ``PermanentMailError`` (``ecms_gateway.errors``) and nothing else from the
network. ``CheckpointStore`` has a file-backed implementation in ``ecms_gateway.mail.checkpoint``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from ecms_gateway.mail.compose import OutgoingMail


@dataclass(frozen=True, kw_only=True)
class SentMail:
    """The server took the message: its Message-ID and the server's final reply, for the attempt record."""

    message_id: str
    reply: str


class MailSender(Protocol):
    """Hands messages to our SMTP server; one connection is kept and reused between sends."""

    async def send(self, mail: OutgoingMail) -> SentMail:
        """Send one message; ``TransientMailError`` (4xx, network) or ``PermanentMailError`` (5xx, TLS,
        login) when the server did not take it."""
        ...

    async def aclose(self) -> None:
        """Say QUIT and close the connection."""
        ...


@dataclass(frozen=True, kw_only=True)
class FetchedMail:
    """One message from the mailbox, exactly as the server returned it, and where it was.

    ``dedupe_key`` is what the caller deduplicates on (the store's ``process_id``): the reader may hand
    the same message over again after a crash, never a different one under the same key.
    """

    mailbox: str
    uidvalidity: int
    uid: int
    message_id: str | None
    dedupe_key: str
    raw: bytes = field(repr=False)


class Disposal(StrEnum):
    """What the reader does with a committed message in the mailbox (the commit's answer)."""

    DONE = "done"  # the gateway takes it: flag it \\Seen or move it to the processed folder
    FOR_A_PERSON = "for-a-person"  # the gateway cannot use it: left where it is, unread, flagged \\Flagged


CommitMail = Callable[[FetchedMail], Awaitable[Disposal | None]]
"""Stores a fetched message durably (``Store.accept_inbound``, in a thread); returns only once it is
committed, with what the reader should do with it in the mailbox (``None``: ``Disposal.DONE``). Only
then is the message flagged or moved."""


class MailboxReader(Protocol):
    """Reads our saraban mailbox: commit every new message, then flag or move it, then checkpoint."""

    async def fetch_new(self, commit: CommitMail) -> int:
        """One pass over what arrived since the checkpoint; returns how many messages were committed."""
        ...

    async def wait_for_mail(self, stop: asyncio.Event | None = None) -> None:
        """Return when new mail may have arrived (IDLE push or renewal), after the poll interval when
        the server has no IDLE, or when ``stop`` is set."""
        ...

    async def run(self, commit: CommitMail, *, stop: asyncio.Event) -> None:
        """``fetch_new`` then ``wait_for_mail`` until ``stop`` is set, reconnecting with backoff after
        transient failures; a ``PermanentMailError`` (refused login, untrusted certificate) is logged
        as an error and tried again seldom, never raised: the rest of the gateway runs on."""
        ...

    async def aclose(self) -> None:
        """Log out and close the connection."""
        ...


@dataclass(frozen=True, kw_only=True)
class Checkpoint:
    """How far the reader got in one mailbox: every UID up to ``last_uid`` is committed and disposed of.

    UIDs only mean something under the same ``uidvalidity``; when the server changes it, the mailbox is
    read again from the start (and the caller's dedupe absorbs what it already has).
    """

    uidvalidity: int
    last_uid: int


class CheckpointStore(Protocol):
    """Keeps one ``Checkpoint`` per mailbox (``ImapSettings.checkpoint_key``)."""

    def load(self, mailbox: str) -> Checkpoint | None: ...

    def save(self, mailbox: str, checkpoint: Checkpoint) -> None:
        """Durably: a crash after ``save`` returns keeps it."""
        ...

"""``ImapMailboxReader``: the ``MailboxReader`` port over aioimaplib.

For every message past the checkpoint, in UID order and in batches: fetch it (``BODY.PEEK[]``, so it
stays unread), hand it to ``commit`` (the caller stores it raw), and only then flag it ``\\Seen`` or
move it; then save the checkpoint. A crash anywhere repeats at most the last batch, and the caller's
dedupe key absorbs the repeat: nothing is lost and nothing is stored twice. A message the commit
answers ``Disposal.FOR_A_PERSON`` for (the gateway cannot use it) stays where it is, unread, flagged
``\\Flagged``, so a person reading the mailbox sees it; the checkpoint passes it all the same.

``pause`` is a test hook: it is called at ``after_fetch``, ``after_commit``, ``after_dispose`` and
``after_checkpoint`` with the UID concerned, so a crash test can stop the process at a known point.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping

from ecms_adapters.mail.imap_session import ImapSession
from ecms_gateway.errors import PermanentMailError, TransientFailure
from ecms_gateway.mail.message_ids import dedupe_key, message_id_of
from ecms_gateway.mail.ports import Checkpoint, CheckpointStore, CommitMail, Disposal, FetchedMail
from ecms_gateway.mail.settings import AfterCommit, FirstScan, ImapSettings

log = logging.getLogger(__name__)

PauseHook = Callable[[str, int], None]
_MAX_BACKOFF = 300.0
REFUSED_RETRY_SECONDS = 300.0  # a refused login, an untrusted certificate: try again this seldom


class ImapMailboxReader:
    """Reads one mailbox; reconnects on demand. Not for concurrent use by several tasks."""

    def __init__(
        self,
        settings: ImapSettings,
        *,
        checkpoints: CheckpointStore,
        password: str | None = None,
        environ: Mapping[str, str] | None = None,
        pause: PauseHook | None = None,
        refused_retry_seconds: float = REFUSED_RETRY_SECONDS,
    ) -> None:
        settings.check()
        self._settings = settings
        self._checkpoints = checkpoints
        self._password = (
            password if password is not None else settings.login.password(environ, section="mail.imap")
        )
        self._pause = pause or (lambda _point, _uid: None)
        self._session: ImapSession | None = None
        self._refused_retry = refused_retry_seconds

    @property
    def idle_supported(self) -> bool | None:
        """Whether the connected server offers IDLE (None before the first connection)."""
        return None if self._session is None else "IDLE" in self._session.capabilities

    async def fetch_new(self, commit: CommitMail) -> int:
        session = await self._connected()
        try:
            return await self._fetch_new(session, commit)
        except TransientFailure:
            await self._drop()
            raise

    async def _fetch_new(self, session: ImapSession, commit: CommitMail) -> int:
        settings, key = self._settings, self._settings.checkpoint_key
        await session.noop()  # lets the server announce what arrived since the last command
        checkpoint = self._checkpoints.load(key)
        if checkpoint is not None and checkpoint.uidvalidity == session.uidvalidity:
            uids = await session.search_from(checkpoint.last_uid + 1)
        elif checkpoint is None and settings.first_scan is FirstScan.UNSEEN:
            uids = await session.search_unseen()
        else:
            if checkpoint is not None:
                log.warning("mailbox %s: UIDVALIDITY changed; reading it again from the start", key)
            uids = await session.search_from(1)
        committed = 0
        for start in range(0, len(uids), settings.batch_size):
            batch = uids[start : start + settings.batch_size]
            committed += await self._batch(session, batch, commit)
        return committed

    async def _batch(self, session: ImapSession, batch: list[int], commit: CommitMail) -> int:
        fetched = await session.fetch(batch)
        self._pause("after_fetch", batch[0])
        taken: list[int] = []
        for_a_person: list[int] = []
        for uid, raw in fetched:
            message_id = message_id_of(raw)
            disposal = await commit(
                FetchedMail(
                    mailbox=self._settings.mailbox,
                    uidvalidity=session.uidvalidity,
                    uid=uid,
                    message_id=message_id,
                    dedupe_key=dedupe_key(raw, message_id),
                    raw=raw,
                )
            )
            (for_a_person if disposal is Disposal.FOR_A_PERSON else taken).append(uid)
            self._pause("after_commit", uid)
        # A UID expunged since the search has nothing to commit and is in neither list.
        await self._dispose(session, taken, for_a_person)
        self._checkpoints.save(
            self._settings.checkpoint_key, Checkpoint(uidvalidity=session.uidvalidity, last_uid=max(batch))
        )
        self._pause("after_checkpoint", max(batch))
        return len(taken) + len(for_a_person)

    async def _dispose(self, session: ImapSession, taken: list[int], for_a_person: list[int]) -> None:
        if taken:
            if self._settings.after_commit is AfterCommit.MOVE:
                await session.move(taken, self._settings.processed_folder)
            else:
                await session.mark_seen(taken)
        if for_a_person:
            await session.mark_for_a_person(for_a_person)
            log.info(
                "mailbox %s: %d message(s) the gateway cannot use left unread, flagged for a person: UID %s",
                self._settings.checkpoint_key,
                len(for_a_person),
                ", ".join(str(uid) for uid in for_a_person),
            )
        if taken or for_a_person:
            self._pause("after_dispose", max(taken + for_a_person))

    async def wait_for_mail(self, stop: asyncio.Event | None = None) -> None:
        session = await self._connected()
        if self._settings.use_idle and "IDLE" in session.capabilities:
            try:
                await session.idle_wait(self._settings.idle_renew_seconds, stop)
            except TransientFailure:
                await self._drop()
                raise
            return
        await _sleep(self._settings.poll_seconds, stop)

    async def run(self, commit: CommitMail, *, stop: asyncio.Event) -> None:
        backoff = 1.0
        while not stop.is_set():
            try:
                await self.fetch_new(commit)
                if stop.is_set():
                    break
                await self.wait_for_mail(stop)
                backoff = 1.0
            except TransientFailure as exc:
                log.warning(
                    "mailbox %s: %s; trying again in %.0f s", self._settings.checkpoint_key, exc, backoff
                )
                await self._drop()
                await _sleep(backoff, stop)
                backoff = min(backoff * 2, _MAX_BACKOFF)
            except PermanentMailError as exc:
                # A refused login or an untrusted certificate is fixed by an operator (or a password
                # changed back on the server); the rest of the gateway keeps working meanwhile.
                log.error(
                    "mailbox %s: %s; the mailbox is not read until this is fixed; trying again in %.0f s",
                    self._settings.checkpoint_key,
                    exc,
                    self._refused_retry,
                )
                await self._drop()
                await _sleep(self._refused_retry, stop)
                backoff = 1.0
        await self.aclose()

    async def aclose(self) -> None:
        await self._drop()

    async def _connected(self) -> ImapSession:
        if self._session is None:
            session = await ImapSession.open(self._settings, self._password)
            if self._settings.after_commit is AfterCommit.MOVE:
                try:
                    await session.ensure_folder(self._settings.processed_folder)
                except BaseException:
                    await session.close()
                    raise
            self._session = session
        return self._session

    async def _drop(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


async def _sleep(seconds: float, stop: asyncio.Event | None) -> None:
    if stop is None:
        await asyncio.sleep(seconds)
        return
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return

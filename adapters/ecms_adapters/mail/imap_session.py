"""One IMAP connection over aioimaplib: TLS (implicit or STARTTLS, certificate checked), login, the
mailbox selected, and the few commands the reader needs, each translated into the gateway's errors.

aioimaplib has no STARTTLS; it is done here with ``loop.start_tls`` on the library's transport, then
the capabilities are asked for again (RFC 3501 6.2.1).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Awaitable
from typing import Any, Final

import aioimaplib

from ecms_adapters.mail.imap_replies import (
    fetched_messages,
    is_transient_refusal,
    search_results,
    text_of,
    uid_set,
    uidvalidity,
)
from ecms_adapters.mail.tls import client_context, tls_error
from ecms_gateway.engine.reasons import describe
from ecms_gateway.errors import MailError, PermanentMailError, TransientMailError
from ecms_gateway.mail.settings import ImapSettings, TlsMode

_STOP: Final = aioimaplib.STOP_WAIT_SERVER_PUSH
_NEW_MAIL: Final = (b"EXISTS", b"RECENT")


class ImapSession:
    """A logged-in connection with ``settings.mailbox`` selected; open it with ``ImapSession.open``."""

    def __init__(self, settings: ImapSettings, client: Any) -> None:
        self._settings = settings
        self._imap = client
        self._lost = asyncio.Event()
        self.uidvalidity = 0

    @property
    def server(self) -> str:
        return f"{self._settings.host}:{self._settings.port}"

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset(str(c).upper() for c in self._imap.protocol.capabilities)

    @classmethod
    async def open(cls, settings: ImapSettings, password: str) -> ImapSession:
        timeout = settings.timeout_seconds
        if settings.tls is TlsMode.IMPLICIT:
            context = client_context(settings.ca_file)
            client = aioimaplib.IMAP4_SSL(settings.host, settings.port, timeout=timeout, ssl_context=context)
        else:
            client = aioimaplib.IMAP4(settings.host, settings.port, timeout=timeout)
        session = cls(settings, client)
        client.protocol.conn_lost_cb = session._connection_lost
        try:
            await session._greeting(client)
            if settings.tls is TlsMode.STARTTLS:
                await session._starttls(client_context(settings.ca_file))
            await session._login(password)
            await session._select()
        except BaseException:
            await session.close()
            raise
        return session

    async def _greeting(self, client: Any) -> None:
        try:
            await self._call(client.wait_hello_from_server(), "connect", check=False)
        except TransientMailError as exc:
            if self._settings.tls is TlsMode.IMPLICIT or "timed out" not in exc.reason:
                raise
            # A port that starts with TLS (IMAPS) says nothing until the client starts TLS.
            raise TransientMailError(
                f"no greeting within {self._settings.timeout_seconds:.0f} s; if port {self._settings.port} "
                "starts with TLS (993), set mail.imap.tls = 'implicit'",
                server=self.server,
            ) from exc

    def _connection_lost(self, _exc: Exception | None) -> None:
        self._lost.set()

    async def _starttls(self, context: ssl.SSLContext) -> None:
        if "STARTTLS" not in self.capabilities:
            raise PermanentMailError(
                "the server does not offer STARTTLS; set mail.imap.tls to 'implicit' for an IMAPS port",
                server=self.server,
            )
        protocol = self._imap.protocol
        command = aioimaplib.Command("STARTTLS", protocol.new_tag(), loop=protocol.loop)
        await self._call(protocol.execute(command), "STARTTLS")
        loop = asyncio.get_running_loop()
        transport = await self._call(
            loop.start_tls(protocol.transport, protocol, context, server_hostname=self._settings.host),
            "TLS handshake",
            check=False,
        )
        protocol.transport = transport
        await self._call(protocol.capability(), "CAPABILITY", check=False)

    async def _login(self, password: str) -> None:
        user = self._settings.login.username
        response = await self._call(self._imap.login(user, password), "LOGIN", check=False)
        if response.result != "OK":
            raise PermanentMailError(
                f"login as {user!r} refused ({text_of(response.lines)}); "
                "check mail.imap.username and its password (mail.imap.password_file or password_env)",
                server=self.server,
            )
        await self._call(self._imap.protocol.capability(), "CAPABILITY", check=False)

    async def _select(self) -> None:
        response = await self._call(
            self._imap.select(self._settings.mailbox), f"SELECT {self._settings.mailbox}"
        )
        value = uidvalidity(response.lines)
        if value is None:
            raise PermanentMailError("the server gave no UIDVALIDITY for the mailbox", server=self.server)
        self.uidvalidity = value

    async def noop(self) -> None:
        await self._call(self._imap.noop(), "NOOP")

    async def search_from(self, first_uid: int) -> list[int]:
        response = await self._call(
            self._imap.uid_search("UID", f"{first_uid}:*", charset=None), "UID SEARCH"
        )
        return [uid for uid in search_results(response.lines) if uid >= first_uid]

    async def search_unseen(self) -> list[int]:
        response = await self._call(self._imap.uid_search("UNSEEN", charset=None), "UID SEARCH UNSEEN")
        return search_results(response.lines)

    async def fetch(self, uids: list[int]) -> list[tuple[int, bytes]]:
        response = await self._call(self._imap.uid("fetch", uid_set(uids), "(UID BODY.PEEK[])"), "UID FETCH")
        return fetched_messages(response.lines)

    async def mark_seen(self, uids: list[int]) -> None:
        await self._call(self._imap.uid("store", uid_set(uids), "+FLAGS.SILENT", r"(\Seen)"), "UID STORE")

    async def mark_for_a_person(self, uids: list[int]) -> None:
        """Flag ``\\Flagged`` (a star in webmail), leaving ``\\Seen`` as it was: fetched with PEEK, a
        message nobody opened stays unread."""
        await self._call(self._imap.uid("store", uid_set(uids), "+FLAGS.SILENT", r"(\Flagged)"), "UID STORE")

    async def move(self, uids: list[int], folder: str) -> None:
        quoted = aioimaplib.quoted(folder)
        if "MOVE" in self.capabilities:
            await self._call(self._imap.uid("move", uid_set(uids), quoted), "UID MOVE")
            return
        await self._call(self._imap.uid("copy", uid_set(uids), quoted), "UID COPY")
        await self._call(self._imap.uid("store", uid_set(uids), "+FLAGS.SILENT", r"(\Deleted)"), "UID STORE")
        expunge = (
            self._imap.uid("expunge", uid_set(uids))
            if "UIDPLUS" in self.capabilities
            else self._imap.expunge()
        )
        await self._call(expunge, "EXPUNGE")

    async def ensure_folder(self, folder: str) -> None:
        response = await self._call(self._imap.create(aioimaplib.quoted(folder)), "CREATE", check=False)
        if response.result != "OK" and b"ALREADYEXISTS" not in b" ".join(bytes(x) for x in response.lines):
            listing = await self._call(self._imap.list('""', aioimaplib.quoted(folder)), "LIST")
            if len(listing.lines) < 2:
                raise PermanentMailError(
                    f"cannot create the folder {folder!r} ({text_of(response.lines)}); create it or change "
                    "mail.imap.processed_folder",
                    server=self.server,
                )

    async def idle_wait(self, renew_seconds: float, stop: asyncio.Event | None) -> None:
        """Wait in IDLE until the server reports new mail, ``renew_seconds`` pass, ``stop`` is set or
        the connection is lost; then leave IDLE."""
        idle = await self._call(self._imap.idle_start(timeout=renew_seconds), "IDLE", check=False)
        waiters: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._lost.wait())]
        if stop is not None:
            waiters.append(asyncio.ensure_future(stop.wait()))
        try:
            while True:
                push = asyncio.ensure_future(self._imap.wait_server_push(timeout=renew_seconds + 30))
                done, _ = await asyncio.wait([push, *waiters], return_when=asyncio.FIRST_COMPLETED)
                if push not in done:
                    push.cancel()
                    break
                lines = push.result() if push.exception() is None else _STOP
                if lines == _STOP or any(word in bytes(line) for line in lines for word in _NEW_MAIL):
                    break
        finally:
            for waiter in waiters:
                waiter.cancel()
            if not self._lost.is_set() and self._imap.has_pending_idle():
                self._imap.idle_done()
                await self._call(asyncio.wait_for(idle, self._settings.timeout_seconds), "DONE", check=False)
        if self._lost.is_set():
            raise TransientMailError("the server closed the connection during IDLE", server=self.server)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            if not self._lost.is_set() and self._imap.get_state() in ("AUTH", "SELECTED"):
                await asyncio.wait_for(self._imap.logout(), min(5.0, self._settings.timeout_seconds))
        transport = self._imap.protocol.transport
        if isinstance(transport, asyncio.Transport):
            transport.abort()  # a TLS connection ends at once instead of waiting for close_notify
        await asyncio.sleep(0)

    async def _call(self, awaitable: Awaitable[Any], what: str, *, check: bool = True) -> Any:
        if self._lost.is_set():
            raise TransientMailError(f"the connection was lost before {what}", server=self.server)
        try:
            response = await awaitable
        except MailError:
            raise
        except (TimeoutError, aioimaplib.CommandTimeout) as exc:
            raise TransientMailError(f"{what} timed out", server=self.server) from exc
        except (aioimaplib.AioImapException, OSError, EOFError) as exc:
            refused = tls_error(exc, self.server, "mail.imap.ca_file")
            raise refused or TransientMailError(
                f"{what} failed: {describe(exc)}", server=self.server
            ) from exc
        if check and getattr(response, "result", "OK") != "OK":
            lines = response.lines
            cls = TransientMailError if is_transient_refusal(lines) else PermanentMailError
            raise cls(f"{what} refused: {response.result} {text_of(lines)}", server=self.server)
        return response

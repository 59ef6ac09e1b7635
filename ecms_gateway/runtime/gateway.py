"""The gateway runtime: the outbound workers, the inbound poller and processors, the directory
refresh and the saraban mail channel (its sender, mailbox reader and processor, or, without a
``[mail]`` section, the hold of mail-channel letters), as asyncio tasks over the core's ports.

``stop()`` (SIGINT/SIGTERM) lets each worker finish the item in hand, for up to the shutdown grace;
items still in hand then are released back to the queue. ``wake()`` (SIGUSR1) polls the node and
looks for work at once.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from ecms_gateway.engine import Claim, Store, WorkKind
from ecms_gateway.errors import GatewayError, PermanentFailure
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime.directory import DirectoryKeeper
from ecms_gateway.runtime.inbound import InboundProcessor
from ecms_gateway.runtime.mail import MAIL_OUTBOUND_KINDS, MailInbound, MailOutbound, MailParts, mail_commit
from ecms_gateway.runtime.outage import StoreOutage
from ecms_gateway.runtime.outbound import Outbound
from ecms_gateway.runtime.poller import Poller, PollerHooks
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.recorder import NULL_RECORDER, WorkRecorder
from ecms_gateway.runtime.routing import MAIL_NOT_YET, MAIL_NOT_YET_HINT
from ecms_gateway.runtime.settings import ECMS, MAIL, RuntimeSettings
from ecms_gateway.runtime.webhooks import Background, WebhookLoop, WebhookParts
from ecms_gateway.runtime.worker import Handler, WorkLoop
from ecms_gateway.signing import OutboundSigner, Verifier
from ecms_gateway.xml.parser import XmlLimits

log = logging.getLogger(__name__)

OUTBOUND_KINDS = (
    WorkKind.SEND,
    WorkKind.NOTIFY_RECEIVE,
    WorkKind.NOTIFY_ACCEPT,
    WorkKind.NOTIFY_REJECT,
    WorkKind.NOTIFY_INVALID,
    WorkKind.NOTIFY_INVALID_ACCEPT_ID,
    WorkKind.WITHDRAW,
)


@dataclass(frozen=True, kw_only=True)
class GatewayParts:
    """Everything the runtime works with, built by the composition root."""

    store: Store
    nodes: Mapping[str, EcmsNode]  # per served organisation
    signer: OutboundSigner
    verifier: Verifier
    directory: DirectoryKeeper
    settings: RuntimeSettings
    limits: XmlLimits = field(default_factory=XmlLimits)
    hooks: PollerHooks = field(default_factory=PollerHooks)
    mail: MailParts | None = None  # None: no [mail] section, mail-routed letters wait as dead letters
    # Observability: the work loops count attempts and outcomes; the poller reports each drain.
    recorder: WorkRecorder = NULL_RECORDER
    on_polled: Callable[[str, str | None], None] = lambda _org, _error: None
    webhooks: WebhookParts | None = None  # None: no webhook delivery in this process
    background: tuple[Background, ...] = ()  # more faces run beside the workers (watched folders)
    # The database out of reach: said once for the process, whichever task finds it (workers, webhooks
    # and the background faces given the same object).
    outage: StoreOutage = field(default_factory=StoreOutage)


async def hold_mail(claim: Claim) -> str:
    raise PermanentFailure(
        f"letter {claim.letter_id} goes to a saraban mailbox: {MAIL_NOT_YET}",
        cli_hint=MAIL_NOT_YET_HINT.format(work=claim.work_id),
    )


class Gateway:
    """Runs until ``stop()``; then finishes or releases the work in hand."""

    def __init__(self, parts: GatewayParts) -> None:
        self.parts = parts
        self._stopping = asyncio.Event()
        # Targeted wake-ups, one per queue: what the poller (or the mail reader) stores is inbound
        # work of its channel; what inbound work records queues notifiers (outbound work of the same
        # channel). One worker is woken per item; SIGUSR1 wakes everything (a clerk queued something).
        self._inbound = {ECMS: Pulse(), MAIL: Pulse()}
        self._outbound = {ECMS: Pulse(), MAIL: Pulse()}
        self._poll = Pulse()
        self._webhooks = Pulse()
        self._prefix = f"{socket.gethostname()}/{os.getpid()}"
        self._outage = parts.outage

    def stop(self) -> None:
        if not self._stopping.is_set():
            log.info("stopping: finishing the work in hand")
        self._stopping.set()

    def wake(self) -> None:
        """Poll the node and look for work now."""
        for pulse in (self._poll, *self._inbound.values(), *self._outbound.values(), self._webhooks):
            pulse.fire()

    async def run(self) -> None:
        parts = self.parts
        await parts.directory.start()
        tasks = [asyncio.create_task(coro, name=name) for name, coro in self._coroutines()]
        log.info(
            "gateway running for %s: %d outbound and %d inbound workers, polling every %s s",
            ", ".join(o.org_id for o in parts.settings.orgs),
            parts.settings.outbound_workers,
            parts.settings.inbound_workers,
            parts.settings.poll_interval_s,
        )
        stopped = asyncio.create_task(self._stopping.wait())
        await asyncio.wait([stopped, *tasks], return_when=asyncio.FIRST_COMPLETED)
        self._stopping.set()  # a task that failed stops the gateway too: it is not half running
        _, pending = await asyncio.wait(tasks, timeout=parts.settings.shutdown_grace_s)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if pending:
            log.warning("released %d task(s) still busy after the shutdown grace", len(pending))
        for task in tasks:
            failed = None if task.cancelled() else task.exception()
            if isinstance(failed, GatewayError):  # says what is wrong and what to do: as it is
                raise failed
            if failed is not None:
                raise RuntimeError(f"gateway task {task.get_name()} failed") from failed

    def _coroutines(self) -> list[tuple[str, Coroutine[Any, Any, None]]]:
        parts, settings = self.parts, self.parts.settings
        lease = timedelta(seconds=settings.lease_s)
        outbound = Outbound(
            store=parts.store,
            nodes=parts.nodes,
            signer=parts.signer,
            routing=lambda: parts.directory.table,
            secrecy=settings.secrecy,
        )
        processor = InboundProcessor(
            store=parts.store,
            verifier=parts.verifier,
            settings=settings,
            limits=parts.limits,
            queued=self._outbound[ECMS].one,
        )
        coros: list[tuple[str, Coroutine[Any, Any, None]]] = []
        for n in range(settings.outbound_workers):
            loop = self._loop(
                f"out-{n + 1}", ECMS, OUTBOUND_KINDS, outbound.handle, lease=lease, wake=self._outbound[ECMS]
            )
            loop = replace(loop, ready=lambda: parts.directory.table is not None)
            coros.append((f"outbound-{n + 1}", loop.run(self._stopping)))
        for n in range(settings.inbound_workers):
            loop = self._loop(
                f"in-{n + 1}",
                ECMS,
                (WorkKind.INBOUND,),
                processor.handle,
                lease=lease,
                wake=self._inbound[ECMS],
            )
            coros.append((f"inbound-{n + 1}", loop.run(self._stopping)))
        coros += self._mail_coroutines(lease)
        poller = Poller(
            store=parts.store,
            nodes=parts.nodes,
            interval_s=settings.poll_interval_s,
            wake=self._poll,
            on_stored=self._inbound[ECMS].one,
            hooks=parts.hooks,
            on_polled=parts.on_polled,
            at_once=lambda item, actor: processor.at_once(item, actor=actor),
        )
        refresh = parts.directory.run(
            self._stopping, every_s=settings.directory_refresh_s, retry_s=settings.poll_interval_s
        )
        coros += [
            ("poller", poller.run(self._stopping)),
            ("directory", refresh),
        ]
        return coros + self._face_coroutines()

    def _face_coroutines(self) -> list[tuple[str, Coroutine[Any, Any, None]]]:
        parts = self.parts
        coros = [(task.name, task.run(self._stopping)) for task in parts.background]
        if parts.webhooks is not None:
            loop = WebhookLoop(
                store=parts.store,
                parts=parts.webhooks,
                owner=f"{self._prefix}/webhooks",
                wake=self._webhooks,
                outage=self._outage,
            )
            coros.append(("webhooks", loop.run(self._stopping)))
        return coros

    def _mail_coroutines(self, lease: timedelta) -> list[tuple[str, Coroutine[Any, Any, None]]]:
        parts, mail = self.parts, self.parts.mail
        if mail is None:
            hold = self._loop("mail-hold", MAIL, (), hold_mail, lease=lease, wake=self._outbound[MAIL])
            return [("mail-hold", hold.run(self._stopping))]
        outbound = MailOutbound(store=parts.store, signer=parts.signer, mail=mail, settings=parts.settings)
        inbound = MailInbound(
            store=parts.store,
            verifier=parts.verifier,
            mail=mail,
            settings=parts.settings,
            limits=parts.limits,
            queued=self._outbound[MAIL].one,
        )
        sender = self._loop(
            "mail-out", MAIL, MAIL_OUTBOUND_KINDS, outbound.handle, lease=lease, wake=self._outbound[MAIL]
        )
        processor = self._loop(
            "mail-in", MAIL, (WorkKind.INBOUND,), inbound.handle, lease=lease, wake=self._inbound[MAIL]
        )
        coros = [
            ("mail-outbound", sender.run(self._stopping)),
            ("mail-inbound", processor.run(self._stopping)),
        ]
        if mail.reader is not None:
            commit = mail_commit(
                parts.store,
                actor=f"{self._prefix}/mail-reader",
                on_stored=self._inbound[MAIL].one,
                disposal=inbound.disposal,
            )
            coros.append(("mail-reader", mail.reader.run(commit, stop=self._stopping)))
        return coros

    def _loop(
        self,
        role: str,
        channel: str,
        kinds: tuple[WorkKind, ...],
        handler: Handler,
        *,
        lease: timedelta,
        wake: Pulse,
    ) -> WorkLoop:
        return WorkLoop(
            store=self.parts.store,
            channel=channel,
            kinds=kinds,
            name=f"{self._prefix}/{role}",
            handler=handler,
            idle_s=self.parts.settings.idle_s,
            lease=lease,
            wake=wake,
            recorder=self.parts.recorder,
            outage=self._outage,
        )

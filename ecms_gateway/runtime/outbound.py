"""The outbound worker's jobs on the e-CMS channel: send a letter (policy check, build, sign, validate,
deliver), send a notifier back to a letter's sender, withdraw a rejected letter at the node.

Every request to the node carries a MessageID derived from the work item, so a retry after a lost
reply is recognised by the node and answered with the same ProcessID instead of delivered twice. The
request is archived before its first try and every retry sends the archived bytes (``sending.py``):
what the node answered the first time is what the archive keeps.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from ecms_gateway.codec import (
    LetterKey,
    NotifierKind,
    OutboundRequest,
    WithdrawRequest,
    build_document,
    letter_request,
    to_wire,
)
from ecms_gateway.engine import Claim, Store, WorkKind
from ecms_gateway.engine.sent_values import Outgoing, SentDraft
from ecms_gateway.engine.values import Done, LetterFacts
from ecms_gateway.errors import ConfigError, PermanentFailure, TransientFailure
from ecms_gateway.letter.model import Letter, LetterPackage
from ecms_gateway.letter.policy import SecrecyPolicy, check_may_leave
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime import accept_id, sending
from ecms_gateway.runtime.notices import NOTIFIER_OF_WORK, receiver_notice, signed
from ecms_gateway.runtime.routing import Route, RoutingTable
from ecms_gateway.runtime.settings import ECMS
from ecms_gateway.signing import OutboundSigner

log = logging.getLogger(__name__)


def message_id_for(claim: Claim, org_id: str) -> str:
    """The MessageID of every try at one work item (stable across retries and restarts)."""
    first = claim.first_try_at.astimezone(UTC)
    stamp = first.strftime("%Y%m%d.%H%M%S") + f"{first.microsecond // 1000:03d}"
    return f"mid://{stamp}.w{claim.work_id}@{org_id}.ecms-gateway"


@dataclass(frozen=True, kw_only=True)
class Outbound:
    """Handles the SEND, NOTIFY_* and WITHDRAW work items of the e-CMS channel."""

    store: Store
    nodes: Mapping[str, EcmsNode]  # per organisation we serve: its node client
    signer: OutboundSigner
    routing: Callable[[], RoutingTable | None]
    secrecy: SecrecyPolicy
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    order_wait_s: float = 5.0

    async def handle(self, claim: Claim) -> Done:
        if claim.letter_id is None:
            raise PermanentFailure(f"{claim.kind.value} work {claim.work_id} names no letter")
        if claim.kind is WorkKind.SEND:
            return await self.send_letter(claim, claim.letter_id)
        if claim.kind is WorkKind.WITHDRAW:
            return await self.withdraw(claim, claim.letter_id)
        if claim.kind in NOTIFIER_OF_WORK:
            return await self.send_notifier(claim, claim.letter_id)
        if claim.kind is WorkKind.NOTIFY_INVALID_ACCEPT_ID:  # we are the letter's sender here
            return await accept_id.send_by_ecms(
                self.store,
                claim,
                claim.letter_id,
                signer=self.signer,
                node_of=self._node,
                route_of=self._route,
                message_id=lambda org: message_id_for(claim, org),
            )
        raise PermanentFailure(f"the outbound worker does not do {claim.kind.value} work")

    async def send_letter(self, claim: Claim, letter_id: int) -> Done:
        letter, message = await asyncio.to_thread(self._letter_message, claim, letter_id)
        reply = await self._node(letter.sender.org_id).send_encoded(message.raw)
        log.info(
            "sent letter %d (%s) to %s: ProcessID %s",
            letter_id,
            letter.book_no,
            letter.receiver.org_id,
            reply.process_id,
        )
        answer = f"ProcessID {reply.process_id}"
        return sending.done(answer, message, answer=answer)

    def _letter_message(self, claim: Claim, letter_id: int) -> tuple[Letter, Outgoing]:
        """The letter, checked against the policy (it may have changed since the letter was accepted),
        and the request to send: archived by an earlier try of this run, else built, signed, encoded
        and archived now, all in the worker's thread: a large letter takes tens of milliseconds,
        which the event loop (every other worker, the poller, the pages) should not wait."""
        earlier = sending.kept(self.store, claim)
        if earlier is not None:  # sent again as it was: neither rebuilt nor signed again
            letter = self.store.load_letter(letter_id)
            check_may_leave(letter, self.secrecy)
            self._node(letter.sender.org_id)
            return letter, earlier
        package = self.store.load_package(letter_id)
        letter = package.letter
        check_may_leave(letter, self.secrecy)
        self._node(letter.sender.org_id)
        route = self._route(letter.receiver.org_id)
        document = self._signed_document(package)
        del package  # only the request's bytes are kept: the files and the tree are let go here
        message_id = message_id_for(claim, letter.sender.org_id)
        envelope = letter_request(document, to=route.node_url, message_id=message_id)
        draft = sending.draft(claim, message_id=message_id, raw=envelope)
        return letter, self.store.archive_sent(draft, actor=claim.worker)

    def _signed_document(self, package: LetterPackage) -> etree._Element:
        document = build_document(package, send_time=self.clock())
        try:
            self.signer.sign_letter(document)
        except ConfigError as exc:  # a missing or broken key: retrying cannot help until it is fixed
            raise PermanentFailure(
                f"cannot sign: {exc.fact}", cli_hint="fix the key, then `ecms-gateway retry`"
            ) from exc
        return document

    async def send_notifier(self, claim: Claim, letter_id: int) -> Done:
        kind = NOTIFIER_OF_WORK[claim.kind]
        detail = await after_receive_notice(self.store, letter_id, kind, wait_s=self.order_wait_s)
        letter = detail.letter
        ours = self._receiving_org(letter.receiver_org)
        node = self._node(ours)

        def build() -> SentDraft:
            route = self._route(letter.sender_org)
            notice = receiver_notice(kind, detail, receiving_org=ours)
            try:
                notice = signed(notice, self.signer, org_id=ours, partner_id=letter.sender_org)
            except ConfigError as exc:
                raise PermanentFailure(f"cannot sign the {kind.value}: {exc}") from exc
            message_id = message_id_for(claim, letter.receiver_org)
            request = to_wire(OutboundRequest(item=notice), to=route.node_url, message_id=message_id)
            return sending.draft(claim, message_id=message_id, raw=request)

        message = await asyncio.to_thread(sending.message_of, self.store, claim, build)
        reply = await node.send_encoded(message.raw)
        log.info(
            "sent %s about letter %d (%s) to %s: ProcessID %s",
            kind.value,
            letter_id,
            letter.book_no,
            letter.sender_org,
            reply.process_id,
        )
        return sending.done(
            f"{kind.value} ProcessID {reply.process_id}", message, answer=f"ProcessID {reply.process_id}"
        )

    async def withdraw(self, claim: Claim, letter_id: int) -> Done:
        detail = await asyncio.to_thread(self.store.show, letter_id)
        letter = detail.letter
        node = self._node(letter.sender_org)

        def build() -> SentDraft:
            route = self._route(letter.receiver_org)
            key = LetterKey(
                letter_id=letter.book_no,
                correspondence_date=letter.letter_date,
                sender_department=letter.sender_org[:5],
                accept_department=letter.receiver_org[:5],
            )
            message_id = message_id_for(claim, letter.sender_org)
            request = to_wire(WithdrawRequest(key=key), to=route.node_url, message_id=message_id)
            return sending.draft(claim, message_id=message_id, raw=request)

        message = await asyncio.to_thread(sending.message_of, self.store, claim, build)
        reply = await node.withdraw_encoded(message.raw)
        log.info(
            "withdrew letter %d (%s) at the node: ProcessID %s", letter_id, letter.book_no, reply.process_id
        )
        answer = f"ProcessID {reply.process_id}" if reply.process_id else f"ProcessTime {reply.process_time}"
        return sending.done(f"withdrawn at the node: ProcessID {reply.process_id}", message, answer=answer)

    def _receiving_org(self, addressee: str) -> str:
        """Who answers for a received letter: its addressee, or (a letter that reached us though it is
        addressed to someone else) the one organisation this gateway serves."""
        if addressee in self.nodes or len(self.nodes) != 1:
            return addressee
        return next(iter(self.nodes))

    def _node(self, org_id: str) -> EcmsNode:
        node = self.nodes.get(org_id)
        if node is None:
            raise PermanentFailure(
                f"organisation {org_id} is not served by this gateway (no [[organizations]] entry with "
                "its signing key)",
                cli_hint="add it to [[organizations]] with its signing key, then `ecms-gateway retry`",
            )
        return node

    def _route(self, org_id: str) -> Route:
        table = self.routing()
        if table is None:
            raise TransientFailure("the organisation directory is not loaded yet (the node may be down)")
        route = table.route(org_id)
        if route.channel != ECMS or route.node_url is None:
            raise PermanentFailure(f"cannot send by e-CMS: {route.why}")
        return route


async def after_receive_notice(
    store: Store, letter_id: int, kind: NotifierKind, *, wait_s: float
) -> LetterFacts:
    """The letter; for a notifier after the ReceiveLetterNotifier, once that one has gone (waiting up
    to ``wait_s``), so that the sender sees them in order (a late one is refused there)."""
    facts = await asyncio.to_thread(store.letter_facts, letter_id)
    if kind is NotifierKind.RECEIVE or facts.receive_notified:
        return facts
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while not facts.receive_notified and loop.time() < deadline:
        await asyncio.sleep(0.05)
        facts = await asyncio.to_thread(store.letter_facts, letter_id)
    return facts

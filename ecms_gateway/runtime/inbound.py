"""The inbound processor: a stored queue item -> verify its signature (or flag it by policy) -> decode
only what the signature covers -> record the letter (which queues the ReceiveLetterNotifier) or match
the notifier to its letter. Organisations with ``auto_register`` register a new letter at once.

The item is parsed once; normalising does not touch signed content, so the same tree is validated,
then verified, and the verified element is what gets decoded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from lxml import etree

from ecms_gateway.codec import (
    InboundResponse,
    LetterDocument,
    LetterItem,
    Notifier,
    NotifierKind,
    OutboundRequest,
    decode,
    parse_document,
    read_element,
)
from ecms_gateway.engine import (
    Accepted,
    Claim,
    Direction,
    LetterRef,
    LetterState,
    NotifierIn,
    NotifierResult,
    SignatureMark,
    Store,
)
from ecms_gateway.engine import NotifierKind as StoreNotifierKind
from ecms_gateway.errors import GatewayError, InputError, PermanentFailure, TransientFailure
from ecms_gateway.letter.model import Letter
from ecms_gateway.logs import log_context
from ecms_gateway.ports import ReceivedItem
from ecms_gateway.runtime.poller import AppliedAtOnce
from ecms_gateway.runtime.settings import ECMS, RuntimeSettings
from ecms_gateway.services import clerk
from ecms_gateway.signing import SignatureStatus, Verified, Verifier
from ecms_gateway.xml.parser import XmlLimits, parse_xml

log = logging.getLogger(__name__)

SENDING: Final = frozenset({LetterState.QUEUED, LetterState.SENDING})
"""States of our letter in which a notifier about it came before its sending was recorded."""

STORE_KIND: Final[Mapping[NotifierKind, StoreNotifierKind]] = {
    NotifierKind.RECEIVE: StoreNotifierKind.RECEIVE,
    NotifierKind.ACCEPT: StoreNotifierKind.ACCEPT,
    NotifierKind.REJECT: StoreNotifierKind.REJECT,
    NotifierKind.INVALID: StoreNotifierKind.INVALID,
    NotifierKind.INVALID_ACCEPT_ID: StoreNotifierKind.INVALID_ACCEPT_ID,
}


@dataclass(frozen=True, kw_only=True)
class Peer:
    """Who sent a notifier (whose signature it must carry) and the department of its letter's sender."""

    org_id: str
    letter_sender_dept: str
    letter_id: int | None = None
    state: LetterState | None = None


@dataclass(frozen=True, kw_only=True)
class Processed:
    """What became of an inbox item, for the audit log; ``queued_work``: notifiers to send."""

    note: str
    queued_work: bool


@dataclass(frozen=True, kw_only=True)
class InboundProcessor:
    store: Store
    verifier: Verifier
    settings: RuntimeSettings
    limits: XmlLimits
    queued: Callable[[], None] = lambda: None  # told when notifiers were queued (wakes the senders)

    async def handle(self, claim: Claim) -> str:
        if claim.inbox_id is None:
            raise PermanentFailure(f"inbound work {claim.work_id} names no inbox item")
        done = await asyncio.to_thread(self._load_and_process, claim.inbox_id, claim.worker)
        if done.queued_work:
            self.queued()
        return done.note

    def _load_and_process(self, inbox_id: int, worker: str) -> Processed:
        return self.process(inbox_id, self.store.load_raw(inbox_id), worker)

    def process(self, inbox_id: int, raw: bytes, worker: str) -> Processed:
        root = parse_xml(raw, limits=self.limits, source=f"inbox item {inbox_id}")
        read = read_element(root, source=f"inbox item {inbox_id}")
        item = _item_of(read.message, f"inbox item {inbox_id}")
        if isinstance(item, LetterDocument):
            # A letter queues its ReceiveLetterNotifier (and, registered, its AcceptLetterNotifier).
            return Processed(note=self._letter(inbox_id, root, item, worker), queued_work=True)
        return Processed(note=self._notifier(inbox_id, root, item, worker), queued_work=False)

    # ------------------------------------------------------------ letters

    def _letter(self, inbox_id: int, root: etree._Element, seen: LetterDocument, worker: str) -> str:
        verified = self.verifier.verify_document(root)
        document = verified.document
        if document is None:
            raise PermanentFailure(
                f"inbox item {inbox_id}: the verified letter is not in a GovernmentDocument"
            )
        # Reading the item decoded this very element already (verifying does not change it): use that
        # instead of decoding every attachment again. Any other element is decoded here.
        decoded = seen.decode() if document is seen.element else parse_document(document)
        package = decoded.package
        letter = package.letter
        served = self.settings.served(letter.receiver.org_id)
        auto = f"auto-register:{served.org_id}" if served is not None and served.auto_register else None
        accepted = self.store.record_inbound_letter(
            inbox_id, package, actor=worker, signature=signature_mark(verified), register_as=auto
        )
        with log_context(letter_id=accepted.id):  # the item had no letter until now
            return self._recorded(inbox_id, accepted, letter, auto, verified)

    def _recorded(
        self, inbox_id: int, accepted: Accepted, letter: Letter, auto: str | None, verified: Verified
    ) -> str:
        """Log and finish a recorded letter: mark it invalid when misaddressed, or auto-register it."""
        served = self.settings.served(letter.receiver.org_id)
        what = f"letter {accepted.id} ({letter.book_no}) from {letter.sender.org_id}"
        if not accepted.created:
            log.info("inbox item %d is %s again; recorded once", inbox_id, what)
        else:
            log.info("received %s, signature %s", what, verified.status.value)
        if served is None:
            return self._misaddressed(accepted.id, letter.receiver.org_id, what)
        number = accepted.receive_no
        if number is None and auto is not None:
            number = self._register_if_received(accepted.id, auto)
        if number is not None:
            log.info("registered %s with receive number %d", what, number)
            return f"{what} recorded and registered as receive number {number}"
        return f"{what} recorded"

    def _register_if_received(self, letter_id: int, actor: str) -> int | None:
        """A letter recorded before (an item that came again) that is still waiting: register it now."""
        if self.store.letter_state(letter_id) is not LetterState.RECEIVED:
            return None
        return clerk.register(self.store, letter_id, actor=actor)

    def _misaddressed(self, letter_id: int, receiver: str, what: str) -> str:
        if self.store.letter_state(letter_id) is LetterState.RECEIVED:
            reason = f"addressed to {receiver}, which this gateway does not serve"
            clerk.mark_invalid(self.store, letter_id, reason=reason, actor="processor")
            log.warning("%s marked invalid: %s", what, reason)
        return f"{what} recorded and marked invalid (receiver {receiver} not served here)"

    # ------------------------------------------------------------ notifiers

    def at_once(self, item: ReceivedItem, *, actor: str) -> AppliedAtOnce | None:
        """A notifier just polled, verified, stored and matched in one transaction: what became of it.

        None when it is to be stored as inbound work instead (a letter, or a notifier that cannot be
        applied now: its letter is still being sent, its signature or content is refused); the
        inbound worker then does it, retries it or makes it a dead letter with the reason.
        """
        if not isinstance(item.item, Notifier):
            return None
        what = f"ProcessID {item.process_id}"
        try:
            root = parse_xml(item.raw, limits=self.limits, source=what)
            seen = _item_of(read_element(root, source=what).message, what)
            if not isinstance(seen, Notifier):
                return None
            peer, verified, notifier = self._verified(what, root, seen)
        except (GatewayError, etree.LxmlError) as exc:
            about = exc.letter_id if isinstance(exc, TransientFailure) else None
            with log_context(letter_id=about):
                log.info("%s is stored for the inbound worker: %s", what, exc)
            return None
        accepted, result = self.store.accept_notifier(
            item.raw,
            notifier_in(notifier, sender_dept=peer.letter_sender_dept, inbox_id=None),
            channel=ECMS,
            process_id=item.process_id,
            actor=actor,
            applier=_actor(actor, verified),
        )
        if result is None:
            return AppliedAtOnce(note=f"inbox item {accepted.id} ({what}) was stored before")
        return AppliedAtOnce(note=self._matched(peer, notifier, result), letter_id=result.letter_id)

    def _notifier(self, inbox_id: int, root: etree._Element, seen: Notifier, worker: str) -> str:
        peer, verified, notifier = self._verified(f"inbox item {inbox_id}", root, seen)
        result = self.store.match_notifier(
            notifier_in(notifier, sender_dept=peer.letter_sender_dept, inbox_id=inbox_id),
            actor=_actor(worker, verified),
        )
        return self._matched(peer, notifier, result)

    def _verified(self, what: str, root: etree._Element, seen: Notifier) -> tuple[Peer, Verified, Notifier]:
        """Who sent the notifier, its verified signature and what the signature covers, decoded."""
        peer = self._peer(seen, what)
        verified = self.verifier.verify_notifier(root, org_id=peer.org_id)
        notifier = decode(verified.element)
        if not isinstance(notifier, Notifier):
            raise PermanentFailure(f"{what}: the verified element is not a notifier")
        if peer.state in SENDING:
            # The node took the letter but our worker has not recorded it as sent yet (or its reply was
            # lost and it is sent again): apply the notifier once the sending is recorded.
            raise TransientFailure(
                f"{notifier.kind.value} about letter {peer.letter_id} ({notifier.letter_id}), which is still "
                f"{peer.state.value if peer.state else '-'} here; it is applied once the sending is recorded",
                letter_id=peer.letter_id,
            )
        return peer, verified, notifier

    @staticmethod
    def _matched(peer: Peer, notifier: Notifier, result: NotifierResult) -> str:
        with log_context(letter_id=result.letter_id):
            log.info(
                "%s about %s from %s: %s (letter %s, now %s)",
                notifier.kind.value,
                notifier.letter_id,
                peer.org_id,
                result.outcome.value,
                result.letter_id,
                result.state.value if result.state else "-",
            )
        return f"{notifier.kind.value} {result.outcome.value} to letter {result.letter_id}"

    def _peer(self, notifier: Notifier, what: str) -> Peer:
        """The notifier's sender: the receiver of our letter, or (InvalidAcceptID) the sender of theirs."""
        ours = self.settings.org_ids
        about_ours = notifier.kind is not NotifierKind.INVALID_ACCEPT_ID
        direction = Direction.OUT if about_ours else Direction.IN
        found: LetterRef | None = self.store.find_letter(
            direction=direction,
            book_no=notifier.letter_id,
            letter_date=notifier.correspondence_date,
            sender_orgs=ours if about_ours else (),
            receiver_orgs=() if about_ours else ours,
        )
        if found is not None:
            return Peer(
                org_id=found.receiver_org if about_ours else found.sender_org,
                letter_sender_dept=found.sender_dept,
                letter_id=found.id,
                state=found.state,
            )
        if about_ours and notifier.accept_department:
            # No such letter here: verify it as from the department it names and keep it as unmatched.
            first = self.settings.orgs[0]
            return Peer(
                org_id=notifier.accept_department[:5] + "00000", letter_sender_dept=first.department_id
            )
        raise InputError(
            f"{what}: {notifier.kind.value} about {notifier.letter_id} of "
            f"{notifier.correspondence_date.isoformat()} matches no letter here and does not say who sent it"
        )


def _item_of(message: object, what: str) -> LetterItem:
    if isinstance(message, InboundResponse | OutboundRequest) and message.item is not None:
        return message.item
    raise InputError(f"{what} is a {type(message).__name__}, not a letter or a notifier")


def notifier_in(notifier: Notifier, *, sender_dept: str, inbox_id: int | None) -> NotifierIn:
    """What the store matches of a received notifier; ``sender_dept``: its letter's sender's department."""
    return NotifierIn(
        kind=STORE_KIND[notifier.kind],
        sender_dept=sender_dept,
        book_no=notifier.letter_id,
        letter_date=notifier.correspondence_date,
        accept_id=notifier.accept_id,
        inbox_id=inbox_id,
        reason=notifier.description,
    )


def signature_mark(verified: Verified) -> SignatureMark:
    """What the store keeps on a received letter about its signature (clerks see anything but verified)."""
    if verified.status is SignatureStatus.UNSIGNED:
        return SignatureMark.UNSIGNED_ACCEPTED
    return SignatureMark.VERIFIED


def _actor(worker: str, verified: Verified) -> str:
    if verified.flagged:
        return f"{worker} [UNSIGNED: accepted by policy for {verified.org_id}]"
    return worker

"""The saraban mail channel of the runtime: send letters and notifiers by mail, read the mailbox.

Outbound (work on channel ``mail``): a letter is built, signed and validated as for e-CMS, attached to
a mail composed by ``MailComposer`` and handed to the ``MailSender`` port; a notifier about a letter
that arrived by mail goes back as a reply to that letter's mail (In-Reply-To its Message-ID). The
composed mail is archived before its first try and a retry hands the server the same bytes under the
same envelope (``sending.py``). The Message-ID of a mailed letter is recorded with its archived copy,
before it is sent, so a bounce can be matched to the letter; it is also the work item's note.

Inbound: the ``MailboxReader`` port commits each message with ``Store.accept_inbound`` (channel
``mail``, process id ``dedupe_key``) and answers whether the gateway can use it (one it cannot is left
unread and flagged for a person in the mailbox); the mail processor then classifies the stored message
and records a letter, matches a notifier, notes a person's text reply on the letter of ours it answers,
or notes what a bounce, automatic reply, person's letter or quarantined message was on the inbox
item's work note.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from ecms_gateway.codec import NotifierKind
from ecms_gateway.engine import Claim, Direction, LetterState, Store, WorkKind
from ecms_gateway.engine.mail_bounces import MailedNotifier
from ecms_gateway.engine.mail_replies import MailReply
from ecms_gateway.engine.mail_values import MailLetterView
from ecms_gateway.engine.sent_values import SentDraft
from ecms_gateway.engine.values import Done, LetterDetail, LetterFacts
from ecms_gateway.errors import ConfigError, IllegalTransition, InputError, PermanentFailure, TransientFailure
from ecms_gateway.logs import log_context
from ecms_gateway.mail import (
    AutoReply,
    Bounce,
    Classified,
    CommitMail,
    Disposal,
    FetchedMail,
    HumanLetter,
    LetterMail,
    MailboxReader,
    MailComposer,
    MailDirectory,
    MailSender,
    MailSettings,
    NotifierMail,
    OutgoingMail,
    PersonReply,
    Quarantined,
    SentMail,
    SmimeSigner,
    classify,
    letter_document_xml,
    message_id_of,
    notifier_document_xml,
    verify_letter_mail,
    verify_notifier_mail,
)
from ecms_gateway.runtime import accept_id, sending
from ecms_gateway.runtime.inbound import SENDING, notifier_in, signature_mark
from ecms_gateway.runtime.notices import NOTIFIER_OF_WORK, receiver_notice
from ecms_gateway.runtime.outbound import after_receive_notice
from ecms_gateway.runtime.settings import MAIL, RuntimeSettings
from ecms_gateway.services import clerk, mail_letters
from ecms_gateway.signing import OutboundSigner, Verifier
from ecms_gateway.xml.parser import XmlLimits

log = logging.getLogger(__name__)

MAIL_OUTBOUND_KINDS: Final = (
    WorkKind.SEND,
    WorkKind.NOTIFY_RECEIVE,
    WorkKind.NOTIFY_ACCEPT,
    WorkKind.NOTIFY_REJECT,
    WorkKind.NOTIFY_INVALID,
    WorkKind.NOTIFY_INVALID_ACCEPT_ID,
    WorkKind.WITHDRAW,
)


@dataclass(frozen=True, kw_only=True)
class MailParts:
    """The mail channel as the composition root built it: settings, directory and the two ports."""

    settings: MailSettings
    directory: MailDirectory
    sender: MailSender
    reader: MailboxReader | None  # None: this gateway only sends by mail
    smime: SmimeSigner | None = None  # loaded from mail.smime_key; used for partners that ask for it


@dataclass(frozen=True, kw_only=True)
class MailOutbound:
    """Handles the SEND and NOTIFY_* work items of the mail channel."""

    store: Store
    signer: OutboundSigner
    mail: MailParts
    settings: RuntimeSettings
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    order_wait_s: float = 5.0

    @property
    def composer(self) -> MailComposer:
        return MailComposer(
            self.mail.settings, self.mail.directory, smime=self.mail.smime, secrecy=self.settings.secrecy
        )

    async def handle(self, claim: Claim) -> Done:
        if claim.letter_id is None:
            raise PermanentFailure(f"{claim.kind.value} work {claim.work_id} names no letter")
        if claim.kind is WorkKind.SEND:
            return await self.send_letter(claim, claim.letter_id)
        if claim.kind in NOTIFIER_OF_WORK:
            return await self.send_notifier(claim, claim.letter_id)
        if claim.kind is WorkKind.NOTIFY_INVALID_ACCEPT_ID:  # we are the letter's sender here
            return await accept_id.send_by_mail(
                self.store,
                claim,
                claim.letter_id,
                signer=self.signer,
                composer=self.composer,
                sender=self.mail.sender,
                org_id=self.mail.settings.org_id,
                now=self.clock,
            )
        if claim.kind is WorkKind.WITHDRAW:
            raise PermanentFailure(
                f"letter {claim.letter_id} went by mail: a mailed letter cannot be withdrawn at a node; "
                "tell the receiver's saraban office in writing"
            )
        raise PermanentFailure(f"the mail worker does not do {claim.kind.value} work")

    async def send_letter(self, claim: Claim, letter_id: int) -> Done:
        def build() -> SentDraft:
            package = self.store.load_package(letter_id)
            now = self.clock()
            try:
                xml = letter_document_xml(package, sign=self.signer.sign_letter, send_time=now)
                mail = self.composer.letter(package, xml, now=now)
            except ConfigError as exc:  # no key, no address in the directory: fix it, then retry
                raise PermanentFailure(f"cannot send letter {letter_id} by mail: {exc}") from exc
            # Archiving records the Message-ID too: a bounce can come back only for one we know.
            return sending.mail_draft(claim, mail)

        message = await asyncio.to_thread(sending.message_of, self.store, claim, build)
        mail = sending.archived_mail(message)
        sent = await self._send(mail)
        log.info(
            "mailed letter %d to %s: Message-ID %s", letter_id, ", ".join(mail.recipients), sent.message_id
        )
        return sending.done(
            f"mailed Message-ID {sent.message_id}; server: {sent.reply}", message, answer=f"SMTP {sent.reply}"
        )

    async def send_notifier(self, claim: Claim, letter_id: int) -> Done:
        kind = NOTIFIER_OF_WORK[claim.kind]
        detail = await after_receive_notice(self.store, letter_id, kind, wait_s=self.order_wait_s)
        letter = detail.letter
        ours = self.mail.settings.org_id

        def build() -> SentDraft:
            notice = receiver_notice(kind, detail, receiving_org=ours)
            in_reply_to = self._letter_message_id(detail)
            person = self.store.mail_letter_of_letter(letter_id)
            to_address = person.from_address if person is not None else None  # a person's: reply to them
            try:
                xml = notifier_document_xml(
                    notice,
                    sign=lambda e: self.signer.sign_notifier(e, org_id=ours, partner_id=letter.sender_org),
                )
                mail = self.composer.notifier(
                    notice,
                    xml,
                    to_org=letter.sender_org,
                    in_reply_to=in_reply_to,
                    to_address=to_address,
                    now=self.clock(),
                )
            except ConfigError as exc:
                raise PermanentFailure(f"cannot mail the {kind.value}: {exc}") from exc
            return sending.mail_draft(claim, mail)

        message = await asyncio.to_thread(sending.message_of, self.store, claim, build)
        mail = sending.archived_mail(message)
        sent = await self._send(mail)
        log.info(
            "mailed %s about letter %d (%s) to %s: Message-ID %s",
            kind.value,
            letter_id,
            letter.book_no,
            ", ".join(mail.recipients),
            sent.message_id,
        )
        return sending.done(
            f"{kind.value} mailed Message-ID {sent.message_id}; server: {sent.reply}",
            message,
            answer=f"SMTP {sent.reply}",
        )

    async def _send(self, mail: OutgoingMail) -> SentMail:
        """Hand ``mail`` to the server; its ``TransientMailError`` is retried by the channel's policy,
        its ``PermanentMailError`` (the server's words) makes a dead letter."""
        return await self.mail.sender.send(mail)

    def _letter_message_id(self, detail: LetterDetail | LetterFacts) -> str | None:
        """The Message-ID the received letter's mail came with (from its inbox item)."""
        inbox_id = inbox_of(detail)
        if inbox_id is None:
            return None
        return message_id_of(self.store.load_raw(inbox_id))


def inbox_of(detail: LetterDetail | LetterFacts) -> int | None:
    """The inbox item a received letter was decoded from (from its ``letter.received`` history)."""
    for entry in detail.history:
        if entry.action != "letter.received":
            continue
        try:
            value = json.loads(entry.detail).get("inbox_id")
        except (ValueError, AttributeError):
            continue
        if isinstance(value, int):
            return value
    return None


def mail_commit(
    store: Store,
    *,
    actor: str,
    on_stored: Callable[[], None],
    disposal: Callable[[bytes], Disposal] | None = None,
) -> CommitMail:
    """The reader's commit: store the message durably (in a thread), wake the mail processor, and answer
    ``disposal(raw)`` (``MailInbound.disposal``): whether the mailbox should show it to a person."""

    async def commit(fetched: FetchedMail) -> Disposal:
        accepted = await asyncio.to_thread(
            store.accept_inbound, fetched.raw, channel=MAIL, process_id=fetched.dedupe_key, actor=actor
        )
        if accepted.created:
            log.info("stored mail %s as inbox item %d", fetched.message_id or "(no Message-ID)", accepted.id)
            on_stored()
        if disposal is None:
            return Disposal.DONE
        return await asyncio.to_thread(disposal, fetched.raw)

    return commit


@dataclass(frozen=True, kw_only=True)
class MailInbound:
    """Processes the INBOUND work items of the mail channel (a stored raw message each)."""

    store: Store
    verifier: Verifier
    mail: MailParts
    settings: RuntimeSettings
    limits: XmlLimits
    queued: Callable[[], None] = lambda: None

    async def handle(self, claim: Claim) -> str:
        if claim.inbox_id is None:
            raise PermanentFailure(f"inbound work {claim.work_id} names no inbox item")
        raw = await asyncio.to_thread(self.store.load_raw, claim.inbox_id)
        note, queued = await asyncio.to_thread(self.process, claim.inbox_id, raw, claim.worker)
        if queued:
            self.queued()
        return note

    def process(self, inbox_id: int, raw: bytes, worker: str) -> tuple[str, bool]:
        """What became of the message (the work note) and whether notifiers were queued."""
        found = self._classify(raw)
        if isinstance(found, LetterMail):
            return self._letter(inbox_id, found, worker), True
        return self._noted(inbox_id, found, raw, worker), False

    def disposal(self, raw: bytes) -> Disposal:
        """What the mailbox should do with a stored message: ``FOR_A_PERSON`` when the processor will
        find no use for it (quarantined, a reply without a file to no letter of ours, a bounce about
        nothing we mailed), so it stays unread and flagged where people read the mailbox."""
        found = self._classify(raw)
        if isinstance(found, Quarantined):
            return Disposal.FOR_A_PERSON
        if isinstance(found, PersonReply) and all(self._letter_of_message(m) is None for m in found.answered):
            return Disposal.FOR_A_PERSON
        if isinstance(found, Bounce) and not self._ours(found.original_message_id):
            return Disposal.FOR_A_PERSON
        return Disposal.DONE

    def _ours(self, message_id: str | None) -> bool:
        """Whether we mailed ``message_id``: a letter, or a notifier about a letter we received."""
        if message_id is None:
            return False
        return self._letter_of_message(message_id) is not None or (
            self.store.notifier_of_mailed(message_id) is not None
        )

    def _classify(self, raw: bytes) -> Classified:
        return classify(
            raw,
            directory=self.mail.directory,
            limits=self.limits,
            max_bytes=self.mail.settings.max_message_bytes,
        )

    def _noted(self, inbox_id: int, found: Classified, raw: bytes, worker: str) -> str:
        """What became of a message that queues no notifier (everything but a letter)."""
        who = found.info.from_address or "(no sender)"
        if isinstance(found, NotifierMail):
            return self._notifier(inbox_id, found, worker)
        if isinstance(found, Bounce):
            return self._bounce(found, worker)
        if isinstance(found, AutoReply):
            log.info("automatic reply from %s (%s), recorded only", who, found.signal)
            return f"automatic reply from {who} ({found.signal}); replied to {found.replied_to or '-'}"
        if isinstance(found, HumanLetter):
            return self._human(inbox_id, found, raw, worker)
        if isinstance(found, PersonReply):
            return self._reply(inbox_id, found, raw, worker)
        assert isinstance(found, Quarantined)  # noqa: S101 - the seven classes are exhaustive
        return self._quarantined(inbox_id, found, worker)

    def _quarantined(self, inbox_id: int, found: Quarantined, worker: str) -> str:
        """Kept for a clerk to read (the mail-letter queue, as a mail that cannot be confirmed)."""
        who = found.info.from_address or "(no sender)"
        kept = mail_letters.keep_unreadable_mail(self.store, inbox_id, found, actor=worker)
        if kept.created:
            log.warning("mail from %s quarantined: %s", who, found.reason)
        kept_as = f"kept for a clerk as mail letter {kept.record.id}"
        return f"quarantined mail from {who}: {found.reason}; {kept_as}"

    def _letter(self, inbox_id: int, mail: LetterMail, worker: str) -> str:
        verified = verify_letter_mail(mail, self.verifier)
        package = verified.package
        letter = package.letter
        accepted = self.store.record_inbound_letter(
            inbox_id, package, actor=worker, signature=signature_mark(verified.verified)
        )
        what = f"letter {accepted.id} ({letter.book_no}) from {letter.sender.org_id} by mail"
        with log_context(letter_id=accepted.id):  # the item had no letter until now
            log.info("received %s, signature %s", what, verified.verified.status.value)
            served = self.settings.served(letter.receiver.org_id)
            if served is None:
                return self._misaddressed(accepted.id, letter.receiver.org_id, what)
            if served.auto_register and self.store.letter_state(accepted.id) is LetterState.RECEIVED:
                number = clerk.register(self.store, accepted.id, actor=f"auto-register:{served.org_id}")
                return f"{what} recorded and registered as receive number {number}"
            return f"{what} recorded"

    def _misaddressed(self, letter_id: int, receiver: str, what: str) -> str:
        """A letter for an organisation we do not serve: invalid, and the sender is told by mail."""
        if self.store.letter_state(letter_id) is LetterState.RECEIVED:
            reason = f"addressed to {receiver}, which this gateway does not serve"
            clerk.mark_invalid(self.store, letter_id, reason=reason, actor="mail-processor")
            log.warning("%s marked invalid: %s", what, reason)
        return f"{what} recorded and marked invalid (receiver {receiver} not served here)"

    # ---------------------------------------------------------------- a person's letter (mail_letter queue)

    def _human(self, inbox_id: int, found: HumanLetter, raw: bytes, worker: str) -> str:
        kept = mail_letters.keep_mail_letter(
            self.store,
            inbox_id,
            found,
            raw,
            served=self.settings.org_ids,
            mailbox_org=self.mail.settings.org_id,
            directory=self.mail.directory,
            actor=worker,
        )
        if kept.created:
            log.info(
                "letter by a person from %s kept for a clerk as mail letter %d",
                found.info.from_address,
                kept.record.id,
            )
        return _human_note(kept.record, kept.created)

    # ---------------------------------------------------------------- a person's reply without a file

    def _reply(self, inbox_id: int, found: PersonReply, raw: bytes, worker: str) -> str:
        """Noted on the letter of ours it answers (its state unchanged); quarantined when none is ours."""
        info = found.info
        who = info.from_address or "(no sender)"
        letter_id = next(
            (known for mid in found.answered if (known := self._letter_of_message(mid)) is not None), None
        )
        if letter_id is None:
            reason = (
                f"a reply without a file to {', '.join(found.answered)}, which matches no letter we mailed; "
                "kept for a clerk to read"
            )
            thai = "อีเมลนี้ตอบกลับอีเมลที่ไม่ใช่หนังสือที่ระบบนี้ส่งไป และไม่มีไฟล์หนังสือแนบมา อ่านข้อความแล้วจัดการตามควร"
            unmatched = Quarantined(info=info, reason=reason, thai=thai, raw=raw)
            return self._quarantined(inbox_id, unmatched, worker)
        reply = MailReply(
            inbox_id=inbox_id,
            message_id=info.message_id,
            from_address=who,
            from_name=info.from_name,
            mail_date=info.date,
            subject=info.subject,
            text=found.text,
            receive_no=found.receive_no,
        )
        created = self.store.record_mail_reply(letter_id, reply, actor=worker)
        number = f", giving receive number {found.receive_no}" if found.receive_no else ""
        with log_context(letter_id=letter_id):
            log.info("%s answered letter %d by mail%s", who, letter_id, number)
        again = "" if created else " (processed again: noted before)"
        return f"reply by mail from {who} noted on letter {letter_id}{number}{again}; its state is unchanged"

    # ---------------------------------------------------------------- notifiers and bounces

    def _notifier(self, inbox_id: int, mail: NotifierMail, worker: str) -> str:
        seen = mail.unverified
        ours = self.settings.org_ids
        # An InvalidAcceptIDNotifier is about a letter we received (from its sender); the others about
        # one we sent (from its receiver).
        about_ours = seen.kind is not NotifierKind.INVALID_ACCEPT_ID
        found = self.store.find_letter(
            direction=Direction.OUT if about_ours else Direction.IN,
            book_no=seen.letter_id,
            letter_date=seen.correspondence_date,
            sender_orgs=ours if about_ours else (),
            receiver_orgs=() if about_ours else ours,
        )
        if found is None:
            raise InputError(
                f"inbox item {inbox_id}: {seen.kind.value} by mail about {seen.letter_id} of "
                f"{seen.correspondence_date.isoformat()} matches no letter we "
                f"{'sent' if about_ours else 'received'}"
            )
        peer = found.receiver_org if about_ours else found.sender_org
        verified = verify_notifier_mail(mail, self.verifier, sender_org=peer)
        notifier = verified.notifier
        if found.state in SENDING:
            raise TransientFailure(
                f"{notifier.kind.value} about letter {found.id}, which is still {found.state.value} here"
            )
        result = self.store.match_notifier(
            notifier_in(notifier, sender_dept=found.sender_dept, inbox_id=inbox_id), actor=worker
        )
        with log_context(letter_id=result.letter_id):
            log.info(
                "%s by mail about %s: %s (letter %s)",
                notifier.kind.value,
                notifier.letter_id,
                result.outcome.value,
                result.letter_id,
            )
        return f"{notifier.kind.value} {result.outcome.value} to letter {result.letter_id}"

    def _bounce(self, bounce: Bounce, worker: str) -> str:
        letter_id = self._letter_of_message(bounce.original_message_id)
        kind = "bounce" if bounce.permanent else "delay notice"
        if letter_id is None and bounce.original_message_id is not None:
            notifier = self.store.notifier_of_mailed(bounce.original_message_id)
            if notifier is not None:
                return self._notifier_bounce(bounce, notifier, bounce.original_message_id, kind, worker)
        if letter_id is None:
            log.warning(
                "%s about %s matches no letter we mailed: %s", kind, bounce.original_message_id, bounce.reason
            )
            about = bounce.original_message_id or "(unknown message)"
            return f"{kind} about {about}, which matches no letter we mailed: {bounce.reason}"
        note = f"{kind} of letter {letter_id} (Message-ID {bounce.original_message_id}): {bounce.reason}"
        if not bounce.permanent:
            return note
        with log_context(letter_id=letter_id):
            try:
                self.store.record_bounce(letter_id, actor=worker, reason=bounce.reason)
            except IllegalTransition:
                # Recorded as a refused event for operators (e.g. a bounce after the receiver answered).
                log.warning(
                    "bounce of letter %d, whose state does not allow failing it (recorded as a refused "
                    "event): %s",
                    letter_id,
                    bounce.reason,
                )
                return f"{note}; the letter's state does not allow failing it (recorded as a refused event)"
            log.error("letter %d did not arrive by mail: %s", letter_id, bounce.reason)
        return f"{note}; letter {letter_id} marked failed"

    def _notifier_bounce(
        self, bounce: Bounce, notifier: MailedNotifier, message_id: str, kind: str, worker: str
    ) -> str:
        """A notifier we mailed about a letter we received came back: the letter stays as it is, but
        its sender was not told; a permanent bounce is noted on the letter for the clerk."""
        what = notifier.what.removeprefix("notifier:")
        note = (
            f"{kind} of our {what} notifier about letter {notifier.letter_id} (Message-ID {message_id}): "
            f"{bounce.reason}"
        )
        if not bounce.permanent:
            return note
        with log_context(letter_id=notifier.letter_id):
            noted = self.store.record_notifier_bounce(
                notifier, message_id=message_id, reason=bounce.reason, actor=worker
            )
            if noted:
                log.warning(
                    "the sender of letter %d was not told by mail (%s notifier bounced: %s); "
                    "the letter page says so: tell them another way",
                    notifier.letter_id,
                    what,
                    bounce.reason,
                )
        return f"{note}; noted on letter {notifier.letter_id}: its sender was not told"

    def _letter_of_message(self, message_id: str | None) -> int | None:
        """The letter we mailed under ``message_id`` (recorded before it was sent; looked up by index)."""
        return None if message_id is None else self.store.letter_of_mailed(message_id)


def _human_note(record: MailLetterView, created: bool) -> str:
    fields = record.fields
    missing = ", ".join(item.field for item in record.not_found) or "nothing"
    again = "" if created else " (processed again: the record kept before)"
    return (
        f"letter written by a person from {record.from_address or '(no sender)'}, kept for a clerk as "
        f"mail letter {record.id}{again}: book no {fields.book_no or '?'}, date {fields.letter_date or '?'}, "
        f"subject {fields.subject or '?'}, sender organisation {fields.sender_org or '?'}, receiver "
        f"{fields.receiver_org or '?'}, {len(record.files)} file(s); not found: {missing}"
    )

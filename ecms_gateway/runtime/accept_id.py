"""The sender's side when a receiver gave a wrong receive number: the NOTIFY_INVALID_ACCEPT_ID work
item (queued by ``Store.report_wrong_accept_id``) becomes an InvalidAcceptIDNotifier, built from the
reason recorded with the report, signed when the receiver's policy asks for signed notifiers, and
sent by the channel the letter went by (through our node, or mailed as a reply to the letter's
mail); the engine's retry policy retries it like any notifier, sending the message archived before
its first try (``sending.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ecms_gateway.codec import Notifier, OutboundRequest, to_wire
from ecms_gateway.engine import Claim, Store, WrongAcceptIdReport
from ecms_gateway.engine.sent_values import SentDraft
from ecms_gateway.engine.values import Done, LetterDetail
from ecms_gateway.errors import ConfigError, InputError, PermanentFailure
from ecms_gateway.mail import MailComposer, MailSender, notifier_document_xml
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime import sending
from ecms_gateway.runtime.notices import invalid_accept_id_notice, signed
from ecms_gateway.runtime.routing import Route
from ecms_gateway.signing import OutboundSigner

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Report:
    """What one work item reports: the letter as stored, the report and its (unsigned) notifier."""

    detail: LetterDetail
    report: WrongAcceptIdReport
    notice: Notifier


async def load_report(store: Store, claim: Claim, letter_id: int) -> Report:
    """The report the work item sends; a letter or report that cannot carry one is a dead letter."""
    report = await asyncio.to_thread(store.wrong_accept_id_report, claim.work_id)
    detail = await asyncio.to_thread(store.show, letter_id)
    try:
        notice = invalid_accept_id_notice(detail, report.reason, accept_id=report.accept_id)
    except InputError as exc:
        raise PermanentFailure(str(exc)) from exc
    return Report(detail=detail, report=report, notice=notice)


async def send_by_ecms(
    store: Store,
    claim: Claim,
    letter_id: int,
    *,
    signer: OutboundSigner,
    node_of: Callable[[str], EcmsNode],
    route_of: Callable[[str], Route],
    message_id: Callable[[str], str],
) -> Done:
    """Send the InvalidAcceptIDNotifier through our organisation's node to the receiver's node (the
    request archived before its first try, sent again as archived by a retry)."""
    found = await load_report(store, claim, letter_id)
    letter = found.detail.letter
    node = node_of(letter.sender_org)

    def build() -> SentDraft:
        route = route_of(letter.receiver_org)
        notice = _signed(found.notice, signer, org_id=letter.sender_org, partner_id=letter.receiver_org)
        mid = message_id(letter.sender_org)
        request = to_wire(OutboundRequest(item=notice), to=route.node_url, message_id=mid)
        return sending.draft(claim, message_id=mid, raw=request)

    message = await asyncio.to_thread(sending.message_of, store, claim, build)
    reply = await node.send_encoded(message.raw)
    note = (
        f"{found.notice.kind.value} about receive number {found.report.accept_id} sent to "
        f"{letter.receiver_org}: ProcessID {reply.process_id}"
    )
    return sending.done(note, message, answer=f"ProcessID {reply.process_id}")


async def send_by_mail(
    store: Store,
    claim: Claim,
    letter_id: int,
    *,
    signer: OutboundSigner,
    composer: MailComposer,
    sender: MailSender,
    org_id: str,
    now: Callable[[], datetime],
) -> Done:
    """Mail the InvalidAcceptIDNotifier to the receiver of a letter we mailed, as a reply to that mail
    (the mail archived before its first try, sent again as archived by a retry)."""
    found = await load_report(store, claim, letter_id)
    letter = found.detail.letter

    def build() -> SentDraft:
        in_reply_to = store.mailed_message_id(letter_id)
        try:
            xml = notifier_document_xml(
                found.notice,
                sign=lambda e: signer.sign_notifier(e, org_id=org_id, partner_id=letter.receiver_org),
            )
            mail = composer.notifier(
                found.notice, xml, to_org=letter.receiver_org, in_reply_to=in_reply_to, now=now()
            )
        except ConfigError as exc:  # no key, no address in the directory: fix it, then retry
            raise PermanentFailure(f"cannot mail the {found.notice.kind.value} notifier: {exc}") from exc
        return sending.mail_draft(claim, mail)

    message = await asyncio.to_thread(sending.message_of, store, claim, build)
    mail = sending.archived_mail(message)
    sent = await sender.send(mail)  # TransientMailError: retried by the channel's policy
    log.info(
        "mailed %s about letter %d (%s) to %s: Message-ID %s",
        found.notice.kind.value,
        letter_id,
        letter.book_no,
        ", ".join(mail.recipients),
        sent.message_id,
    )
    note = f"{found.notice.kind.value} mailed Message-ID {sent.message_id}; server: {sent.reply}"
    return sending.done(note, message, answer=f"SMTP {sent.reply}")


def _signed(notice: Notifier, signer: OutboundSigner, *, org_id: str, partner_id: str) -> Notifier:
    """``notice`` signed by ``org_id`` when ``partner_id``'s policy asks; a key problem is permanent."""
    try:
        return signed(notice, signer, org_id=org_id, partner_id=partner_id)
    except ConfigError as exc:
        raise PermanentFailure(
            f"cannot sign the {notice.kind.value}: {exc.fact}",
            cli_hint="fix the key, then `ecms-gateway retry`",
        ) from exc

"""The sender's side when a receiver gave a wrong receive number: the NOTIFY_INVALID_ACCEPT_ID work
item (queued by ``Store.report_wrong_accept_id``) becomes an InvalidAcceptIDNotifier, built from the
reason recorded with the report, signed when the receiver's policy asks for signed notifiers, and
sent by the channel the letter went by; the engine's retry policy retries it like any notifier.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from ecms_gateway.codec import Notifier
from ecms_gateway.engine import Claim, Store, WrongAcceptIdReport
from ecms_gateway.engine.values import LetterDetail
from ecms_gateway.errors import ConfigError, InputError, PermanentFailure
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime.notices import invalid_accept_id_notice, signed
from ecms_gateway.runtime.routing import Route
from ecms_gateway.signing import OutboundSigner


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
) -> str:
    """Send the InvalidAcceptIDNotifier through our organisation's node to the receiver's node."""
    found = await load_report(store, claim, letter_id)
    letter = found.detail.letter
    node = node_of(letter.sender_org)
    route = route_of(letter.receiver_org)
    notice = await sign(found.notice, signer, org_id=letter.sender_org, partner_id=letter.receiver_org)
    reply = await node.send(notice, to=route.node_url, message_id=message_id(letter.sender_org))
    return (
        f"{notice.kind.value} about receive number {found.report.accept_id} sent to "
        f"{letter.receiver_org}: ProcessID {reply.process_id}"
    )


async def sign(notice: Notifier, signer: OutboundSigner, *, org_id: str, partner_id: str) -> Notifier:
    """``notice`` signed by ``org_id`` when ``partner_id``'s policy asks; a key problem is permanent."""
    try:
        return await asyncio.to_thread(signed, notice, signer, org_id=org_id, partner_id=partner_id)
    except ConfigError as exc:
        raise PermanentFailure(
            f"cannot sign the {notice.kind.value}: {exc}; fix the key, then `ecms-gateway retry`"
        ) from exc

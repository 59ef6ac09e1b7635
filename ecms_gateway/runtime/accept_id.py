"""The sender's side when a receiver gave a wrong receive number: tell it with an
InvalidAcceptIDNotifier (signed when the partner's policy asks for signed notifiers).

The engine has no work kind for this notifier yet, so it is sent now, through the organisation's
node, with a few quick retries for transient failures; the ProcessID proves it was taken.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from ecms_gateway.engine import Direction, Store
from ecms_gateway.errors import InputError, PermanentFailure, TransientFailure
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime.notices import invalid_accept_id_notice, signed
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.settings import ECMS
from ecms_gateway.signing import OutboundSigner

log = logging.getLogger(__name__)


async def report_wrong_accept_id(
    store: Store,
    letter_id: int,
    *,
    reason: str,
    nodes: Mapping[str, EcmsNode],
    signer: OutboundSigner,
    routing: RoutingTable,
    tries: int = 3,
    pause_s: float = 1.0,
) -> str:
    """Send an InvalidAcceptIDNotifier about our letter ``letter_id``; returns the node's ProcessID."""
    detail = await asyncio.to_thread(store.show, letter_id)
    letter = detail.letter
    if letter.direction is not Direction.OUT:
        raise InputError(
            f"letter {letter_id} is one we received; only its sender reports a wrong receive number"
        )
    if not " ".join(reason.split()):
        raise InputError("say why the receive number is wrong (--reason TEXT): the receiver is told")
    node = nodes.get(letter.sender_org)
    if node is None:
        raise PermanentFailure(f"organisation {letter.sender_org} is not served by this gateway")
    route = routing.route(letter.receiver_org)
    if route.channel != ECMS:
        raise PermanentFailure(f"cannot reach {letter.receiver_org} by e-CMS: {route.why}")
    notice = invalid_accept_id_notice(detail, " ".join(reason.split()))
    notice = await asyncio.to_thread(
        signed, notice, signer, org_id=letter.sender_org, partner_id=letter.receiver_org
    )
    for attempt in range(1, tries + 1):
        try:
            reply = await node.send(notice, to=route.node_url)
        except TransientFailure as exc:
            if attempt == tries:
                raise
            log.warning("InvalidAcceptIDNotifier not sent yet (try %d): %s", attempt, exc)
            await asyncio.sleep(pause_s * attempt)
            continue
        log.info("sent InvalidAcceptIDNotifier about letter %d: ProcessID %s", letter_id, reply.process_id)
        return reply.process_id
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

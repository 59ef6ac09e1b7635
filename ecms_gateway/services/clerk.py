"""What a registry clerk does with letters, one function per action, shared by the CLI, the API and
the web pages: submit a letter for sending, register / reject / mark invalid a received one,
withdraw a rejected one and send it again, report a wrong receive number on one we sent.

Each action is committed in the store before it returns; the messages it causes (the letter itself,
Accept/Reject/InvalidLetterNotifier, the withdrawal at the node) are queued as work for the running
gateway's workers, which deliver them with retries.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from ecms_gateway.engine import Direction, Event, LetterState, Store, WorkKind, WrongAcceptIdReport
from ecms_gateway.engine.events import Origin
from ecms_gateway.engine.states import allowed_events
from ecms_gateway.errors import GatewayError, InputError, LetterTooLarge, StoreError
from ecms_gateway.fault_codes import fault_params
from ecms_gateway.letter.model import DEPARTMENT_SUFFIX, LetterPackage
from ecms_gateway.letter.policy import SecrecyPolicy, check_may_leave
from ecms_gateway.runtime.routing import Route, RoutingTable
from ecms_gateway.runtime.settings import ECMS, MAIL, MB, MessageLimits


class DirectoryNotReady(GatewayError):
    """The routing table is not loaded yet, so a letter cannot be routed; try again shortly."""


@dataclass(frozen=True, kw_only=True)
class Submitted:
    """A letter accepted into the outbox: its id and the route it will take."""

    letter_id: int
    route: Route


def submit(
    store: Store,
    package: LetterPackage,
    *,
    routing: RoutingTable,
    secrecy: SecrecyPolicy,
    actor: str,
    resend_of: int | None = None,
    origin: Origin | None = None,
    served: Collection[str] | None = None,
    limits: MessageLimits | None = None,
) -> Submitted:
    """Check the letter may leave, route it, and accept it into the outbox (committed on return).

    Raises ``PolicyRefused`` (secrecy, kind) or ``InputError`` (receiver unknown, or the sender's
    own organisation; a sender not in ``served``; files too large for the channel's ``limits``) with
    the reason.
    A letter for a receiver without an e-CMS node is accepted on channel mail, where it waits.
    With an ``origin`` a repeated call returns the letter accepted the first time.
    """
    letter = package.letter
    check_may_leave(letter, secrecy)
    if letter.receiver.org_id == letter.sender.org_id:
        raise InputError(
            f"receiver.org_id {letter.receiver.org_id} is the sender's own organisation; a letter within "
            "it does not go through the gateway: choose another organisation as the receiver",
            fault_code="routing.to_self",
            fault_params=fault_params("routing.to_self", org_id=letter.receiver.org_id),
        )
    if served is not None and letter.sender.org_id not in served:
        raise InputError(
            f"sender.org_id {letter.sender.org_id} is not an organisation this gateway sends for "
            f"({', '.join(sorted(served))}): correct the sender, or add it to the configuration's "
            "[[organizations]] with its signing key",
            fault_code="routing.sender_not_served",
            fault_params=fault_params(
                "routing.sender_not_served", org_id=letter.sender.org_id, served=", ".join(sorted(served))
            ),
        )
    route = routing.route(letter.receiver.org_id)
    if route.channel == ECMS:
        _check_departments(package)
    if limits is not None:
        _check_size(package, route.channel, limits)
    letter_id = store.accept_outbound(
        package, actor=actor, channel=route.channel, resend_of=resend_of, origin=origin
    )
    return Submitted(letter_id=letter_id, route=route)


def _check_size(package: LetterPackage, channel: str, limits: MessageLimits) -> None:
    """The files must fit the message the channel carries, or the letter is accepted and then fails
    for good when the node (or the receiving mail system) refuses the message."""
    size, room = sum(len(f.content) for f in package.files), limits.files_room(channel)
    if size > room:
        setting = "mail.max_message_bytes" if channel == MAIL else "xml.max_bytes"
        raise LetterTooLarge(
            f"the letter's files are {_mb(size)} together; by {channel} a letter's files may be {_mb(room)} "
            f"(within {setting}): send the large files another way, or split them over letters",
            fault_code="letter.too_large",
            fault_params=fault_params("letter.too_large", size=_mb(size), limit=_mb(room), channel=channel),
        )


def _mb(size: int) -> str:
    return f"{size / MB:.1f} MB"


def _check_departments(package: LetterPackage) -> None:
    """e-CMS carries a party as its ministry and department codes only, so an organisation it carries
    is a department: its 5-digit code followed by 00000. Refused here, before the letter is accepted,
    rather than by the codec when it is sent."""
    for party_name, party in (("sender", package.letter.sender), ("receiver", package.letter.receiver)):
        if not party.org_id.endswith(DEPARTMENT_SUFFIX):
            department = party.department_id + DEPARTMENT_SUFFIX
            raise InputError(
                f"{party_name}.org_id {party.org_id} cannot travel over e-CMS, which addresses departments "
                f"only (a 5-digit department code followed by 00000): use {department} or correct the "
                "organisation directory",
                fault_code="routing.not_department",
                fault_params=fault_params(
                    "routing.not_department", party=party_name, org_id=party.org_id, department=department
                ),
            )


# A clerk's actions on a letter, named as the commands and the API's routes name them.
_EVENT_ACTIONS: Final = {
    Event.REGISTER: "register",
    Event.REJECT: "reject",
    Event.MARK_INVALID: "invalid",
    Event.WITHDRAW: "withdraw",
}


def clerk_actions(direction: Direction, state: LetterState, *, accept_id: str | None = None) -> list[str]:
    """What a clerk can do with a letter in ``state`` now (``register``, ``reject``, ``invalid``,
    ``withdraw``, ``resend``, ``invalid-accept-id``): one rule for the commands, the API and the pages."""
    actions = [_EVENT_ACTIONS[e] for e in allowed_events(direction, state) if e in _EVENT_ACTIONS]
    if direction is Direction.OUT and state is LetterState.WITHDRAWN:
        actions.append("resend")
    if direction is Direction.OUT and accept_id:  # the receiver gave a receive number: it may be wrong
        actions.append("invalid-accept-id")
    return actions


def register(store: Store, letter_id: int, *, actor: str) -> int:
    """Register a received letter; returns its receive number. The AcceptLetterNotifier carrying that
    number is queued in the same transaction. Registering again returns the same number."""
    return store.register_inbound(letter_id, actor=actor)


def reject(store: Store, letter_id: int, *, reason: str, actor: str) -> None:
    """Refuse a received letter; a RejectLetterNotifier with ``reason`` is queued to its sender."""
    store.apply_event(letter_id, Event.REJECT, actor=actor, reason=_reason(reason, "reject"))


def mark_invalid(store: Store, letter_id: int, *, reason: str, actor: str) -> None:
    """Mark a received letter as wrong or misaddressed; an InvalidLetterNotifier with ``reason`` is
    queued to its sender."""
    store.apply_event(letter_id, Event.MARK_INVALID, actor=actor, reason=_reason(reason, "invalid"))


def withdraw(store: Store, letter_id: int, *, actor: str, reason: str | None = None) -> None:
    """Withdraw our rejected (or invalid) letter; the withdrawal at the node is queued."""
    store.withdraw(letter_id, actor=actor, reason=reason or None)


def report_wrong_accept_id(store: Store, letter_id: int, *, reason: str, actor: str) -> WrongAcceptIdReport:
    """Tell the receiver of our letter that the receive number (AcceptID) it gave is wrong: the report
    is recorded with ``reason`` and an InvalidAcceptIDNotifier carrying it is queued (one commit)."""
    return store.report_wrong_accept_id(letter_id, reason=_reason(reason, "invalid-accept-id"), actor=actor)


def resend(
    store: Store,
    letter_id: int,
    *,
    routing: RoutingTable,
    secrecy: SecrecyPolicy,
    actor: str,
    corrected: LetterPackage | None = None,
    origin: Origin | None = None,
    served: Collection[str] | None = None,
    limits: MessageLimits | None = None,
) -> Submitted:
    """Send a withdrawn letter again (or its ``corrected`` version) as a new letter; with an ``origin``
    the new letter records it, as ``submit`` does.

    Only once the node has confirmed the withdrawal: otherwise the late withdrawal could take the new
    letter out of the receiver's queue (the node withdraws the newest letter with that key).
    """
    detail = store.show(letter_id)
    if detail.letter.state is not LetterState.WITHDRAWN:
        refused = detail.letter.state in (LetterState.REJECTED, LetterState.INVALID)
        why = "" if refused else " (only after its receiver refused it and it was withdrawn)"
        raise StoreError(
            f"letter {letter_id} is {detail.letter.state.value}; only a withdrawn letter can be sent "
            f"again{why}",
            fault_code="store.resend_not_withdrawn",
            fault_params=fault_params(
                "store.resend_not_withdrawn", letter_id=letter_id, state=detail.letter.state.value
            ),
            cli_hint=f"withdraw it first: `ecms-gateway withdraw {letter_id}`" if refused else None,
        )
    if detail.letter.channel != "mail" and not any(
        a.kind is WorkKind.WITHDRAW and a.outcome == "done" for a in detail.attempts
    ):
        raise StoreError(
            f"the node has not confirmed the withdrawal of letter {letter_id} yet; the running gateway is "
            "sending it",
            fault_code="store.resend_unconfirmed",
            fault_params=fault_params("store.resend_unconfirmed", letter_id=letter_id),
            cli_hint=f"see `ecms-gateway show {letter_id}`, and resend once it is done",
        )
    package = corrected if corrected is not None else store.load_package(letter_id)
    return submit(
        store,
        package,
        routing=routing,
        secrecy=secrecy,
        actor=actor,
        resend_of=letter_id,
        origin=origin,
        served=served,
        limits=limits,
    )


def _reason(reason: str, action: str) -> str:
    text = " ".join(reason.split())
    if not text:
        told = "receiver" if action == "invalid-accept-id" else "sender"
        raise InputError(f"say why ({action} --reason TEXT): the {told} is told the reason")
    return text

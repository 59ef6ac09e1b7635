"""The notifiers a letter's receiver sends back (and the sender's InvalidAcceptIDNotifier), built from
the letter as the store keeps it, then signed when the partner's policy asks for signed notifiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ecms_gateway.codec import Notifier, NotifierKind, decode, encode
from ecms_gateway.engine import Event, WorkKind
from ecms_gateway.engine.values import LetterDetail, LetterFacts
from ecms_gateway.errors import InputError
from ecms_gateway.letter.thai import THAI_TIME
from ecms_gateway.signing import OutboundSigner

NOTIFIER_OF_WORK: Final[Mapping[WorkKind, NotifierKind]] = {
    WorkKind.NOTIFY_RECEIVE: NotifierKind.RECEIVE,
    WorkKind.NOTIFY_ACCEPT: NotifierKind.ACCEPT,
    WorkKind.NOTIFY_REJECT: NotifierKind.REJECT,
    WorkKind.NOTIFY_INVALID: NotifierKind.INVALID,
}

_REASON_OF: Final[Mapping[NotifierKind, Event]] = {
    NotifierKind.REJECT: Event.REJECT,
    NotifierKind.INVALID: Event.MARK_INVALID,
}


def receiver_notice(
    kind: NotifierKind, detail: LetterDetail | LetterFacts, *, receiving_org: str
) -> Notifier:
    """The notifier about inbound letter ``detail`` that ``receiving_org`` (we) sends to its sender."""
    letter = detail.letter
    accept_id = accept_date = None
    if kind is NotifierKind.ACCEPT:
        if letter.registry_no is None:
            raise InputError(f"letter {letter.id} has no receive number yet; register it first")
        accept_id = str(letter.registry_no)
        accept_date = _date_of(detail, f"letter.{Event.REGISTER.value}")
    elif kind is NotifierKind.RECEIVE:
        accept_date = _date_of(detail, "letter.received")
    event = _REASON_OF.get(kind)
    reason = _reason_of(detail, event) if event is not None else None
    return Notifier(
        kind=kind,
        letter_id=letter.book_no,
        correspondence_date=letter.letter_date,
        subject=letter.subject,
        accept_id=accept_id,
        accept_date=accept_date,
        accept_department=receiving_org[:5],
        description=reason,
    )


def invalid_accept_id_notice(detail: LetterDetail, reason: str, *, accept_id: str | None = None) -> Notifier:
    """Our InvalidAcceptIDNotifier about outbound letter ``detail``: its receive number (``accept_id``,
    by default the one the letter holds) is wrong, for ``reason``."""
    letter = detail.letter
    number = accept_id or letter.accept_id
    if not number:
        raise InputError(
            f"letter {letter.id} has no receive number (AcceptID) from its receiver, so none can be wrong; "
            f"it is {letter.state.value}"
        )
    if not " ".join(reason.split()):
        raise InputError(f"the report about letter {letter.id}'s receive number gives no reason")
    return Notifier(
        kind=NotifierKind.INVALID_ACCEPT_ID,
        letter_id=letter.book_no,
        correspondence_date=letter.letter_date,
        subject=letter.subject,
        accept_id=number,
        accept_department=letter.receiver_org[:5],
        description=reason,
    )


def signed(notifier: Notifier, signer: OutboundSigner, *, org_id: str, partner_id: str) -> Notifier:
    """``notifier`` with an enveloped signature by ``org_id`` when ``partner_id``'s policy asks for one."""
    element = signer.sign_notifier(encode(notifier), org_id=org_id, partner_id=partner_id)
    result = decode(element)
    assert isinstance(result, Notifier)  # noqa: S101 - decoded from a notifier we built
    return result


def _date_of(detail: LetterDetail | LetterFacts, action: str) -> str | None:
    entry = next((h for h in reversed(detail.history) if h.action == action), None)
    return None if entry is None else entry.at.astimezone(THAI_TIME).date().isoformat()


def _reason_of(detail: LetterDetail | LetterFacts, event: Event) -> str | None:
    action = f"letter.{event.value}"
    entry = next((h for h in reversed(detail.history) if h.action == action), None)
    return None if entry is None else entry.reason

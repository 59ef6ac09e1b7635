"""Where an item goes, decided from the request, the directory and what the node has carried (pure).

- ``To`` absent or naming this node: deliver here; ``To`` naming another node of the directory: relay.
- A letter goes to its ``ReceiverParty`` department's organisation.
- A notifier names its letter only by LetterID and date (plus ``AcceptDepartment``, the receiving
  department): the node looks the letter up among those it carried and sends the notifier to the
  letter's sender (``InvalidAcceptIDNotifier``: to its receiver). See docs/ecms-channel.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ecms_gateway.codec import Notifier, NotifierKind
from ecms_gateway.node.codes import NOTIFIER_UNROUTABLE, UNKNOWN_NODE, NodeRefusal
from ecms_gateway.node.directory import Directory, department_of, node_key, org_of
from ecms_gateway.node.values import CarriedLetter


def relay_target(to: str | None, *, service_url: str, directory: Directory) -> str | None:
    """The node URL to forward to, or None to deliver here; refuses a ``To`` no directory entry names."""
    if to is None or node_key(to) == node_key(service_url):
        return None
    target = directory.node_for(to)
    if target is None:
        raise NodeRefusal(
            UNKNOWN_NODE,
            f"WS-Addressing To {to!r} is neither this node ({service_url}) nor the node of any organisation "
            "in the directory; write the ECMS-URL that GetOrganizationList gives for the receiver",
        )
    return target


@dataclass(frozen=True, kw_only=True)
class LetterParties:
    """The departments of the letter a notifier is about ("" when unknown)."""

    sender_dept: str
    receiver_dept: str


def notifier_letter(
    notifier: Notifier, carried: Sequence[CarriedLetter], *, served: frozenset[str]
) -> LetterParties:
    """The letter ``notifier`` is about: the newest carried letter with its book number and date whose
    receiver is the notifier's ``AcceptDepartment`` (when given) and whose addressee-side organisation is
    served here; else what the notifier itself says."""
    accept = department_of(notifier.accept_department) if notifier.accept_department else None
    candidates = [c for c in carried if accept is None or c.receiver_dept == accept]
    here = [c for c in candidates if org_of(_destination_dept(notifier.kind, c)) in served]
    for letter in reversed(here or candidates):
        return LetterParties(sender_dept=letter.sender_dept, receiver_dept=letter.receiver_dept)
    return LetterParties(sender_dept="", receiver_dept=accept or "")


def notifier_destination(notifier: Notifier, letter: LetterParties, *, served: Sequence[str]) -> str:
    """The organisation (10 digits) served here that receives ``notifier``.

    In order: the letter's sender (receiver for ``InvalidAcceptIDNotifier``) when known and served
    here; then, for ``InvalidAcceptIDNotifier``, its ``AcceptDepartment``; then the only organisation
    this node serves. Otherwise ``NodeRefusal`` (ECMS-205).
    """
    wanted = _destination_dept(notifier.kind, letter)
    if wanted and org_of(wanted) in served:
        return org_of(wanted)
    if len(served) == 1:
        return served[0]
    party = "receiver" if notifier.kind is NotifierKind.INVALID_ACCEPT_ID else "sender"
    if wanted:  # known, and not here: "carried no such letter" would be untrue
        why = f"the letter's {party} {org_of(wanted)} is not served by this node"
    else:
        why = (
            "this node carried no such letter and serves several organisations, so it cannot tell whose "
            "notifier this is"
        )
    raise NodeRefusal(
        NOTIFIER_UNROUTABLE,
        f"{notifier.kind.value} about {notifier.letter_id} of {notifier.correspondence_date.isoformat()}: "
        f"{why}; send it with WS-Addressing To naming the node of the letter's {party} (its ECMS-URL in "
        "GetOrganizationList)",
    )


def notifier_sender(notifier: Notifier, letter: LetterParties) -> str:
    """The department that sends ``notifier``: the letter's receiver, or its sender for
    ``InvalidAcceptIDNotifier`` ("" when unknown)."""
    if notifier.kind is NotifierKind.INVALID_ACCEPT_ID:
        return letter.sender_dept
    return letter.receiver_dept


def _destination_dept(kind: NotifierKind, letter: CarriedLetter | LetterParties) -> str:
    return letter.receiver_dept if kind is NotifierKind.INVALID_ACCEPT_ID else letter.sender_dept

"""What an operator does about dead work, in the command line's words, under ``queue`` and ``show``.

The reason stored with a try says what happened only (every face reads it: the REST API, the web
pages, this); what to do next is each face's own: here, the commands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from ecms_gateway.engine import LetterState, WorkKind, WorkState
from ecms_gateway.engine.values import AttemptView, QueueRow, RefusedView

DEAD = "dead"  # an attempt's outcome when the retry policy gave up
# The receiver's notifiers, as the events they bring: one refused on a failed letter of ours means the
# letter reached the receiver although the gateway gave up on it (a try that timed out had arrived).
_RECEIVERS_WORD: Final = {
    "receive_notified": "ReceiveLetterNotifier",
    "accept_notified": "AcceptLetterNotifier",
    "reject_notified": "RejectLetterNotifier",
    "invalid_notified": "InvalidLetterNotifier",
}


def dead_rows_advice(rows: Sequence[QueueRow]) -> list[str]:
    """Under ``queue``: how to send the dead items listed again, once their cause is fixed."""
    return _advice(sorted(r.work_id for r in rows if r.state is WorkState.DEAD), "LAST ERROR")


def dead_attempts_advice(attempts: Sequence[AttemptView]) -> list[str]:
    """Under ``show``'s attempts: the same for the letter's work items whose last try was the dead one."""
    last = {a.work_id: a for a in attempts}  # in the order they were tried: the last one stays
    return _advice(sorted(w for w, a in last.items() if a.outcome == DEAD), "ERROR")


def _advice(dead: list[int], column: str) -> list[str]:
    if not dead:
        return []
    ids = " ".join(str(w) for w in dead)
    which = "work item" if len(dead) == 1 else "work items"
    return [
        f"{which} {ids}: the gateway gave up; once the cause {column} names is fixed (the configuration, "
        f"a key, the directory, the receiver's address), `ecms-gateway retry {ids}` sends "
        f"{'it' if len(dead) == 1 else 'them'} again (`ecms-gateway retry --dead` every dead item)"
    ]


def dead_rows_arrived(rows: Sequence[QueueRow], refused: Sequence[RefusedView]) -> list[str]:
    """Under ``queue``: the dead sends whose letter the receiver has said it got."""
    dead = {
        r.letter_id: r.work_id
        for r in rows
        if r.state is WorkState.DEAD and r.kind is WorkKind.SEND and r.letter_id is not None
    }
    return _arrived(dead, refused)


def dead_attempts_arrived(
    letter_id: int, attempts: Sequence[AttemptView], refused: Sequence[RefusedView]
) -> list[str]:
    """Under ``show``: the same for the letter shown, when its send is dead."""
    last = {a.work_id: a for a in attempts}
    dead = [w for w, a in last.items() if a.outcome == DEAD and a.kind is WorkKind.SEND]
    return _arrived({letter_id: dead[-1]} if dead else {}, refused)


def _arrived(dead: dict[int, int], refused: Iterable[RefusedView]) -> list[str]:
    said: dict[int, RefusedView] = {}
    for r in refused:
        on_dead = r.letter_id is not None and r.letter_id in dead and r.state == LetterState.FAILED.value
        if on_dead and r.letter_id is not None and r.event in _RECEIVERS_WORD:
            said.setdefault(r.letter_id, r)
    return [
        f"letter {letter_id}: its receiver sent a {_RECEIVERS_WORD[r.event]} for it at "
        f"{r.at:%Y-%m-%d %H:%M:%S}Z, after the gateway gave up (refused, see `ecms-gateway problems`): "
        f"the letter reached the receiver although no try was confirmed. `ecms-gateway retry "
        f"{dead[letter_id]}` sends it again under a new MessageID (a gateway like this one records a "
        "letter it already has once) and puts the letter back on its way; the receiver's next notifier "
        "then applies"
        for letter_id, r in sorted(said.items())
    ]

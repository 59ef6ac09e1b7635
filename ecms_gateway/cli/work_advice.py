"""What an operator does about dead work, in the command line's words, under ``queue`` and ``show``.

The reason stored with a try says what happened only (every face reads it: the REST API, the web
pages, this); what to do next is each face's own: here, the commands.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecms_gateway.engine import WorkState
from ecms_gateway.engine.values import AttemptView, QueueRow

DEAD = "dead"  # an attempt's outcome when the retry policy gave up


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

"""The letter events webhooks and the inbox export follow: every state change people care about, in
audit order, without a worker's own steps (taking a letter to send it, giving it back)."""

from __future__ import annotations

from store_support import FakeClock, make_package

from ecms_gateway.engine import Store, WorkKind
from ecms_gateway.errors import TransientFailure


def test_a_retried_send_shows_as_submitted_then_sent_only(store: Store, clock: FakeClock) -> None:
    start = store.last_event_seq()
    letter_id = store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    first = store.claim("ecms", "w", kinds=(WorkKind.SEND,))
    assert first is not None
    store.fail(first.work_id, worker="w", error=TransientFailure("node busy"))
    clock.advance(hours=1)
    again = store.claim("ecms", "w", kinds=(WorkKind.SEND,))
    assert again is not None
    store.release(again.work_id, worker="w")
    last = store.claim("ecms", "w", kinds=(WorkKind.SEND,))
    assert last is not None
    store.complete(last.work_id, worker="w")

    events = store.letter_events(after_seq=start, limit=100)
    assert [(e.letter_id, e.action, e.state.value) for e in events] == [
        (letter_id, "letter.accepted", "queued"),
        (letter_id, "letter.sent", "sent"),
    ]
    assert events[1].previous_state is not None
    # The audit chain has sending -> sent, but taking a letter to send it was no event: the state a
    # reader last heard of is queued.
    assert events[1].previous_state.value == "queued"

"""A letter we refused that arrives again as a new inbox item (its sender withdrew it and sent it
unchanged) goes back before our clerk, once per item: reprocessing the same item after the clerk
refused it again changes nothing, and a copy of a letter we did not refuse is the same letter twice."""

from __future__ import annotations

import json

from store_support import make_package

from ecms_gateway.engine import Event, LetterState, SignatureMark, Store
from ecms_gateway.engine.evidence import letter_records


def _arrives(store: Store, process_id: str, number: int = 1) -> tuple[int, bool]:
    inbox = store.accept_inbound(
        f"raw {process_id}".encode(), channel="ecms", process_id=process_id, actor="poller"
    )
    accepted = store.record_inbound_letter(
        inbox.id, make_package(number), actor="worker", signature=SignatureMark.VERIFIED
    )
    return accepted.id, accepted.created


def test_a_refused_letter_comes_back_once_per_new_item(store: Store) -> None:
    letter_id, created = _arrives(store, "P1")
    assert created
    assert _arrives(store, "P2") == (letter_id, False)  # not refused: the same letter delivered twice
    store.apply_event(letter_id, Event.REJECT, actor="clerk", reason="ผิดเรื่อง")
    assert _arrives(store, "P3") == (letter_id, True)  # sent again after the refusal
    assert store.letter_state(letter_id) is LetterState.RECEIVED
    store.apply_event(letter_id, Event.MARK_INVALID, actor="clerk", reason="ส่งผิดหน่วยงาน")
    assert _arrives(store, "P3") == (letter_id, False)  # the same item processed again: no change
    assert store.letter_state(letter_id) is LetterState.INVALID
    assert _arrives(store, "P4") == (letter_id, True)
    actions = [e.action for e in store.show(letter_id).history if e.action == "letter.sent_again"]
    assert len(actions) == 2


def test_a_letter_delivered_twice_names_the_second_item_on_the_letter_once(store: Store) -> None:
    """Its sender sent it again (its first try's answer timed out): recorded once, but the item that
    brought it again is named on the letter, so the evidence lists its ProcessID as the sender's does."""
    letter_id, _ = _arrives(store, "P1")
    assert _arrives(store, "P2") == (letter_id, False)
    assert _arrives(store, "P2") == (letter_id, False)  # the same item processed again: named once
    again = [e for e in store.show(letter_id).history if e.action == "letter.received_again"]
    assert len(again) == 1
    second = store.accept_inbound(b"raw P2", channel="ecms", process_id="P2", actor="poller").id
    assert json.loads(again[0].detail or "{}") == {"inbox_id": second}
    assert store.letter_state(letter_id) is LetterState.RECEIVED
    assert [e.action for e in store.letter_events(after_seq=0)] == ["letter.received"]  # no webhook event
    items = letter_records(store.db, letter_id).items
    assert [(i.process_id, i.role) for i in items] == [("P1", "letter"), ("P2", "received_again")]

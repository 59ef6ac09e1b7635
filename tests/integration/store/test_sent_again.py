"""A letter we refused that arrives again as a new inbox item (its sender withdrew it and sent it
unchanged) goes back before our clerk, once per item: reprocessing the same item after the clerk
refused it again changes nothing, and a copy of a letter we did not refuse is the same letter twice."""

from __future__ import annotations

from store_support import make_package

from ecms_gateway.engine import Event, LetterState, SignatureMark, Store


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

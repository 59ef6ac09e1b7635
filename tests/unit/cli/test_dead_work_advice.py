"""What ``queue`` and ``show`` tell an operator about a dead send whose letter the receiver says it has:
a try the gateway counted as failed (a timeout) had reached the node, and the receiver's notifier came
after the gateway gave up, refused on the failed letter."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.engine import NotifierIn, NotifierKind, NotifierOutcome
from ecms_gateway.errors import PermanentFailure
from ecms_gateway.services import clerk
from tests.unit.cli.support import run
from tests.unit.runtime.support import A, agencies, letter, routing


def _given_up(tmp_path: Path, *, notified: bool) -> tuple[Path, int, int]:
    """Agency A's letter whose send failed for good; with ``notified``, B's ReceiveLetterNotifier after."""
    store = agencies(tmp_path)[A].store
    package = letter(1)
    letter_id = clerk.submit(
        store, package, routing=routing(), secrecy=clerk.SecrecyPolicy(), actor="clerk:a"
    ).letter_id
    claim = store.claim("ecms", "w1")
    assert claim is not None
    store.fail(claim.work_id, worker="w1", error=PermanentFailure("e-CMS node: refused"))
    if notified:
        notifier = NotifierIn(
            kind=NotifierKind.RECEIVE,
            sender_dept=package.letter.sender.department_id,
            book_no=package.letter.book_no,
            letter_date=package.letter.date,
        )
        assert store.match_notifier(notifier, actor="poller:2099000000").outcome is NotifierOutcome.REFUSED
    store.close()
    return tmp_path / A / "data", letter_id, claim.work_id


def test_queue_and_show_say_the_receiver_has_a_letter_the_gateway_gave_up_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, letter_id, work_id = _given_up(tmp_path, notified=True)
    said = f"letter {letter_id}: its receiver sent a ReceiveLetterNotifier for it at "
    code, out, _ = run(capsys, "queue", "--data-dir", str(data))
    assert code == 0
    assert said in out
    assert "the letter reached the receiver although no try was confirmed" in out
    assert f"`ecms-gateway retry {work_id}` sends it again under a new MessageID" in out
    code, out, _ = run(capsys, "show", str(letter_id), "--data-dir", str(data))
    assert code == 0
    assert said in out


def test_a_dead_send_the_receiver_never_answered_gets_no_such_word(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, letter_id, _ = _given_up(tmp_path, notified=False)
    for argv in (["queue"], ["show", str(letter_id)]):
        code, out, _ = run(capsys, *argv, "--data-dir", str(data))
        assert code == 0
        assert "the gateway gave up" in out
        assert "reached the receiver" not in out

"""Every log line about a letter carries its ``letter_id``, so that an operator finds one letter's whole
life with ``jq 'select(.letter_id == N)'`` (docs/operations.md, "Logs"): the receiver's lines from the
moment the letter is recorded, and the sender's lines about the notifiers that come back, whether the
poller applies them at once or an inbound worker does."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ecms_gateway.engine import Claim, Direction, LetterState, Store, WorkKind, WorkState
from ecms_gateway.errors import TransientFailure
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.logs import current_context
from ecms_gateway.runtime.pulse import Pulse
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.runtime.worker import WorkLoop
from ecms_gateway.services import clerk

from .support import ORGS, A, B, agencies, gateway, letter, routing, running, until

BOOK_NO = "ศธ 0990/1"


class _Lines(logging.Handler):
    """Each runtime line as (message, the letter_id the formatters would write)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[tuple[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.getMessage(), current_context().get("letter_id")))


@pytest.fixture
def lines() -> Iterator[_Lines]:
    handler, runtime = _Lines(), logging.getLogger("ecms_gateway.runtime")
    level = runtime.level
    runtime.addHandler(handler)
    runtime.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        runtime.removeHandler(handler)
        runtime.setLevel(level)


@pytest.mark.parametrize("sign_notifiers", [True, False], ids=["signed notifiers", "unsigned notifiers"])
def test_each_line_naming_a_letter_carries_its_letter_id(
    tmp_path: Path, lines: _Lines, sign_notifiers: bool
) -> None:
    orgs = agencies(tmp_path, sign_notifiers=sign_notifiers)
    a, b = orgs[A], orgs[B]
    node = MemoryNode(ORGS)
    sent = clerk.submit(a.store, letter(1), routing=routing(), secrecy=SecrecyPolicy(), actor="clerk:test")

    def state() -> LetterState | None:
        found = a.store.find_letter(
            direction=Direction.OUT, book_no=BOOK_NO, letter_date=letter().letter.date
        )
        return None if found is None else found.state

    async def exchange() -> None:
        await until("delivered at A", lambda: state() is LetterState.DELIVERED or None)
        received = b.store.find_letter(
            direction=Direction.IN, book_no=BOOK_NO, letter_date=letter().letter.date
        )
        assert received is not None
        clerk.register(b.store, received.id, actor="clerk:b")
        await until("accepted at A", lambda: state() is LetterState.ACCEPTED or None)

    asyncio.run(running([gateway(a, node), gateway(b, node)], exchange))
    about_a_letter = [(m, lid) for m, lid in lines.lines if re.search(r"\bletter \d+", m)]
    assert any(m.startswith("received letter") for m, _ in about_a_letter)
    assert sum("Notifier" in m and "applied" in m for m, _ in about_a_letter) >= 2
    for message, letter_id in about_a_letter:
        named = int(re.findall(r"\bletter (\d+)", message)[0])
        assert letter_id == named, f"{message!r} is logged with letter_id {letter_id}"
    assert sent.letter_id == 1


def test_a_failed_item_without_a_letter_is_named_by_its_work_item_alone(
    tmp_path: Path, lines: _Lines
) -> None:
    """A received item no letter was recorded from yet is not "(letter None)" in the operator's log."""
    b = agencies(tmp_path)[B]
    b.store.accept_inbound(b"<not-ecms/>", channel="ecms", process_id="p-junk", actor="test")

    async def dead() -> None:
        await until("dead", lambda: b.store.queue(work_state=WorkState.DEAD))

    asyncio.run(running([gateway(b, MemoryNode(ORGS))], dead))
    said = [message for message, _ in lines.lines if "inbound work " in message]
    assert said, lines.lines
    assert all("letter None" not in message for message in said), said
    assert re.search(r"inbound work \d+ is a dead letter: ", said[-1]), said


def test_a_failure_about_a_letter_on_an_item_without_one_is_logged_with_that_letter(
    tmp_path: Path, lines: _Lines
) -> None:
    """A received notifier about our letter 7, put off because we still have that letter as sending:
    the inbound work item names no letter, the failure does, and the worker's line carries its id."""
    with Store(data_dir=tmp_path) as store:
        store.accept_inbound(b"<notifier/>", channel="ecms", process_id="p-1", actor="test")
        claim = store.claim("ecms", "test/in-1", kinds=(WorkKind.INBOUND,))
        assert claim is not None
        assert claim.letter_id is None

        async def handler(_claim: Claim) -> str:
            raise TransientFailure(
                "ReceiveLetterNotifier about letter 7, which is still sending here", letter_id=7
            )

        work = WorkLoop(
            store=store,
            channel="ecms",
            kinds=(WorkKind.INBOUND,),
            name="test/in-1",
            handler=handler,
            idle_s=0.01,
            lease=timedelta(minutes=5),
            wake=Pulse(),
        )
        asyncio.run(work.do(claim))
    [(message, letter_id)] = [(m, lid) for m, lid in lines.lines if "about letter 7" in m]
    assert "inbound work" in message
    assert letter_id == 7

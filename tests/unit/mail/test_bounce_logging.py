"""A bounce about a letter whose state does not allow failing it (here: failed already by an earlier
bounce) is recorded as a refused event and logged as a warning, not as the error that the letter did
not arrive, which is what the operators' alerts look for."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from ecms_gateway.engine import Direction, LetterState
from ecms_gateway.runtime.testing import MemoryNode
from tests.unit.mail import corpus
from tests.unit.runtime.support import ORGS, A, agencies, running, until
from tests.unit.runtime.test_mail_channel import PostOffice, _inbound, _state, _stored, _submit, mail_gateway


def test_a_bounce_the_letters_state_refuses_is_a_warning_not_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    a = agencies(tmp_path)[A]
    office = PostOffice()
    letter_id = _submit(a)

    async def sent() -> None:
        await until("sent", lambda: _state(a, Direction.OUT) is LetterState.SENT or None)

    asyncio.run(running([mail_gateway(a, MemoryNode(ORGS), office)], sent))
    [mailed] = office.sent
    inbound = _inbound(a, office)
    first = corpus.dsn_bounce(mailed.message_id)
    inbound.process(_stored(a, first), first, "test")
    assert _state(a, Direction.OUT) is LetterState.FAILED
    second = first.replace(b"Message-Id: <2026", b"Message-Id: <again.2026", 1)  # another MTA's notice
    assert second != first
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ecms_gateway.runtime.mail"):
        note, _ = inbound.process(_stored(a, second), second, "test")
    assert "does not allow failing it" in note
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"letter {letter_id}" in w and "User unknown" in w for w in warnings), warnings

"""A bounce about a letter whose state does not allow failing it (here: failed already by an earlier
bounce) is recorded as a refused event and logged as a warning, not as the error that the letter did
not arrive, which is what the operators' alerts look for."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ecms_gateway.engine import Direction, LetterState
from tests.unit.mail import corpus
from tests.unit.runtime.test_mail_channel import _state, _stored, mailed_letter


def test_a_bounce_the_letters_state_refuses_is_a_warning_not_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    given = mailed_letter(tmp_path)
    a, letter_id, mailed, inbound = given.agency, given.letter_id, given.mail, given.inbound
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

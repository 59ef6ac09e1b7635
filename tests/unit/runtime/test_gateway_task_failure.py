"""A gateway task that stops on a fault it can name (a ``GatewayError``: a refused login, a setting to
fix) stops the gateway with that fault as it is, for the command line to print; anything else is
reported as the task that failed."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from ecms_gateway.errors import ConfigError
from ecms_gateway.runtime.gateway import Gateway
from ecms_gateway.runtime.testing import MemoryNode
from tests.unit.runtime.support import ORGS, A, agencies, gateway


def _failing_with(error: BaseException, monkeypatch: pytest.MonkeyPatch, subject: Gateway) -> None:
    original = subject._coroutines

    async def fail() -> None:
        await asyncio.sleep(0.05)
        raise error

    def coroutines() -> list[tuple[str, Coroutine[Any, Any, None]]]:
        return [*original(), ("mail-reader", fail())]

    monkeypatch.setattr(subject, "_coroutines", coroutines)


def test_a_named_fault_stops_the_gateway_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    agency = agencies(tmp_path)[A]
    subject = gateway(agency, MemoryNode(ORGS))
    fault = ConfigError("mail.imap: the server refused the login; check mail.imap.user and its password")
    _failing_with(fault, monkeypatch, subject)
    with pytest.raises(ConfigError) as raised:
        asyncio.run(subject.run())
    assert raised.value is fault


def test_anything_else_names_the_task_that_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    agency = agencies(tmp_path)[A]
    subject = gateway(agency, MemoryNode(ORGS))
    _failing_with(ZeroDivisionError("division by zero"), monkeypatch, subject)
    with pytest.raises(RuntimeError, match="gateway task mail-reader failed") as raised:
        asyncio.run(subject.run())
    assert isinstance(raised.value.__cause__, ZeroDivisionError)

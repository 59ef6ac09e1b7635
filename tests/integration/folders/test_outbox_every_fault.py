"""The outbox's error.txt lists every fault of a letter at once, as the API's 422 does: the rules'
(top secret, a receiver the directory does not know) with the format's, and every rule the letter
breaks, not the first the core refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ecms_adapters.folders import Outbox, Outcome

from ecms_gateway.engine import Store
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.runtime.settings import ENVELOPE_BYTES, MessageLimits, RuntimeSettings, ServedOrg
from ecms_gateway.services.context import Services
from tests.conftest import SAMPLES
from tests.integration.folders.support import drop_sample

pytestmark = pytest.mark.anyio
ROUTING = table_from_file(SAMPLES / "directory.json")
NOT_IN_DIRECTORY = "2012345678"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Store(data_dir=tmp_path / "data") as store:
        settings = RuntimeSettings(orgs=(ServedOrg(org_id="2099000000", node_url="http://127.0.0.1:1/x"),))
        services = Services(store=store, settings=settings, routing=lambda: ROUTING)
        box = Outbox(tmp_path / "outbox", services)
        box.prepare()
        yield box


def _drop(outbox: Outbox, name: str, **changes: Any) -> None:
    folder = drop_sample(outbox.root, "001", name)
    letter = json.loads((folder / "letter.json").read_text(encoding="utf-8"))
    letter.update(changes)
    (folder / "letter.json").write_text(json.dumps(letter, ensure_ascii=False), encoding="utf-8")


def _error_txt(outbox: Outbox, name: str) -> str:
    return (outbox.root / "failed" / name / "error.txt").read_text(encoding="utf-8")


async def test_a_letter_with_format_faults_also_hears_of_the_rules_it_breaks(outbox: Outbox) -> None:
    _drop(outbox, "bad", date="2026-02-30", secrecy="top_secret", receiver={"org_id": NOT_IN_DIRECTORY})
    assert await outbox.pick(outbox.root / "bad") is Outcome.FAILED
    text = _error_txt(outbox, "bad")
    assert "3 problems" in text, text
    assert "date: '2026-02-30' is not a real date" in text
    assert "secrecy: " in text
    assert "top secret" in text.lower()
    assert f"receiver.org_id: receiver {NOT_IN_DIRECTORY} is not in the organisation directory" in text


async def test_a_valid_letter_breaking_two_rules_hears_of_both_once(outbox: Outbox) -> None:
    """The core refuses top secret first and never looks at the receiver."""
    _drop(outbox, "refused", secrecy="top_secret", receiver={"org_id": NOT_IN_DIRECTORY})
    assert await outbox.pick(outbox.root / "refused") is Outcome.FAILED
    text = _error_txt(outbox, "refused")
    assert "2 problems" in text, text
    assert f"receiver {NOT_IN_DIRECTORY} is not in the organisation directory" in text
    assert text.lower().count("top secret") == 1, text


@pytest.fixture
def small_outbox(tmp_path: Path) -> Iterator[Outbox]:
    """An outbox whose e-CMS letters may carry no file at all (xml.max_bytes leaves no room)."""
    with Store(data_dir=tmp_path / "data") as store:
        settings = RuntimeSettings(
            orgs=(ServedOrg(org_id="2099000000", node_url="http://127.0.0.1:1/x"),),
            limits=MessageLimits(xml_max_bytes=ENVELOPE_BYTES),
        )
        services = Services(store=store, settings=settings, routing=lambda: ROUTING)
        box = Outbox(tmp_path / "outbox", services)
        box.prepare()
        yield box


async def test_files_too_large_are_a_fault_of_the_files_not_of_the_receiver(small_outbox: Outbox) -> None:
    _drop(small_outbox, "large")
    assert await small_outbox.pick(small_outbox.root / "large") is Outcome.FAILED
    text = _error_txt(small_outbox, "large")
    assert "1 problem:" in text, text
    assert "   files: the letter's files are " in text, text
    assert "ไฟล์ทั้งหมดของหนังสือ (files): ไฟล์รวมกันใหญ่เกิน" in text, text
    assert "receiver" not in text, text


async def test_a_sender_this_gateway_does_not_serve_is_said_once_of_the_sender(outbox: Outbox) -> None:
    """The rules and the core both refuse it, in other words: error.txt says it once."""
    _drop(outbox, "other", sender={"org_id": "2199000000"})
    assert await outbox.pick(outbox.root / "other") is Outcome.FAILED
    text = _error_txt(outbox, "other")
    assert "1 problem:" in text, text
    assert "ผู้ส่ง (sender) → sender.org_id: ระบบนี้ไม่ได้ส่งหนังสือในนามหน่วยงานผู้ส่งนี้" in text, text
    assert "receiver" not in text, text

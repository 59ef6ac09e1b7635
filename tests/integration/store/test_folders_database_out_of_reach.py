"""The watched folders while PostgreSQL is out of reach: the folder watcher says so once for the process
(the same notice as the workers'), not a traceback every scan; a letter folder waits in the outbox and
is taken once the server answers, and the inbox export goes on from where it was."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from ecms_adapters.folders import FolderWatcher, InboxExport
from store_support import CutProxy

from ecms_gateway.config import ExportWhen, InboxStart
from ecms_gateway.engine import Store
from ecms_gateway.runtime.outage import StoreOutage
from tests.integration.folders.support import drop_sample, outbox_in

pytestmark = [pytest.mark.postgres, pytest.mark.anyio]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_the_folders_wait_for_the_database_said_once_and_go_on_when_it_answers(
    proxied: tuple[Store, CutProxy], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, proxy = proxied
    outbox = outbox_in(tmp_path, store)
    inbox = InboxExport(tmp_path / "inbox", store, when=ExportWhen.RECORDED, start=InboxStart.NOW)
    inbox.prepare()
    watcher = FolderWatcher(outbox=outbox, inbox=inbox, scan_s=0.01, outage=StoreOutage())
    await watcher.once()  # the inbox's cursor is set while the server answers
    drop_sample(outbox.root, "001", "first")
    proxy.cut()
    caplog.set_level(logging.INFO)
    for _ in range(3):
        await watcher.once()
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert [line.split(" (")[0] for line in said] == ["the database cannot be reached"], said
    assert all(r.exc_info is None for r in caplog.records)
    assert (outbox.root / "first").is_dir()  # waits where it was put

    proxy.mend()
    for _ in range(3):  # a connection the pool kept from before may fail once
        await watcher.once()
        if (outbox.root / "done" / "first").is_dir():
            break
    assert (outbox.root / "done" / "first" / "receipt.json").is_file()
    assert sum("answers again" in r.getMessage() for r in caplog.records) == 1

"""One outbox watched by two gateway processes (PostgreSQL, a shared data folder): a folder is taken
by one of them only, and the other leaves no second copy in done/ or failed/."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from ecms_adapters.folders import Outcome

from ecms_gateway.engine import Store
from tests.integration.folders.support import drop_sample, outbox_in

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as opened:
        yield opened


async def test_a_folder_another_process_has_in_hand_is_left_to_it(tmp_path: Path, store: Store) -> None:
    outbox = outbox_in(tmp_path, store)
    folder = drop_sample(outbox.root, "001", "meeting")
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)  # as the other gateway process holds it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert await outbox.pick(folder) is Outcome.WAIT
    finally:
        os.close(fd)
    assert folder.is_dir()
    assert sorted(os.listdir(outbox.root / "done")) == []
    assert not (folder / "receipt.json").exists()


async def test_a_folder_the_other_process_moved_after_this_one_listed_it_is_not_made_again(
    tmp_path: Path, store: Store
) -> None:
    outbox = outbox_in(tmp_path, store)
    folder = drop_sample(outbox.root, "001", "meeting")
    listed = outbox.complete_folders()
    assert listed == [folder]
    assert await outbox.pick(folder) is Outcome.DONE  # the first process takes it
    assert await outbox.pick(listed[0]) is Outcome.WAIT  # the second, from its earlier listing
    assert sorted(os.listdir(outbox.root / "done")) == ["meeting"]
    assert sorted(os.listdir(outbox.root / "failed")) == []
    assert not folder.exists()

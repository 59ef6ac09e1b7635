"""The watched folders on real folders and a real (SQLite) store: pickup when complete, done/ with a
receipt, failed/ with every fault in Thai and English, no second letter for the same folder, and the
inbox export written atomically, once per letter."""

from __future__ import annotations

import errno
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from ecms_adapters.folders import InboxExport, Outcome, folder_name
from ecms_adapters.folders import inbox as inbox_module

from ecms_gateway.config import ExportWhen, InboxStart
from ecms_gateway.engine import LetterState, SignatureMark, Store
from ecms_gateway.letter.loader import load_letter_file
from ecms_gateway.letter.model import FileData, FileRef
from ecms_gateway.store.files import LocalFileStore
from ecms_gateway.store.tables import LETTER, LETTER_ORIGIN
from tests.integration.folders.support import drop_sample, outbox_in
from tests.unit.webhooks.support import PARTNER, US, package, receive

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(data_dir=tmp_path / "data") as opened:
        yield opened


def _letters(store: Store) -> int:
    with store.db.read() as conn:
        return len(conn.execute(LETTER.select()).all())


async def test_a_ready_folder_is_submitted_and_moved_to_done_with_a_receipt(
    tmp_path: Path, store: Store
) -> None:
    outbox = outbox_in(tmp_path, store)
    drop_sample(outbox.root, "001", "meeting")
    assert await outbox.scan() == 1
    done = outbox.root / "done" / "meeting"
    receipt = json.loads((done / "receipt.json").read_text(encoding="utf-8"))
    assert receipt["book_no"] == "ศธ 0990/1234"
    letter = store.show(receipt["letter_id"]).letter
    assert letter.state is LetterState.QUEUED
    assert letter.book_no == "ศธ 0990/1234"
    assert not (outbox.root / "meeting").exists()
    assert store.load_package(receipt["letter_id"]).files[1].name == "letter-001-agenda.pdf"


async def test_a_folder_is_only_taken_once_complete(tmp_path: Path, store: Store) -> None:
    outbox = outbox_in(tmp_path, store)
    drop_sample(outbox.root, "001", "half-written", ready=False)
    drop_sample(outbox.root / ".incoming", "002", "being-written")
    assert await outbox.scan() == 0
    assert _letters(store) == 0
    (outbox.root / "half-written" / ".ready").touch()
    assert await outbox.scan() == 1
    assert (outbox.root / "done" / "half-written").is_dir()


async def test_without_ready_markers_a_folder_renamed_in_from_incoming_is_taken(
    tmp_path: Path, store: Store
) -> None:
    outbox = outbox_in(tmp_path, store, ready_marker=False)
    folder = drop_sample(outbox.root / ".incoming", "002", "urgent", ready=False)
    assert await outbox.scan() == 0  # still in .incoming: ignored
    folder.rename(outbox.root / "urgent")
    assert await outbox.scan() == 1
    assert (outbox.root / "done" / "urgent" / "receipt.json").is_file()


async def test_an_invalid_letter_goes_to_failed_with_every_fault_in_thai_and_english(
    tmp_path: Path, store: Store
) -> None:
    outbox = outbox_in(tmp_path, store)
    drop_sample(outbox.root, "005", "broken")
    assert await outbox.pick(outbox.root / "broken") is Outcome.FAILED
    text = (outbox.root / "failed" / "broken" / "error.txt").read_text(encoding="utf-8")
    assert "6 problems" in text
    for english in (
        "book_no: is empty",
        "date: '2026-02-30' is not a real date",
        "subject: is required but missing",
        "speed: 'very fast' is not one of",
        "sender.org_id: '20990' is not an organisation ID",
        "main_file.path: file 'missing.pdf' was not found next to the letter",
    ):
        assert english in text
    for thai in (
        "ที่ / เลขที่หนังสือ (book_no): ว่างอยู่",
        "ลงวันที่ (date): วันที่ไม่มีจริง",
        "เรื่อง (subject): ไม่มีข้อมูล ต้องใส่",
        "ชั้นความเร็ว (speed): ค่าไม่อยู่ในรายการที่ใช้ได้",
        "ผู้ส่ง (sender) → sender.org_id: รหัสหน่วยงานไม่ถูกต้อง",
        "ไฟล์หนังสือ (main_file) → main_file.path: ไม่พบไฟล์ในโฟลเดอร์นี้",
    ):
        assert thai in text
    assert "what to do" in text
    assert _letters(store) == 0


@pytest.mark.parametrize(
    ("sample", "thai"),
    [("003", "ห้ามส่งทางอิเล็กทรอนิกส์"), ("004", "ใช้ภายในหน่วยงาน ส่งออกไม่ได้")],
)
async def test_a_letter_the_rules_forbid_goes_to_failed_with_the_reason(
    tmp_path: Path, store: Store, sample: str, thai: str
) -> None:
    outbox = outbox_in(tmp_path, store)
    drop_sample(outbox.root, sample, "refused")
    assert await outbox.scan() == 1
    text = (outbox.root / "failed" / "refused" / "error.txt").read_text(encoding="utf-8")
    assert thai in text
    assert _letters(store) == 0


async def test_a_letter_already_sent_from_another_folder_is_refused_not_sent_twice(
    tmp_path: Path, store: Store
) -> None:
    outbox = outbox_in(tmp_path, store)
    drop_sample(outbox.root, "001", "first")
    assert await outbox.scan() == 1
    drop_sample(outbox.root, "001", "copy")
    assert await outbox.scan() == 1
    text = (outbox.root / "failed" / "copy" / "error.txt").read_text(encoding="utf-8")
    assert "cannot be sent twice" in text
    assert "from 2099000000 (e-CMS department 20990)" in text  # the ID the sender wrote, not only its code
    assert _letters(store) == 1


async def test_the_same_folder_again_finds_its_letter_instead_of_making_another(
    tmp_path: Path, store: Store
) -> None:
    outbox = outbox_in(tmp_path, store)
    drop_sample(outbox.root, "001", "meeting")
    await outbox.scan()
    first = json.loads((outbox.root / "done" / "meeting" / "receipt.json").read_text(encoding="utf-8"))
    drop_sample(outbox.root, "001", "meeting")  # as a rerun after a crash before the move would see it
    await outbox.scan()
    again = json.loads((outbox.root / "done" / "meeting~2" / "receipt.json").read_text(encoding="utf-8"))
    assert again["letter_id"] == first["letter_id"]
    assert _letters(store) == 1
    with store.db.read() as conn:
        assert len(conn.execute(LETTER_ORIGIN.select()).all()) == 1


async def test_received_letters_appear_in_the_inbox_once_as_letter_json_and_files(
    tmp_path: Path, store: Store
) -> None:
    inbox = InboxExport(tmp_path / "inbox", store, when=ExportWhen.RECORDED, start=InboxStart.NOW)
    inbox.prepare()
    assert await inbox.run_once() == 0  # sets the cursor: letters from now on
    first, second = receive(store, 1), receive(store, 2)
    assert await inbox.run_once() == 2
    assert await inbox.run_once() == 0
    names = sorted(p.name for p in inbox.root.iterdir())
    assert names == [folder_name(first, "ศธ 0990/1"), folder_name(second, "ศธ 0990/2")]
    assert names[0] == f"{first}-ศธ-0990-1"
    folder = inbox.root / names[0]
    package = load_letter_file(folder / "letter.json")
    assert package.letter.book_no == "ศธ 0990/1"
    assert package.main.content == b"%PDF-1.4 letter 1\n"
    info = json.loads((folder / "gateway.json").read_text(encoding="utf-8"))
    assert info["letter_id"] == first
    assert info["state"] == "received"


async def test_the_inbox_can_wait_for_registration_and_start_from_the_beginning(
    tmp_path: Path, store: Store
) -> None:
    earlier = receive(store, 1)
    later = receive(store, 2)
    inbox = InboxExport(tmp_path / "inbox", store, when=ExportWhen.REGISTERED, start=InboxStart.BEGINNING)
    inbox.prepare()
    assert await inbox.run_once() == 0  # nothing registered yet
    number = store.register_inbound(later, actor="clerk:test")
    assert await inbox.run_once() == 1
    (folder,) = inbox.root.iterdir()
    info = json.loads((folder / "gateway.json").read_text(encoding="utf-8"))
    assert (info["letter_id"], info["state"], info["registry_no"]) == (later, "registered", number)
    store.register_inbound(earlier, actor="clerk:test")
    assert await inbox.run_once() == 1


async def test_a_folder_already_in_the_inbox_is_not_written_again(tmp_path: Path, store: Store) -> None:
    inbox = InboxExport(tmp_path / "inbox", store, when=ExportWhen.RECORDED, start=InboxStart.BEGINNING)
    inbox.prepare()
    letter = receive(store, 1)
    assert inbox.export(letter)
    assert not inbox.export(letter)  # as after a crash between the rename and the cursor's move
    assert [p.name for p in inbox.root.iterdir()] == [folder_name(letter, "ศธ 0990/1")]


async def test_a_half_written_export_left_by_a_crash_is_never_a_letter_and_the_letter_comes_once(
    tmp_path: Path, store: Store
) -> None:
    inbox = InboxExport(tmp_path / "inbox", store, when=ExportWhen.RECORDED, start=InboxStart.BEGINNING)
    letter = receive(store, 1)
    name = folder_name(letter, "ศธ 0990/1")
    partial = tmp_path / "inbox" / f".tmp-99999-{name}"  # killed while writing: no rename happened
    partial.mkdir(parents=True)
    (partial / "letter-1.pdf").write_bytes(b"%PDF-1.4 le")
    inbox.prepare()
    assert await inbox.run_once() == 1
    visible = [p.name for p in inbox.root.iterdir() if not p.name.startswith(".")]
    assert visible == [name]
    assert load_letter_file(inbox.root / name / "letter.json").main.content == b"%PDF-1.4 letter 1\n"
    assert await inbox.run_once() == 0


async def test_a_file_and_a_misnamed_marker_are_named_once_in_the_log_and_left_alone(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """letter.json dropped straight into the outbox, or a folder marked 'ready' instead of '.ready',
    would otherwise wait there for ever without a word."""
    outbox = outbox_in(tmp_path, store)
    (outbox.root / "letter.json").write_text("{}", encoding="utf-8")
    marked = drop_sample(outbox.root, "001", "marked", ready=False)
    (marked / "ready.txt").touch()
    drop_sample(outbox.root, "002", "writing", ready=False)  # still being written: no word
    with caplog.at_level("WARNING", logger="ecms_adapters.folders.outbox"):
        assert await outbox.scan() == 0
        assert await outbox.scan() == 0
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 2, said
    assert "letter.json is a file, not a letter folder" in said[0]
    assert "with an empty .ready file written last" in said[0]
    assert "marked has 'ready.txt' but no '.ready' file" in said[1]
    assert sorted(p.name for p in outbox.root.iterdir()) == [
        ".incoming",
        "done",
        "failed",
        "letter.json",
        "marked",
        "writing",
    ]
    assert _letters(store) == 0


async def test_files_named_like_the_folders_own_or_too_long_are_exported_under_names_that_fit(
    tmp_path: Path, store: Store
) -> None:
    """The sender names the files: one called letter.json or gateway.json must not replace ours (or be
    replaced by them), and a name longer than the file system takes must not stop the export of this
    letter and of every letter after it."""
    long_thai = "ก" * 100 + ".pdf"  # 304 bytes in UTF-8
    sent = {"letter.json": b'{"own": 1}', "GATEWAY.json": b'{"own": 2}', long_thai: b"%PDF-1.4 long\n"}
    base = package(1, sender=PARTNER, receiver=US)
    files = tuple(FileData(name=n, mime="application/json", content=c) for n, c in sent.items())
    refs = tuple(FileRef(path=f.name, mime=f.mime) for f in files)
    odd = replace(base, letter=base.letter.model_copy(update={"attachments": refs}), attachments=files)
    raw = store.accept_inbound(b"raw odd", channel="ecms", process_id="p-odd", actor="test")
    letter = store.record_inbound_letter(raw.id, odd, actor="test", signature=SignatureMark.VERIFIED).id
    after = receive(store, 2)
    inbox = InboxExport(tmp_path / "inbox", store, when=ExportWhen.RECORDED, start=InboxStart.BEGINNING)
    inbox.prepare()
    assert await inbox.run_once() == 2
    folder = inbox.root / folder_name(letter, "ศธ 0990/1")
    exported = load_letter_file(folder / "letter.json")
    assert exported.letter.book_no == "ศธ 0990/1"
    assert [f.content for f in exported.attachments] == list(sent.values())
    names = [f.name for f in exported.attachments]
    assert names[:2] == ["file-letter.json", "file-GATEWAY.json"], names
    assert all(len(n.encode("utf-8")) <= 255 and n.endswith(".pdf") for n in names[2:]), names
    assert json.loads((folder / "gateway.json").read_text(encoding="utf-8"))["letter_id"] == letter
    assert (inbox.root / folder_name(after, "ศธ 0990/2") / "letter.json").is_file()


@pytest.fixture
def umask_022() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


@pytest.mark.usefixtures("umask_022")
async def test_what_the_gateway_writes_is_readable_as_its_folder_is(tmp_path: Path, store: Store) -> None:
    """The office's system runs as another user: the inbox's files, the receipt and error.txt are
    0644 in a 0755 folder, not owner-only."""
    inbox = InboxExport(tmp_path / "inbox", store, when=ExportWhen.RECORDED, start=InboxStart.BEGINNING)
    inbox.prepare()
    receive(store, 1)
    assert await inbox.run_once() == 1
    outbox = outbox_in(tmp_path, store)
    drop_sample(outbox.root, "001", "good")
    drop_sample(outbox.root, "005", "bad")
    assert await outbox.scan() == 2
    written = [
        *(inbox.root / folder_name(1, "ศธ 0990/1")).iterdir(),
        outbox.root / "done" / "good" / "receipt.json",
        outbox.root / "failed" / "bad" / "error.txt",
    ]
    assert len(written) == 5
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in written} == {p.name: "0o644" for p in written}


async def test_a_letter_that_cannot_be_written_is_set_aside_and_the_letters_after_it_still_come(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """A letter whose file is missing from the store must not hold up the inbox: it is set aside (kept
    in the store, so a restart still knows it), said once in the log, tried at every scan, and written
    once the file is back."""
    first, second, third = receive(store, 1), receive(store, 2), receive(store, 3)
    missing = LocalFileStore(tmp_path / "data" / "files").path_of(store.load_package(second).main.sha256)
    content = missing.read_bytes()
    missing.unlink()
    inbox = InboxExport(tmp_path / "inbox", store, when=ExportWhen.RECORDED, start=InboxStart.BEGINNING)
    inbox.prepare()
    with caplog.at_level(logging.ERROR, logger="ecms_adapters.folders.inbox"):
        assert await inbox.run_once() == 2
        assert await inbox.run_once() == 0
    names = {p.name for p in inbox.root.iterdir()}
    assert names == {folder_name(first, "ศธ 0990/1"), folder_name(third, "ศธ 0990/3")}
    told = [r.getMessage() for r in caplog.records]
    assert len(told) == 1, told
    assert f"letter {second} cannot be written" in told[0]
    assert "set aside" in told[0]
    assert "missing from the file store" in told[0]

    restarted = InboxExport(tmp_path / "inbox", store, when=ExportWhen.RECORDED, start=InboxStart.BEGINNING)
    assert list(restarted.held()) == [second]
    missing.write_bytes(content)
    assert await restarted.run_once() == 1
    assert restarted.held() == {}
    assert folder_name(second, "ศธ 0990/2") in {p.name for p in inbox.root.iterdir()}
    assert await restarted.run_once() == 0


async def test_a_fault_of_the_folder_itself_stops_the_scan_without_setting_letters_aside(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Disk full is no fault of the letter: every later letter would fail too, so the scan stops, the
    cursor stays before the letter, and the next scan writes it."""
    letter = receive(store, 1)
    inbox = InboxExport(tmp_path / "inbox", store, when=ExportWhen.RECORDED, start=InboxStart.BEGINNING)
    inbox.prepare()

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(inbox_module, "write_letter", disk_full)
        with pytest.raises(OSError, match="No space left"):
            await inbox.run_once()
    assert inbox.held() == {}
    assert await inbox.run_once() == 1
    assert (inbox.root / folder_name(letter, "ศธ 0990/1") / "letter.json").is_file()

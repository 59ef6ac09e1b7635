"""The content-addressed file store: stored once by SHA-256, fan-out folders, atomic, checked on read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ecms_gateway.errors import NotFound, StoreError
from ecms_gateway.store.files import CHUNK, FileStore, LocalFileStore


def test_put_then_get(tmp_path: Path) -> None:
    store: FileStore = LocalFileStore(tmp_path)
    content = "หนังสือ".encode() * 1000
    digest = store.put(content)
    assert digest == hashlib.sha256(content).hexdigest()
    assert store.get(digest) == content
    assert store.exists(digest)
    assert (tmp_path / digest[:2] / digest[2:4] / digest).read_bytes() == content


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    assert store.put(b"same") == store.put(b"same")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [store.path_of(store.put(b"same"))]


def test_no_temporary_files_are_left(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    for i in range(20):
        store.put(f"file {i}".encode())
    assert not list(tmp_path.rglob(".tmp-*"))


def test_corrupt_file_is_detected(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    digest = store.put(b"original")
    store.path_of(digest).write_bytes(b"tampered")
    with pytest.raises(StoreError, match="corrupt"):
        store.get(digest)


def test_missing_file_and_bad_names(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    with pytest.raises(NotFound, match="missing"):
        store.get("0" * 64)
    assert not store.exists("0" * 64)
    with pytest.raises(StoreError, match="not a SHA-256"):
        store.get("../../etc/passwd")


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = LocalFileStore(tmp_path)

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("ecms_gateway.fileio.os.fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        store.put(b"never stored")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_chunks_give_the_bytes_piece_by_piece(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    content = b"x" * (CHUNK * 2 + 5)
    pieces = list(store.chunks(store.put(content)))
    assert [len(p) for p in pieces] == [CHUNK, CHUNK, 5]
    assert b"".join(pieces) == content
    with pytest.raises(NotFound, match="missing"):
        list(store.chunks("0" * 64))


def test_digests_are_the_stored_files_and_nothing_else(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    with pytest.raises(NotFound, match="not there"):
        list(store.digests())
    stored = sorted(store.put(f"file {i}".encode()) for i in range(3))
    leaf = store.path_of(stored[0]).parent
    (leaf / f".{stored[0]}.abc.tmp").write_bytes(b"a write cut off")
    (leaf / ("f" * 64)).write_bytes(b"a digest in the wrong folder")
    (store.root / "notes.txt").write_text("put by hand", encoding="utf-8")
    assert list(store.digests()) == stored
    assert store.location(stored[0]) == str(store.path_of(stored[0]))

"""Letter files and raw inbound items, stored once by SHA-256 outside the database.

``FileStore`` is the port; ``LocalFileStore`` keeps files under the data directory in fan-out
folders (``ab/cd/abcd…``), written atomically. An S3-compatible store can implement the same port.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final, Protocol

from ecms_gateway.errors import NotFound, StoreError
from ecms_gateway.fileio import fsync_dir, write_atomic

_SHA256 = re.compile(r"[0-9a-f]{64}")
_FAN = re.compile(r"[0-9a-f]{2}")
CHUNK: Final = 1024 * 1024
"""How much of a file ``chunks`` reads at a time."""


def is_sha256(text: str) -> bool:
    """True when ``text`` is a SHA-256 hex digest as the store names files (lower case)."""
    return _SHA256.fullmatch(text) is not None


class FileStore(Protocol):
    """Content-addressed bytes: ``put`` returns the SHA-256 hex digest that ``get`` takes."""

    def put(self, content: bytes) -> str:
        """Store ``content`` durably (idempotent) and return its SHA-256 hex digest."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``; raises ``NotFound`` or ``StoreError`` (corrupt)."""
        ...

    def exists(self, sha256: str) -> bool:
        """True when ``sha256`` is stored."""
        ...

    def chunks(self, sha256: str) -> Iterator[bytes]:
        """The bytes stored under ``sha256`` piece by piece, unchecked (the reader hashes them as they
        come); raises ``NotFound`` when the file is not there."""
        ...

    def digests(self) -> Iterator[str]:
        """Every digest stored, in no particular order; raises ``NotFound`` when the store itself is
        not there."""
        ...

    def location(self, sha256: str) -> str:
        """Where the file of ``sha256`` is (or would be), for people: a path, a URL."""
        ...

    def describe(self) -> str:
        """Where the store is, for people: a folder, a bucket."""
        ...


class LocalFileStore:
    """A ``FileStore`` in a local (or shared) folder: each file is written once, fsynced, renamed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise StoreError(f"{sha256!r} is not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self.path_of(digest)
        if target.exists():
            return digest
        # Folders made now must be made durable in their own parents too (the leaf's own entry is
        # synced by write_atomic); folders that existed need nothing more.
        new_leaf, new_fan = not target.parent.is_dir(), not target.parent.parent.is_dir()
        write_atomic(target, content)
        if new_leaf:
            fsync_dir(target.parent.parent)
        if new_fan:
            fsync_dir(self.root)
        return digest

    def get(self, sha256: str) -> bytes:
        path = self.path_of(sha256)
        try:
            content = path.read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"file {sha256} is missing from the file store at {self.root}") from exc
        if hashlib.sha256(content).hexdigest() != sha256:
            raise StoreError(
                f"file {sha256} in {self.root} is corrupt: its content no longer matches its hash"
            )
        return content

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def chunks(self, sha256: str) -> Iterator[bytes]:
        path = self.path_of(sha256)
        try:
            handle = path.open("rb")
        except FileNotFoundError as exc:
            raise NotFound(f"file {sha256} is missing from the file store at {self.root}") from exc
        with handle:
            while piece := handle.read(CHUNK):
                yield piece

    def digests(self) -> Iterator[str]:
        """The files in their fan-out folders; anything else there (a write's temporary file left by a
        crash, a file put by hand) is not a stored file and is passed over."""
        if not self.root.is_dir():
            raise NotFound(f"the file store {self.root} is not there")
        for fan in _subfolders(self.root):
            for leaf in _subfolders(fan):
                for entry in sorted(leaf.iterdir()):
                    name = entry.name
                    if _SHA256.fullmatch(name) and name[:2] == fan.name and name[2:4] == leaf.name:
                        yield name

    def location(self, sha256: str) -> str:
        return str(self.path_of(sha256))

    def describe(self) -> str:
        return str(self.root)


def _subfolders(folder: Path) -> Iterator[Path]:
    return (entry for entry in sorted(folder.iterdir()) if _FAN.fullmatch(entry.name) and entry.is_dir())

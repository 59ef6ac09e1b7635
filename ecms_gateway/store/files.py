"""Letter files and raw inbound items, stored once by SHA-256 outside the database.

``FileStore`` is the port; ``LocalFileStore`` keeps files under the data directory in fan-out
folders (``ab/cd/abcd…``), written atomically. An S3-compatible store can implement the same port.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Protocol

from ecms_gateway.errors import NotFound, StoreError
from ecms_gateway.fileio import fsync_dir, write_atomic

_SHA256 = re.compile(r"[0-9a-f]{64}")


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

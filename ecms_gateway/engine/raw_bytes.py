"""Messages kept byte for byte (received items, sent messages): up to ``INLINE_RAW_MAX`` in their own
row, larger ones in the file store; read back checked against the SHA-256 recorded with them.
"""

from __future__ import annotations

import hashlib
from typing import Final

from ecms_gateway.errors import StoreError
from ecms_gateway.store.files import FileStore

INLINE_RAW_MAX: Final = 1024 * 1024
"""Messages up to this size live in their row (one fsync with the commit instead of the file store's
file and folder fsyncs on the critical path); larger ones in the file store."""


def keep(files: FileStore, raw: bytes) -> tuple[str, bytes | None]:
    """The SHA-256 of ``raw`` and the bytes for its row: ``raw`` itself when small, else None (a large
    one is written to the file store now, before the row that names it is committed)."""
    if len(raw) <= INLINE_RAW_MAX:
        return hashlib.sha256(raw).hexdigest(), raw
    return files.put(raw), None


def read(files: FileStore, *, sha256: str, inline: bytes | None, what: str) -> bytes:
    """The bytes kept by ``keep``: from the row, else the file store; ``StoreError`` when they no
    longer match ``sha256`` (``what`` names them in the message), ``NotFound`` when the file is gone."""
    if inline is None:
        return files.get(sha256)
    raw = bytes(inline)
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise StoreError(f"{what} is corrupt: its bytes no longer match their SHA-256")
    return raw

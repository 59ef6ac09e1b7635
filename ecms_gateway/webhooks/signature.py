"""The ``X-Ecms-Signature`` header: HMAC-SHA256 over ``<unix time>.<exact body>`` with the
subscription's secret, sent as ``t=<unix time>,v1=<hex>``; receivers refuse old timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

SIGNATURE_HEADER: Final = "X-Ecms-Signature"
DEFAULT_TOLERANCE_S: Final = 300  # how old a signed timestamp a receiver should still accept
SECRET_PREFIX: Final = "whsec_"  # noqa: S105 (a marker that says what the value is, not a secret)


def new_secret() -> str:
    """A fresh random secret (256 bits), shown to the operator once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, body: bytes, *, timestamp: int) -> str:
    """The hex HMAC-SHA256 of ``<timestamp>.<body>``."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int) -> str:
    """The header value ``t=<timestamp>,v1=<hex>`` for ``body``."""
    return f"t={timestamp},v1={signature(secret, body, timestamp=timestamp)}"


def verify(
    secret: str, body: bytes, header: str, *, now: int, tolerance_s: int = DEFAULT_TOLERANCE_S
) -> bool:
    """True when ``header`` signs ``body`` with ``secret`` and its timestamp is within the tolerance.

    What a receiver does (docs/integration.md has the same in a dozen lines of plain Python).
    Several ``v1=`` values are accepted (one per secret, while a secret is being rotated).
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or abs(now - timestamp) > tolerance_s:
        return False
    expected = signature(secret, body, timestamp=timestamp)
    return any(hmac.compare_digest(expected, value) for value in candidates)

"""Secrets handed out once (API keys, session and CSRF tokens) and the digests kept in their place.

API keys and session tokens are long random strings, so a SHA-256 digest is enough to keep them
safe at rest; passwords are short and human, so they get argon2id (``passwords.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

API_KEY_MARK: Final = "egw"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(secret: str, expected_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), expected_digest)


def new_api_key() -> tuple[str, str, str]:
    """(token, prefix, secret): the token is ``egw_<prefix>_<secret>``; the prefix finds the key."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    return f"{API_KEY_MARK}_{prefix}_{secret}", prefix, secret


def split_api_key(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed token, else None."""
    mark, _, rest = token.strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != API_KEY_MARK or len(prefix) != 8 or not secret:
        return None
    return prefix, secret


def new_token() -> str:
    return secrets.token_urlsafe(32)

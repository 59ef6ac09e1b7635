"""Password hashing with argon2id (argon2-cffi's defaults, which follow RFC 9106's recommendation)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ecms_gateway.errors import InputError

_HASHER = PasswordHasher()


@functools.cache
def _dummy() -> str:
    """Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.

    Made on first use: hashing costs ~200 ms of CPU and 64 MiB, which every command paid at import."""
    return _HASHER.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password_rules(name: str, password: str, *, min_length: int) -> None:
    if len(password) < min_length:
        raise InputError(f"the password is too short: use at least {min_length} characters")
    if password.strip().casefold() == name.strip().casefold():
        raise InputError("the password must not be the user name")

"""What the command line names about keys before it loads any: the passphrase's environment variable
and the key types ``keys new`` makes. Apart from ``keys`` and ``newkeys`` so that building the parser
imports neither xmlsec nor cryptography."""

from __future__ import annotations

from typing import Final, Literal

PASSPHRASE_ENV: Final = "ECMS_GATEWAY_KEY_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
"""The environment variable read for a key's passphrase unless the configuration names another."""

KeyType = Literal["rsa2048", "rsa3072", "ec256"]
"""The key types ``keys new`` makes."""

"""Small helpers for what commands print: sizes and fault lines a person can read."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from ecms_gateway.errors import Fault


def human_size(size: int) -> str:
    """``67 KB``, ``5.2 MB``: sizes as people read them."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def print_faults(label: str, faults: Iterable[Fault]) -> None:
    """One ``LABEL: invalid: <where>: <problem>`` line per fault, on standard output."""
    for fault in faults:
        print(f"{label}: invalid: {fault}")


def warn(message: str) -> None:
    print(f"ecms-gateway: warning: {message}", file=sys.stderr)


def missing(path: Path) -> str:
    """Why ``path``, given as a file, cannot be read as one: a folder, or nothing there."""
    if path.is_dir():
        return f"is a folder; name the files in it (e.g. {path / '*.json'})"
    return "no such file"

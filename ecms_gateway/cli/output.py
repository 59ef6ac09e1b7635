"""Small helpers for what commands print: sizes and fault lines a person can read."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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


def missing(path: Path, example: str = "*.json") -> str:
    """Why ``path``, given as a file, cannot be read as one: a folder, or nothing there."""
    if path.is_dir():
        return f"is a folder; name the files in it (e.g. {path / example})"
    return "no such file; check the path"


def say_missing(path: Path, example: str = "*.json") -> None:
    """``ecms-gateway: PATH: no such file; check the path`` (or that it is a folder) on standard error,
    for a file argument that is not a file: the command then exits with its usage error."""
    print(f"ecms-gateway: {path}: {missing(path, example)}", file=sys.stderr)


# What to do about the OS's reasons a person can act on; any other reason is shown as the OS says it.
_WHAT_TO_DO = {
    errno.ENOENT: "check the path",
    errno.EISDIR: "it is a folder: name a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "something is in the way: remove it or choose another path",
    errno.EACCES: "check its permissions and its folder's",
    errno.EPERM: "check its permissions and its folder's",
    errno.EROFS: "choose a place that can be written",
    errno.ENOSPC: "free some space or choose another place",
    errno.ENAMETOOLONG: "choose a shorter name",
}


def os_problem(path: str | os.PathLike[str], exc: OSError) -> str:
    """``PATH: <the OS's reason>; <what to do>``, for an OS error about a path a person gave."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    hint = _WHAT_TO_DO.get(exc.errno or 0)
    return f"{os.fspath(path)}: {reason}" + (f"; {hint}" if hint else "")


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """OS errors while writing ``path`` (or the files beside it) name ``path`` as it was given, not the
    temporary file an atomic write failed on; one about a folder on the way keeps naming that folder."""
    try:
        yield
    except OSError as exc:
        failed = exc.filename
        if exc.errno is None or (isinstance(failed, str) and Path(failed) in (path, *path.parents)):
            raise  # it already names the path, or a folder on it
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from exc

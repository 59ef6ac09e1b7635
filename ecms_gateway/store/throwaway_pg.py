"""A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a temporary folder, listen on
127.0.0.1 on a free port with trust authentication, stop and delete it afterwards.

As root the server runs as the ``postgres`` user (it refuses to run as root), through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with initdb, or the one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass(frozen=True, kw_only=True)
class Cluster:
    bindir: Path
    root: Path
    port: int

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        )

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create database ``name`` (optionally a copy of ``template``); returns its URL."""
        with self.admin() as conn:
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}'.encode())
        return self.url(name)

    def stop(self) -> None:
        _run_as_owner(
            [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop"],
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start(*, durable: bool = False) -> Cluster:
    """Start a new cluster; ``durable=False`` turns fsync off (tests), True keeps the defaults (bench)."""
    bindir = find_bindir()
    if bindir is None:
        raise FileNotFoundError(
            "PostgreSQL server binaries (initdb) not found; install the Debian package postgresql"
        )
    root = Path(tempfile.mkdtemp(prefix="ecms-pg-"))
    _give_to_owner(root)
    datadir = root / "data"
    _run_as_owner(
        [
            str(bindir / "initdb"),
            "-D",
            str(datadir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]
    )
    port = _free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c max_connections=100"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        _run_as_owner(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(datadir),
                "-o",
                options,
                "-l",
                str(root / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
    except subprocess.CalledProcessError as exc:
        log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {log[-2000:]}") from exc
    return Cluster(bindir=bindir, root=root, port=port)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_root() -> bool:
    return os.geteuid() == 0


def _give_to_owner(path: Path) -> None:
    if _as_root():
        shutil.chown(path, user="postgres", group="postgres")


def _run_as_owner(command: list[str], *, check: bool = True) -> None:
    if _as_root():
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=check, capture_output=True, timeout=120)  # noqa: S603 - fixed argv, no shell

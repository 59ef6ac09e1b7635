"""Helpers shared by the store tests and their worker subprocesses: letters, raw items, a clock."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ecms_gateway.engine import RetryPolicies, Store
from ecms_gateway.engine.context import Clock
from ecms_gateway.letter.model import FileData, Letter, LetterPackage
from ecms_gateway.store import throwaway_pg

WORKER = Path(__file__).with_name("store_worker.py")
TEMPLATE = "ecms_migrated"
_names = itertools.count()
SENDER = "2099000000"
RECEIVER = "2099100000"
DAY = date(2026, 11, 20)


def make_package(
    i: int,
    *,
    sender: str = SENDER,
    receiver: str = RECEIVER,
    book_no: str | None = None,
    day: date = DAY,
    attachment: bytes | None = None,
    subject: str | None = None,
) -> LetterPackage:
    """Letter number ``i``: book number ``ศธ 0990/<i>`` unless given; unique file bytes per ``i``."""
    letter = Letter.model_validate_json(
        json.dumps(
            {
                "kind": "external",
                "book_no": book_no or f"ศธ 0990/{i}",
                "date": day.isoformat(),
                "subject": subject or f"เรื่องทดสอบ {i}",
                "speed": "normal",
                "secrecy": "normal",
                "sender": {"org_id": sender},
                "receiver": {"org_id": receiver},
                "main_file": {"path": f"letter-{i}.pdf", "mime": "application/pdf"},
                "attachments": [{"path": f"att-{i}.bin", "mime": "application/octet-stream"}]
                if attachment
                else [],
            }
        )
    )
    main = FileData(name=f"letter-{i}.pdf", mime="application/pdf", content=f"%PDF-1.4 letter {i}\n".encode())
    files = (
        (FileData(name=f"att-{i}.bin", mime="application/octet-stream", content=attachment),)
        if attachment
        else ()
    )
    return LetterPackage(letter=letter, main=main, attachments=files)


def encode_raw(package: LetterPackage) -> bytes:
    """A stand-in for a received e-CMS message: the letter JSON and its files in Base64."""
    files = [
        {"name": f.name, "mime": f.mime, "b64": base64.b64encode(f.content).decode()} for f in package.files
    ]
    return json.dumps({"letter": package.letter.to_json_dict(), "files": files}, ensure_ascii=False).encode()


def decode_raw(raw: bytes) -> LetterPackage:
    data = json.loads(raw)
    files = [
        FileData(name=f["name"], mime=f["mime"], content=base64.b64decode(f["b64"])) for f in data["files"]
    ]
    main, *attachments = files
    return LetterPackage(
        letter=Letter.model_validate_json(json.dumps(data["letter"])),
        main=main,
        attachments=tuple(attachments),
    )


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 3, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@dataclass(frozen=True)
class Backend:
    """Where a test's database is: SQLite under ``data_dir`` or a PostgreSQL database by URL."""

    name: str
    url: str
    data_dir: Path

    def open(self, *, clock: Clock | None = None, policies: RetryPolicies | None = None) -> Store:
        kwargs: dict[str, Any] = {"database_url": self.url, "data_dir": self.data_dir, "policies": policies}
        if clock is not None:
            kwargs["clock"] = clock
        return Store(**kwargs)

    def worker(self, mode: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """Start ``store_worker.py`` in a subprocess (stdout is a pipe of text lines)."""
        return subprocess.Popen(
            [sys.executable, str(WORKER), mode, "--url", self.url, "--data-dir", str(self.data_dir), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> str:
    """Wait for a worker; its stdout, or an assertion error with its stderr if it failed."""
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, f"worker failed ({proc.returncode}): {err[-3000:]}"
    return out


def new_pg_database(cluster: throwaway_pg.Cluster, *, migrated: bool = True) -> str:
    """A fresh database for one test: a copy of the migrated template, or empty."""
    name = f"t{os.getpid()}_{next(_names)}"
    return cluster.create_database(name, template=TEMPLATE if migrated else None)


class CutProxy:
    """A TCP relay on 127.0.0.1 in front of the cluster; ``cut()`` drops every connection and refuses
    new ones (as a stopped server does), ``mend()`` lets them through again."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(a, b), daemon=True).start()

    def cut(self) -> None:
        self.open = False
        with self.lock:
            for pair in self.pairs:
                for sock in pair:
                    _close(sock)
            self.pairs.clear()

    def mend(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    _close(source)
    _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


MINIMAL_ORG = "2099000000"


def closed_port() -> int:
    """A loopback port nothing listens on (a database server that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def minimal_config(folder: Path, *, data_dir: Path | None = None, database_url: str | None = None) -> Path:
    """``folder/gateway.toml`` for one organisation (``MINIMAL_ORG``) with a new key, a node nobody runs
    and, when given, its data folder and database URL: enough for ``run`` to start."""
    from ecms_gateway.signing import write_new_key  # noqa: PLC0415 - only the tests that run a gateway

    keys = write_new_key(MINIMAL_ORG, folder / "keys")
    gateway = "".join(
        f'{name} = "{value}"\n'
        for name, value in (("data_dir", data_dir), ("database_url", database_url))
        if value
    )
    config = folder / "gateway.toml"
    config.write_text(
        (f"[gateway]\n{gateway}" if gateway else "")
        + f"""[signing.keys.{MINIMAL_ORG}]
key = "{keys.key}"
cert = "{keys.cert}"
[ecms]
node_url = "http://127.0.0.1:9/ecms-ws01/service2"
[[organizations]]
id = "{MINIMAL_ORG}"
""",
        encoding="utf-8",
    )
    return config

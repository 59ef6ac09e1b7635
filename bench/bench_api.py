"""REST API speed: letters submitted per second through ``POST /api/v1/letters`` (multipart, a 100 KB
attachment, a fresh letter each time, committed in a real store before the 202), at concurrency 1
and 16, with latency percentiles.

Beside it, in the same run, the floor: a raw ASGI app that reads the same request whole and answers
202, served by the same uvicorn in the same way (its own process, one event loop); and the ratio.

    .venv/bin/python bench/bench_api.py [--requests 200]

Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from ecms_adapters.runtime.http import http_face
from ecms_adapters.runtime.layout import sample_directory
from ecms_adapters.runtime.processes import free_port, wait_for_port

from ecms_gateway.access import Role
from ecms_gateway.config import HttpSection
from ecms_gateway.engine import Store
from ecms_gateway.runtime.directory import table_from_file
from ecms_gateway.runtime.settings import RuntimeSettings, ServedOrg
from ecms_gateway.services.context import RuntimeStatus, Services

A, B = "2099000000", "2099100000"
SIZE = 100 * 1024


# ------------------------------------------------------------------ the two servers (child processes)


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reads the whole request, answers 202 with a small JSON body: HTTP and uvicorn, nothing else."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    body = b'{"id": 1, "state": "queued"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 202, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def serve_api(port: int, folder: Path) -> None:
    directory = folder / "directory.json"
    directory.write_text(json.dumps(sample_directory(), ensure_ascii=False), encoding="utf-8")
    table = table_from_file(directory)
    store = Store(data_dir=folder / "data")
    (folder / "key").write_text(
        store.access.new_api_key("bench", role=Role.CLERK, actor="bench").token, encoding="utf-8"
    )
    services = Services(
        store=store,
        settings=RuntimeSettings(orgs=(ServedOrg(org_id=A, node_url="http://127.0.0.1:9/x/y"),)),
        routing=lambda: table,
        wake=lambda: None,
        status=RuntimeStatus(started_at=datetime.now(UTC)),
    )
    face = http_face(HttpSection(port=port), services, grace_s=1)
    asyncio.run(face.serve())


def serve_echo(port: int) -> None:
    config = uvicorn.Config(echo_app, host="127.0.0.1", port=port, log_config=None, access_log=False)
    uvicorn.Server(config).run()


# ------------------------------------------------------------------ the client (this process)


def letter(n: int) -> dict[str, Any]:
    return {
        "kind": "external",
        "book_no": f"ศธ 0990/{n}",
        "date": "2026-11-20",
        "subject": f"ขอเชิญประชุม ครั้งที่ {n}",
        "speed": "normal",
        "secrecy": "normal",
        "sender": {"org_id": A},
        "receiver": {"org_id": B},
        "main_file": {"path": "letter.pdf", "mime": "application/pdf"},
        "attachments": [{"path": "attachment.pdf", "mime": "application/pdf"}],
    }


def parts(n: int) -> list[tuple[str, Any]]:
    pdf = b"%PDF-1.4\n" + os.urandom(SIZE)
    return [
        ("letter", ("letter.json", json.dumps(letter(n), ensure_ascii=False).encode(), "application/json")),
        ("letter.pdf", ("letter.pdf", b"%PDF-1.4\n% main\n", "application/pdf")),
        ("attachment.pdf", ("attachment.pdf", pdf, "application/pdf")),
    ]


async def drive(url: str, key: str, first: int, count: int, concurrency: int) -> tuple[float, list[float]]:
    """``count`` submissions, ``concurrency`` at a time; (seconds in all, each latency)."""
    prepared = [parts(first + i) for i in range(count)]
    latencies: list[float] = []
    queue: asyncio.Queue[list[tuple[str, Any]]] = asyncio.Queue()
    for item in prepared:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(
        headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=60
    ) as client:

        async def worker() -> None:
            while not queue.empty():
                files = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(f"{url}/api/v1/letters", files=files)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 202:
                    raise RuntimeError(f"{response.status_code}: {response.text}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(label: str, seconds: float, latencies: list[float]) -> float:
    rate = len(latencies) / seconds
    p50, p95, p99 = (percentile(latencies, p) * 1000 for p in (50, 95, 99))
    print(
        f"  {label:<22} {rate:8.1f} req/s   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   p99 {p99:7.1f} ms"
        f"   (mean {statistics.fmean(latencies) * 1000:.1f} ms)"
    )
    return rate


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, __file__, *args], stdin=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="submissions per measurement")
    parser.add_argument("--serve", choices=["api", "echo"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve == "api":
        serve_api(args.port, args.folder)
        return 0
    if args.serve == "echo":
        serve_echo(args.port)
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        folder = Path(tmp)
        api_port, echo_port = free_port(), free_port()
        servers = [
            start("--serve", "api", "--port", str(api_port), "--folder", str(folder)),
            start("--serve", "echo", "--port", str(echo_port)),
        ]
        try:
            wait_for_port(api_port, timeout=60)
            wait_for_port(echo_port, timeout=60)
            key = (folder / "key").read_text(encoding="utf-8")
            print(
                f"POST /api/v1/letters, multipart with a {SIZE // 1024} KB attachment, {args.requests} each"
            )
            n = 1
            for concurrency in (1, 16):
                print(f"--- concurrency {concurrency}")
                seconds, latencies = asyncio.run(
                    drive(f"http://127.0.0.1:{api_port}", key, n, args.requests, concurrency)
                )
                n += args.requests
                api = report("API (store commit)", seconds, latencies)
                seconds, latencies = asyncio.run(
                    drive(f"http://127.0.0.1:{echo_port}", key, n, args.requests, concurrency)
                )
                echo = report("raw ASGI echo", seconds, latencies)
                print(f"  ratio API / echo: {api / echo:.2f}")
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

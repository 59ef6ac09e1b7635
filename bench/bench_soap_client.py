"""The SOAP client's HTTP cost: client CPU per request to a node process, h11 (``Http11Pool``, what
``SoapChannel`` uses) against httpx (``httpx.AsyncClient``, what it used before), the same TimeCheck
body to the same URL, one request at a time over one kept-alive connection, in the same run.

Rounds alternate (h11, httpx, h11, httpx...) so that the machine's other load falls on both alike.
Also: the whole ``EcmsSoapClient.time_check`` (build, POST, read and validate the reply) for scale.
CPU is this process's (``time.process_time``): the node is another process.

    .venv/bin/python bench/bench_soap_client.py [--requests 2000] [--rounds 3]

Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from ecms_adapters.runtime.layout import AgencyOptions, LayoutOptions, write_layout
from ecms_adapters.runtime.processes import free_port, start_node
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig
from ecms_adapters.soap.channel import HEADERS
from ecms_adapters.soap.http11 import Http11Pool

from ecms_gateway.codec import TimeCheckRequest, new_message_id, to_wire

MAX_BYTES = 10 * 1024 * 1024
Call = Callable[[], Awaitable[object]]


async def measure(call: Call, requests: int) -> tuple[float, float]:
    """(client CPU ms per request, requests per second) over ``requests`` calls, after 50 to warm up."""
    for _ in range(50):
        await call()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(requests):
        await call()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return cpu / requests * 1000, requests / wall


def _ok(status: int) -> int:
    if status != 200:  # a bench of failed requests would measure nothing
        raise RuntimeError(f"the node answered HTTP {status}")
    return status


async def bench(url: str, requests: int, rounds: int) -> None:
    body = to_wire(TimeCheckRequest(), message_id=new_message_id(datetime.now(UTC)))
    config = SoapClientConfig(url=url)
    pool = Http11Pool(ssl_context=config.ssl_context(), timeouts=config.timeouts(), max_connections=10)
    client = httpx.AsyncClient(trust_env=False, timeout=60)
    soap = EcmsSoapClient(config)

    async def h11_post() -> object:
        status, _ = await pool.post(url, body, HEADERS, max_bytes=MAX_BYTES)
        return _ok(status)

    async def httpx_post() -> object:
        response = await client.post(url, content=body, headers=HEADERS)
        return _ok(response.status_code)

    kinds: dict[str, Call] = {"h11": h11_post, "httpx": httpx_post, "time_check (h11)": soap.time_check}
    figures: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    try:
        for number in range(1, rounds + 1):
            for kind, call in kinds.items():
                cpu, rate = await measure(call, requests)
                figures[kind].append((cpu, rate))
                print(f"round {number}  {kind:<17} {cpu:6.3f} ms CPU/request  {rate:7.0f} requests/s")
    finally:
        await pool.aclose()
        await client.aclose()
        await soap.aclose()
    print(f"\n{requests} requests x {rounds} rounds, medians:")
    median = {
        kind: tuple(statistics.median(f[i] for f in rows) for i in (0, 1)) for kind, rows in figures.items()
    }
    for kind, (cpu, rate) in median.items():
        print(f"  {kind:<17} {cpu:6.3f} ms CPU/request  {rate:7.0f} requests/s")
    h11_cpu, h11_rate = median["h11"]
    httpx_cpu, httpx_rate = median["httpx"]
    print(f"  h11 / httpx: CPU per request {h11_cpu / httpx_cpu:.2f}, requests/s {h11_rate / httpx_rate:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-soap-") as folder:
        layout = write_layout(
            Path(folder),
            LayoutOptions(node_port=free_port(), agencies=(AgencyOptions(name="A", org_id="2099000000"),)),
        )
        node = start_node(layout)
        try:
            asyncio.run(bench(layout.node_url, args.requests, args.rounds))
        finally:
            node.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

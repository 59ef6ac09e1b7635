"""The e-CMS node over HTTP (a plain ASGI callable): POST SOAP requests to ``/ecms-ws01/service2``,
GET its WSDL at ``?wsdl`` and the schemas at ``?xsd=NAME``. ``?org=ID`` says which organisation is
calling. ``/healthz`` (alive) and ``/readyz`` (the database answers, the directory names organisations
served here) answer monitoring and load balancers as the gateway's do.

The app only moves bytes: ``NodeService`` decides and commits before the reply is sent. It has one
path and two methods, so it answers from the ASGI scope itself: Starlette's application, its two
middlewares, router and request/response objects were work on every request that decided nothing
here (docs/ecms-channel.md, "Node: HTTP serving").
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final
from urllib.parse import parse_qsl

from sqlalchemy import text as sql
from starlette.types import ASGIApp, Receive, Scope, Send

from ecms_gateway.errors import ConfigError, StoreError
from ecms_gateway.node import NodeService, ServiceDescription, load_directory
from ecms_gateway.node.codes import TOO_LARGE
from ecms_gateway.node.directory import org_of
from ecms_gateway.node.operations import ORG_LIST_SEPARATOR, too_many_orgs
from ecms_gateway.node.options import SERVICE_PATH
from ecms_gateway.node.purge import purge_finished
from ecms_gateway.node.service import database_problem
from ecms_gateway.runtime.health import Check, HealthChecks

log = logging.getLogger(__name__)

XML: Final = b"text/xml; charset=utf-8"
TEXT: Final = b"text/plain; charset=utf-8"
JSON: Final = b"application/json"
HEALTHZ_PATH: Final = "/healthz"
READYZ_PATH: Final = "/readyz"
ALLOW: Final = b"GET, HEAD, POST"
_NO_PARAMETERS: Final[Mapping[str, str]] = MappingProxyType({})
_CACHED_QUERY_BYTES: Final = 128
PURGE_INTERVAL_S: Final = 3600.0  # how often a node with a retention drops what it finished with


@dataclass(frozen=True, kw_only=True)
class Answer:
    """An HTTP response to send: status, body, its content type and any other headers."""

    status: int
    body: bytes
    content_type: bytes = TEXT
    headers: tuple[tuple[bytes, bytes], ...] = ()


class Disconnected(Exception):
    """The client went away before its request's body arrived."""


def create_node_app(
    service: NodeService,
    description: ServiceDescription,
    *,
    relay_interval_s: float = 1.0,
    directory_file: Path | None = None,
) -> ASGIApp:
    """The ASGI app of one node; its lifespan runs the relay worker every ``relay_interval_s`` and, given
    ``directory_file``, reads that file again on SIGHUP."""
    health = NodeHealth(service)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            try:
                answer = await health.answer(scope) or await _http(scope, receive, service, description)
            except Disconnected:
                return  # nobody to answer; a POST not read in full was not handled
            except Exception:
                log.exception("the node's HTTP face failed on a request")
                answer = Answer(status=500, body=b"Internal Server Error")
            await _send(send, answer)
        elif scope["type"] == "lifespan":
            with _reloading_on_sighup(service, directory_file):
                await _lifespan(receive, send, service, relay_interval_s)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    return app


class NodeHealth:
    """``/healthz`` and ``/readyz`` of a node, in the words and shape of the gateway's
    (``ecms_adapters.observability.endpoints``): no credentials, no letter data, each check cached
    briefly so that frequent probes cost little."""

    def __init__(self, service: NodeService) -> None:
        self.service = service
        self.started = time.monotonic()
        self.checks = HealthChecks(
            [Check(name="database", probe=self._database), Check(name="directory", probe=self._directory)]
        )

    async def answer(self, scope: Scope) -> Answer | None:
        """The answer to a health request; None for any other path (the SOAP service's)."""
        path: str = scope["path"]
        if path not in (HEALTHZ_PATH, READYZ_PATH):
            return None
        if scope["method"] not in ("GET", "HEAD"):
            return Answer(status=405, body=b"Method Not Allowed", headers=((b"allow", b"GET, HEAD"),))
        if path == HEALTHZ_PATH:  # answering at all proves the process and its event loop are alive
            uptime = round(time.monotonic() - self.started, 3)
            return _json(200, {"status": "alive", "uptime_seconds": uptime})
        readiness = await self.checks.readiness()
        return _json(200 if readiness.ok else 503, readiness.body())

    async def _database(self) -> None:
        await asyncio.to_thread(self._select_one)

    def _select_one(self) -> None:
        try:
            with self.service.db.read() as conn:
                conn.execute(sql("SELECT 1")).scalar_one()
        except Exception as exc:  # the database's own first line, never the statement
            raise StoreError(database_problem(exc)) from exc

    async def _directory(self) -> None:
        if not self.service.served:
            raise ConfigError("the directory lists no organisation at this node's URL")


def _json(status: int, body: dict[str, object]) -> Answer:
    return Answer(status=status, body=json.dumps(body).encode(), content_type=JSON)


async def _http(
    scope: Scope, receive: Receive, service: NodeService, description: ServiceDescription
) -> Answer:
    path: str = scope["path"]
    if path != SERVICE_PATH:
        if path == SERVICE_PATH + "/":  # as Starlette's router did: the path without the slash
            query = scope["query_string"].decode("latin-1")
            location = SERVICE_PATH + (f"?{query}" if query else "")
            return Answer(status=307, body=b"", headers=((b"location", location.encode("latin-1")),))
        # A client configured with a mistyped path learns the right one.
        text = f"no e-CMS service at {path}; it is at {SERVICE_PATH} (WSDL: {description.service_url}?wsdl)"
        return Answer(status=404, body=text.encode())
    method: str = scope["method"]
    params = _query(scope)
    if method in ("GET", "HEAD"):  # the server leaves out the body of a HEAD reply
        return _describe(params, description, service)
    if method != "POST":
        return Answer(status=405, body=b"Method Not Allowed", headers=((b"allow", ALLOW),))
    limit = service.settings.limits.max_bytes
    body = await _body(receive, limit)
    if body is None:
        reply = service.fault(TOO_LARGE, f"the request is over {limit:,} bytes, this node's limit")
    else:
        reply = await service.handle(body, org=params.get("org"))
    return Answer(status=500 if reply.fault else 200, body=reply.body, content_type=XML)


def _query(scope: Scope) -> Mapping[str, str]:
    """The query's parameters, the last of a repeated one winning (as Starlette's ``query_params``),
    except ``org``: organisations given more than once come as one value, for the service to refuse."""
    query: bytes = scope["query_string"]
    if not query:
        return _NO_PARAMETERS
    # A node's callers send the same few short queries (?org=ID) with every request; long ones are
    # parsed each time, so that the cache stays small whatever a client sends.
    return _cached(query) if len(query) <= _CACHED_QUERY_BYTES else _parsed(query)


def _parsed(query: bytes) -> Mapping[str, str]:
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    params = dict(pairs)
    orgs = list(dict.fromkeys(value for name, value in pairs if name == "org"))
    if len(orgs) > 1:  # which one calls is not for the node to guess: the service refuses the list
        params["org"] = ORG_LIST_SEPARATOR.join(orgs)
    return MappingProxyType(params)


_cached = functools.lru_cache(maxsize=256)(_parsed)


def _describe(params: Mapping[str, str], description: ServiceDescription, service: NodeService) -> Answer:
    if "wsdl" in params:
        org = params.get("org") or None
        if org is not None and ORG_LIST_SEPARATOR in org:
            return Answer(status=404, body=too_many_orgs(org).encode())
        if org is not None and org_of(org) not in service.served:
            # A WSDL whose address names no organisation here would fail every call with ECMS-201.
            text = (
                f"?org={org} names no organisation served by this node; it serves {', '.join(service.served)}"
            )
            return Answer(status=404, body=text.encode())
        return Answer(status=200, body=description.wsdl(org=org), content_type=XML)
    name = params.get("xsd")
    if name is not None:
        schema = description.schema(name)
        if schema is None:
            return Answer(status=404, body=f"no schema {name!r} here".encode())
        return Answer(status=200, body=schema, content_type=XML)
    text = f"e-CMS node: POST SOAP 1.1 requests here; the WSDL is at {description.service_url}?wsdl"
    return Answer(status=400, body=text.encode())


async def _body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None when it is over ``limit`` bytes (reading stops there)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _send(send: Send, answer: Answer) -> None:
    headers = [
        (b"content-length", str(len(answer.body)).encode()),
        (b"content-type", answer.content_type),
        *answer.headers,
    ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _lifespan(receive: Receive, send: Send, service: NodeService, interval_s: float) -> None:
    workers: list[asyncio.Task[None]] = []
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            workers.append(asyncio.create_task(_relay_loop(service, interval_s), name="ecms-node-relay"))
            if service.settings.retention is not None:
                workers.append(asyncio.create_task(_purge_loop(service), name="ecms-node-purge"))
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            for worker in workers:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            await service.stop_relays()  # the destinations' forwarding the relay worker started
            await send({"type": "lifespan.shutdown.complete"})
            return


@contextlib.contextmanager
def _reloading_on_sighup(service: NodeService, directory_file: Path | None) -> Iterator[None]:
    """While the node serves, SIGHUP reads ``directory_file`` again (off the event loop)."""
    loop = asyncio.get_running_loop()
    if directory_file is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: set[asyncio.Task[bool]] = set()  # held until done: the loop keeps only weak references

    def reload() -> None:
        task = loop.create_task(reload_directory(service, directory_file), name="ecms-node-reload")
        pending.add(task)
        task.add_done_callback(pending.discard)

    loop.add_signal_handler(signal.SIGHUP, reload)
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGHUP)


async def reload_directory(service: NodeService, directory_file: Path) -> bool:
    """Serve with the directory in ``directory_file`` now, logging what changed; on any fault keep the
    one in use and log why the file was refused. True when the new directory is in use."""
    try:
        directory = await asyncio.to_thread(load_directory, directory_file)
        changes = service.use_directory(directory)
    except ConfigError as exc:
        log.error("directory file %s refused, keeping the directory in use: %s", directory_file, exc)
        return False
    except Exception:  # a defect; the node keeps serving with what it has
        log.exception("directory file %s refused, keeping the directory in use", directory_file)
        return False
    said = "; ".join(changes) if changes else "no changes"
    log.warning(
        "directory reloaded from %s (%s); serving %s", directory_file, said, ", ".join(service.served)
    )
    return True


async def _purge_loop(service: NodeService, interval_s: float = PURGE_INTERVAL_S) -> None:
    """Drop what was finished longer ago than the retention: at start, then every ``interval_s``."""
    retention = service.settings.retention
    assert retention is not None  # noqa: S101 - only started with a retention
    while True:
        before = service.clock() - retention
        try:
            purged = await asyncio.to_thread(purge_finished, service.db, before=before)
        except Exception as exc:
            log.error(
                "the purge of finished items failed: %s; trying again in %g s",
                database_problem(exc),
                interval_s,
            )
        else:
            log.info("%s", purged.summary(before))
        await asyncio.sleep(interval_s)


async def _relay_loop(service: NodeService, interval_s: float) -> None:
    """Every ``interval_s``, start relaying what is due to each destination not busy already; a round
    does not wait for a slow destination (``NodeService.start_relays``). A failure is logged when it
    starts (with its traceback) and when it ends: while the database was down, a traceback a second
    filled the log."""
    failing = False
    while True:
        try:
            await service.start_relays()
        except Exception as exc:
            if not failing:
                log.exception("the relay worker failed; trying again every %s s until it works", interval_s)
            else:  # the same outage, most likely: its words, once a try, only when debugging
                log.debug("the relay worker failed again: %s", database_problem(exc))
            failing = True
        else:
            if failing:
                log.warning("the relay worker works again")
            failing = False
        await asyncio.sleep(interval_s)

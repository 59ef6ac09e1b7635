"""The composition root of ``ecms-gateway run``: configuration -> store, verifier, signer, one e-CMS
SOAP client per served organisation, the directory -> the core's ``Gateway``, with signal handlers.

With an ``[http]`` section the REST API is served in the same event loop (``runtime/http.py``) from
one ``Services`` over the same store. SIGINT/SIGTERM stop both gracefully; SIGUSR1 polls the node
and looks for work at once. The process id is written to ``<data_dir>/gateway.pid`` for
``ecms-gateway poll-now`` and ``send``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from ecms_adapters.api import AppHook, mail_channel
from ecms_adapters.folders import FolderHooks, FolderWatcher, InboxExport, Outbox
from ecms_adapters.mail import ImapMailboxReader, SmtpSender
from ecms_adapters.observability import Observability, gateway_observability
from ecms_adapters.runtime.http import HttpFace, http_face, run_together
from ecms_adapters.runtime.memory import giving_back_memory
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig
from ecms_adapters.web import web_hook
from ecms_adapters.web.certs import certificate_statuses
from ecms_adapters.web.outage import install_outage_page
from ecms_adapters.webhooks import HttpxPoster, PosterSettings
from ecms_gateway.cli.stores import first_line, mark_database_of_folder
from ecms_gateway.codec.schema import compiled_schema
from ecms_gateway.config import GatewayConfig, load_config
from ecms_gateway.engine import Store
from ecms_gateway.errors import ConfigError, StoreError
from ecms_gateway.mail import FileCheckpointStore, SmimeSigner, load_mail_directory
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime.control import PidFile
from ecms_gateway.runtime.directory import DirectoryKeeper
from ecms_gateway.runtime.gateway import Gateway, GatewayParts
from ecms_gateway.runtime.mail import MailParts
from ecms_gateway.runtime.outage import StoreOutage
from ecms_gateway.runtime.poller import PollerHooks
from ecms_gateway.runtime.settings import RuntimeSettings, runtime_settings
from ecms_gateway.runtime.webhooks import WEBHOOK_CHANNEL, WebhookParts
from ecms_gateway.services.context import RuntimeStatus, Services
from ecms_gateway.signing import OutboundSigner, Verifier
from ecms_gateway.store.database import resolve_url
from ecms_gateway.store.sessions import RUN, session_name

log = logging.getLogger(__name__)
API_THREADS = 8
"""Threads added for the API's store calls (each request runs its store call in one), on PostgreSQL."""
SQLITE_THREADS = 3
"""Threads of a gateway on SQLite, whatever its number of workers (see ``thread_count``)."""


def soap_config(config: GatewayConfig, url: str) -> SoapClientConfig:
    ecms = config.ecms
    return SoapClientConfig(
        url=url,
        ca_bundle=ecms.ca_bundle,
        client_cert=ecms.client_cert,
        client_key=ecms.client_key,
        connect_timeout_s=ecms.connect_timeout_seconds,
        read_timeout_s=ecms.read_timeout_seconds,
        write_timeout_s=ecms.read_timeout_seconds,
        keepalive_expiry_s=ecms.keepalive_expiry_seconds,
        max_connections=ecms.max_connections,
        limits=config.xml_limits(),
    )


def signer_for(config: GatewayConfig, settings: RuntimeSettings) -> OutboundSigner:
    """The signer, with every served organisation's key loaded now: a bad key stops the start."""
    signer = OutboundSigner(config.signing_config())
    for org in settings.orgs:
        for warning in signer.key(org.org_id).warnings:
            log.warning("signing key of %s: %s", org.org_id, warning)
    return signer


def check_start(config: GatewayConfig) -> None:
    """``ConfigError`` when ``config`` cannot run a gateway: its organisations and their nodes, each one's
    signing key, the trust folder and the mail channel's settings, directory and S/MIME key. ``run``
    asks before it makes anything (the data folder, its pid file, the database), so that a refused
    start leaves nothing behind; ``build_gateway`` loads the same again when it starts."""
    settings = runtime_settings(config)
    signing = config.signing_config()
    signer = OutboundSigner(signing)
    for org in settings.orgs:
        signer.key(org.org_id)
    signing.trust_store()
    mail = config.mail_settings()
    if mail is None:
        return
    if config.directory.file is None:
        raise ConfigError("directory.file: the mail channel needs a directory file with e-mail addresses")
    load_mail_directory(config.directory.file)
    if mail.smime_key is not None:
        SmimeSigner.from_key_ref(mail.smime_key)


def mail_parts(config: GatewayConfig) -> MailParts | None:
    """The mail channel's SMTP sender and IMAP reader, or None without a ``[mail]`` section."""
    settings = config.mail_settings()
    if settings is None:
        return None
    if config.directory.file is None:  # load_config checks this too; a config built in code may not
        raise ConfigError("directory.file: the mail channel needs a directory file with e-mail addresses")
    directory = load_mail_directory(config.directory.file)
    reader = None
    imap = settings.imap
    if imap is not None:
        checkpoint = imap.checkpoint_file or config.gateway.data_dir / "mail-checkpoint.json"
        reader = ImapMailboxReader(imap, checkpoints=FileCheckpointStore(checkpoint))
    sender = SmtpSender(settings.smtp)
    log.info(
        "mail channel: sending as %s through %s:%d%s",
        settings.address,
        settings.smtp.host,
        settings.smtp.port,
        "" if imap is None else f", reading {imap.checkpoint_key}",
    )
    smime = None if settings.smime_key is None else SmimeSigner.from_key_ref(settings.smime_key)
    return MailParts(settings=settings, directory=directory, sender=sender, reader=reader, smime=smime)


def webhook_parts(config: GatewayConfig) -> WebhookParts:
    """The webhook delivery: one pooled HTTP client, the ``webhook`` channel's retry policy."""
    section = config.webhooks
    poster = HttpxPoster(
        PosterSettings(
            timeout_s=section.timeout_seconds,
            connect_timeout_s=section.connect_timeout_seconds,
            max_connections=section.max_connections,
            ca_file=None if section.ca_file is None else str(section.ca_file),
        )
    )
    policy = config.retry_policies().for_channel(WEBHOOK_CHANNEL)
    # The lease must outlast one POST; it is renewed after each one.
    lease = timedelta(seconds=max(60.0, 4 * (section.timeout_seconds + section.connect_timeout_seconds)))
    return WebhookParts(poster=poster, policy=policy, interval_s=section.poll_seconds, lease=lease)


def folder_watcher(
    config: GatewayConfig, services: Services, hooks: FolderHooks | None, outage: StoreOutage | None = None
) -> FolderWatcher | None:
    """The watched folders of ``[folders]``, or None when neither outbox nor inbox is set."""
    section = config.folders
    if section.outbox is None and section.inbox is None:
        return None
    outbox = (
        None
        if section.outbox is None
        else Outbox(section.outbox, services, ready_marker=section.ready_marker, hooks=hooks)
    )
    inbox = (
        None
        if section.inbox is None
        else InboxExport(section.inbox, services.store, when=section.export_when, start=section.inbox_start)
    )
    return FolderWatcher(
        outbox=outbox, inbox=inbox, scan_s=section.scan_seconds, outage=outage or StoreOutage()
    )


class ObservedGateway(Gateway):
    """The gateway with its live status and its observability (``/metrics``, ``/healthz``, ``/readyz``:
    hand ``observability.install_metrics`` and ``install_health`` to the HTTP app), and the one
    ``services`` every face (API, folders, pages) works through."""

    def __init__(
        self,
        parts: GatewayParts,
        *,
        status: RuntimeStatus,
        observability: Observability,
        services: Services,
    ) -> None:
        super().__init__(parts)
        self.status = status
        self.observability = observability
        self.services = services


@contextlib.asynccontextmanager
async def build_gateway(
    config: GatewayConfig, *, hooks: PollerHooks | None = None, folder_hooks: FolderHooks | None = None
) -> AsyncIterator[ObservedGateway]:
    """The gateway of ``config``, its clients closed and its store released on exit."""
    settings = runtime_settings(config)
    # Compile the schemas once here, before any worker thread does: libxml2 fails (or crashes) when
    # several threads of a process compile a schema for the first time at once.
    compiled_schema()
    signer = signer_for(config, settings)
    signing = config.signing_config()
    followed = signing.followed_trust()  # partners' certificates pinned later count without a restart
    verifier = Verifier(followed, signing.partner, limits=config.xml_limits())
    try:
        store = await asyncio.to_thread(
            Store,
            database_url=config.database_url,
            data_dir=config.gateway.data_dir,
            policies=config.retry_policies(),
            # Named so that `db upgrade` and the clerk's commands elsewhere know a gateway runs here.
            application_name=session_name(RUN),
        )
    except DBAPIError as exc:  # the server is down, refuses us, or the database is not there
        raise StoreError(f"cannot use the database: {first_line(exc.orig or exc)}") from exc
    # Only now that it answered: a start that never reached the server leaves the folder unmarked.
    mark_database_of_folder(config.gateway.data_dir, store.db.url)
    clients: dict[str, EcmsSoapClient] = {}
    mail: MailParts | None = None
    webhooks = webhook_parts(config)
    try:
        mail = mail_parts(config)
        for org in settings.orgs:
            clients[org.org_id] = EcmsSoapClient(soap_config(config, org.node_url))
        nodes: dict[str, EcmsNode] = dict(clients)
        status = RuntimeStatus()
        first = settings.orgs[0]
        directory = DirectoryKeeper(
            data_dir=config.gateway.data_dir,
            file=config.directory.file,
            node=None if config.directory.file else clients[first.org_id],
            node_url=first.node_url,
            on_loaded=lambda table: status.directory_loaded(table.source),
        )
        outage = StoreOutage()  # the process's: its workers, webhooks, folders and readiness share it
        observability = gateway_observability(
            store=store,
            readings=store,
            nodes=nodes,
            signer=signer,
            trust=followed,  # the metrics follow the folder as the verifier does
            files=config.gateway.data_dir / "files",
            mail=mail,
            status=status,
            outage=outage,
        )
        gateway: Gateway | None = None

        def wake() -> None:  # late-bound: the gateway is built from these parts
            if gateway is not None:
                gateway.wake()

        services = Services(
            store=store, settings=settings, routing=lambda: directory.table, wake=wake, status=status
        )
        folders = folder_watcher(config, services, folder_hooks, outage)
        parts = GatewayParts(
            store=store,
            nodes=nodes,
            signer=signer,
            verifier=verifier,
            directory=directory,
            settings=settings,
            limits=config.xml_limits(),
            hooks=hooks or PollerHooks(),
            mail=mail,
            recorder=observability.recorder,
            on_polled=status.polled,
            webhooks=webhooks,
            background=() if folders is None else (folders,),
            outage=outage,
        )
        gateway = ObservedGateway(parts, status=status, observability=observability, services=services)
        yield gateway
    finally:
        await webhooks.poster.aclose()
        for client in clients.values():
            await client.aclose()
        if mail is not None:
            await mail.sender.aclose()
            if mail.reader is not None:
                await mail.reader.aclose()
        store.close()


def app_hooks(config: GatewayConfig, gateway: ObservedGateway) -> Sequence[AppHook]:
    """What the other faces add to the HTTP app: /metrics (and request timing), /healthz, /readyz,
    and the web pages at / with the signing certificates for the operators' dashboard (and their page
    for the database out of reach)."""
    observability = gateway.observability
    certificates = certificate_statuses(config.signing_config(), gateway.parts.signer)
    pages = web_hook(gateway.services, mail=config.mail is not None, certificates=certificates)
    mail = mail_channel(config.mail is not None)
    # After the API's handlers: the pages' requests that find the database out of reach get a page.
    return (observability.install_metrics, observability.install_health, mail, pages, install_outage_page)


def thread_count(config: GatewayConfig) -> int:
    """The threads that run the gateway's blocking calls (store, codec, signing, files):
    ``runtime.threads``, else ``SQLITE_THREADS`` on SQLite and a thread per worker, four more and
    ``API_THREADS`` with ``[http]`` on PostgreSQL.

    On SQLite the process has one writer at a time (``Database``) and one thread runs Python at a
    time: more threads only queue for the two, and handing the interpreter lock between them cost
    the busiest gateway of bench/bench_e2e.py more CPU than it saved (docs/runtime.md, "Threads").
    On PostgreSQL a store call mostly waits for the server, and writers do not queue behind one lock.
    """
    if config.runtime.threads is not None:
        return config.runtime.threads
    if resolve_url(data_dir=config.gateway.data_dir, database_url=config.database_url).startswith("sqlite"):
        return SQLITE_THREADS
    threads = config.runtime.outbound_workers + config.runtime.inbound_workers + 4
    if config.http is not None and config.http.enabled:
        threads += API_THREADS
    return threads


async def serve(
    config: GatewayConfig, *, hooks: PollerHooks | None = None, folder_hooks: FolderHooks | None = None
) -> None:
    """Run the gateway of ``config`` (and its HTTP server with ``[http]``) until SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    threads = ThreadPoolExecutor(max_workers=thread_count(config), thread_name_prefix="gateway")
    loop.set_default_executor(threads)
    # Before anything opens: a second gateway on a SQLite data folder is refused here. On PostgreSQL
    # several processes may share the folder (its file store); the first keeps the pid file.
    database = resolve_url(data_dir=config.gateway.data_dir, database_url=config.database_url)
    # The pid file names this process from now on: a wake-up (`send`) before the gateway is built
    # must not end it (SIGUSR1's default); it looks for work when it starts anyway.
    loop.add_signal_handler(signal.SIGUSR1, lambda: None)
    with PidFile(config.gateway.data_dir, shared=not database.startswith("sqlite")):
        async with build_gateway(config, hooks=hooks, folder_hooks=folder_hooks) as gateway:
            face: HttpFace | None = None
            if config.http is not None and config.http.enabled:
                face = http_face(
                    config.http,
                    gateway.services,
                    grace_s=config.runtime.shutdown_grace_seconds,
                    extra=app_hooks(config, gateway),
                )
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, gateway.stop)
            loop.add_signal_handler(signal.SIGUSR1, gateway.wake)
            async with giving_back_memory():
                await _run(gateway, face)
    log.info("gateway stopped")


async def _run(gateway: Gateway, face: HttpFace | None) -> None:
    if face is None:
        await gateway.run()
        return
    log.info(
        "web pages at %s/, REST API at %s/api/v1 (documentation %s/docs)",
        face.address,
        face.address,
        face.address,
    )
    await run_together(gateway.run(), face, stop_main=gateway.stop)


def run_gateway(config_path: Path, *, hooks: PollerHooks | None = None) -> int:
    """``ecms-gateway run``: 0 after a clean stop."""
    return run_config(load_config(config_path), hooks=hooks)


def run_config(config: GatewayConfig, *, hooks: PollerHooks | None = None) -> int:
    """Run the gateway of an already loaded configuration; 0 after a clean stop."""
    asyncio.run(serve(config, hooks=hooks))
    return 0

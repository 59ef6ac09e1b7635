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
from datetime import UTC, datetime
from pathlib import Path

from ecms_adapters.api import AppHook
from ecms_adapters.mail import ImapMailboxReader, SmtpSender
from ecms_adapters.runtime.http import HttpFace, http_face, run_together
from ecms_adapters.soap import EcmsSoapClient, SoapClientConfig
from ecms_adapters.web import web_hook
from ecms_adapters.web.certs import certificate_statuses
from ecms_gateway.codec.schema import compiled_schema
from ecms_gateway.config import GatewayConfig, load_config
from ecms_gateway.engine import Store
from ecms_gateway.errors import ConfigError
from ecms_gateway.mail import FileCheckpointStore, SmimeSigner, load_mail_directory
from ecms_gateway.ports import EcmsNode
from ecms_gateway.runtime.control import PidFile
from ecms_gateway.runtime.directory import DirectoryKeeper
from ecms_gateway.runtime.gateway import Gateway, GatewayParts
from ecms_gateway.runtime.mail import MailParts
from ecms_gateway.runtime.poller import PollerHooks
from ecms_gateway.runtime.settings import RuntimeSettings, runtime_settings
from ecms_gateway.services.context import RuntimeStatus, Services
from ecms_gateway.signing import OutboundSigner, Verifier

log = logging.getLogger(__name__)
API_THREADS = 8
"""Worker threads added for the API's store calls (each request runs its store call in one)."""


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


@contextlib.asynccontextmanager
async def build_gateway(config: GatewayConfig, *, hooks: PollerHooks | None = None) -> AsyncIterator[Gateway]:
    """The gateway of ``config``, its clients closed and its store released on exit."""
    settings = runtime_settings(config)
    # Compile the schemas once here, before any worker thread does: libxml2 fails (or crashes) when
    # several threads of a process compile a schema for the first time at once.
    compiled_schema()
    signer = signer_for(config, settings)
    signing = config.signing_config()
    verifier = Verifier(signing.trust_store(), signing.partner, limits=config.xml_limits())
    store = await asyncio.to_thread(
        Store,
        database_url=config.database_url,
        data_dir=config.gateway.data_dir,
        policies=config.retry_policies(),
    )
    clients: dict[str, EcmsSoapClient] = {}
    mail: MailParts | None = None
    try:
        mail = mail_parts(config)
        for org in settings.orgs:
            clients[org.org_id] = EcmsSoapClient(soap_config(config, org.node_url))
        nodes: dict[str, EcmsNode] = dict(clients)
        first = settings.orgs[0]
        directory = DirectoryKeeper(
            data_dir=config.gateway.data_dir,
            file=config.directory.file,
            node=None if config.directory.file else clients[first.org_id],
            node_url=first.node_url,
        )
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
        )
        yield Gateway(parts)
    finally:
        for client in clients.values():
            await client.aclose()
        if mail is not None:
            await mail.sender.aclose()
            if mail.reader is not None:
                await mail.reader.aclose()
        store.close()


def services_for(gateway: Gateway) -> Services:
    """The one ``Services`` every face of this gateway (API, pages, folders, metrics) works through."""
    parts = gateway.parts
    return Services(
        store=parts.store,
        settings=parts.settings,
        routing=lambda: parts.directory.table,
        wake=gateway.wake,
        status=RuntimeStatus(started_at=datetime.now(UTC)),
    )


def app_hooks(config: GatewayConfig, services: Services) -> Sequence[AppHook]:
    """What the other faces add to the HTTP app (web pages, /metrics, webhook routes)."""
    # The web pages at / (adapters/ecms_adapters/web), with the signing certificates for the dashboard.
    web = web_hook(services, certificates=certificate_statuses(config.signing_config()))
    return (web,)


async def serve(config: GatewayConfig, *, hooks: PollerHooks | None = None) -> None:
    """Run the gateway of ``config`` (and its HTTP server with ``[http]``) until SIGINT or SIGTERM."""
    loop = asyncio.get_running_loop()
    threads = config.runtime.outbound_workers + config.runtime.inbound_workers + 4
    if config.http is not None and config.http.enabled:
        threads += API_THREADS
    loop.set_default_executor(ThreadPoolExecutor(max_workers=threads, thread_name_prefix="gateway"))
    async with build_gateway(config, hooks=hooks) as gateway:
        face: HttpFace | None = None
        if config.http is not None and config.http.enabled:
            services = services_for(gateway)
            face = http_face(
                config.http,
                services,
                grace_s=config.runtime.shutdown_grace_seconds,
                extra=app_hooks(config, services),
            )
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, gateway.stop)
        loop.add_signal_handler(signal.SIGUSR1, gateway.wake)
        with PidFile(config.gateway.data_dir):
            if face is None:
                await gateway.run()
            else:
                log.info(
                    "web pages at %s/, REST API at %s/api/v1 (documentation %s/docs)",
                    face.address,
                    face.address,
                    face.address,
                )
                await run_together(gateway.run(), face, stop_main=gateway.stop)
    log.info("gateway stopped")


def run_gateway(config_path: Path, *, hooks: PollerHooks | None = None) -> int:
    """``ecms-gateway run``: 0 after a clean stop."""
    config = load_config(config_path)
    asyncio.run(serve(config, hooks=hooks))
    return 0

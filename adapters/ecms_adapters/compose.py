"""The e-CMS node wired from the core's options and the adapters (HTTP server, SOAP relay).

``ecms-gateway node`` (``ecms_adapters.commands.node``) calls ``run_node``.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from ecms_adapters.http import Listen, create_node_app, server
from ecms_adapters.runtime.memory import giving_back_memory
from ecms_adapters.soap import SoapClientConfig, SoapRelay
from ecms_gateway.engine.context import utc_now
from ecms_gateway.errors import ConfigError
from ecms_gateway.logs import LogFormat, LogLevel, configure_logging
from ecms_gateway.node import NodeService, NodeSettings, describe_service, load_directory
from ecms_gateway.node.lock import only_node_in, only_node_on
from ecms_gateway.node.migrate import prepare
from ecms_gateway.node.options import NodeOptions
from ecms_gateway.store.database import Database
from ecms_gateway.store.sessions import session_name

log = logging.getLogger(__name__)


def run_node(options: NodeOptions) -> int:
    """Serve one e-CMS node until SIGINT/SIGTERM; 0 after a clean stop."""
    configure_logging(format=LogFormat(options.log_format), level=LogLevel(options.log_level))
    return asyncio.run(_serve_node(options))


async def _serve_node(options: NodeOptions) -> int:
    settings = NodeSettings(
        service_url=options.service_url,
        directory=load_directory(options.directory),
        retention=options.retention,
    )
    options.data_dir.mkdir(parents=True, exist_ok=True)
    # One node a data folder: two would serve the same queues and relay the same jobs.
    with only_node_on(options.data_dir):
        return await _serve(options, settings)


async def _serve(options: NodeOptions, settings: NodeSettings) -> int:
    db = Database(options.sqlalchemy_url(), application_name=session_name("node"))
    try:
        with only_node_in(db):  # PostgreSQL: one node a database, wherever the nodes run
            return await _serve_with(options, settings, db)
    finally:
        db.dispose()


def relay_client_config(options: NodeOptions) -> SoapClientConfig:
    """The client that forwards to other nodes: the node's relay TLS files and timeouts (each call
    names its node, so ``url`` is the node's own)."""
    return SoapClientConfig(
        url=options.service_url,
        ca_bundle=options.relay_ca_bundle,
        client_cert=options.relay_client_cert,
        client_key=options.relay_client_key,
        connect_timeout_s=options.relay_connect_timeout_s,
        read_timeout_s=options.relay_timeout_s,
        write_timeout_s=options.relay_timeout_s,
    )


async def _serve_with(options: NodeOptions, settings: NodeSettings, db: Database) -> int:
    await asyncio.to_thread(prepare, db)
    async with SoapRelay(relay_client_config(options)) as relay:
        service = NodeService(settings, db=db, relay=relay, clock=utc_now)
        if not service.served:
            raise ConfigError(
                f"no organisation in {options.directory} has ECMS-URL {settings.service_url}; list this "
                "node there, or start it with --public-url set to the URL the directory gives"
            )
        app = create_node_app(
            service,
            describe_service(settings.service_url),
            relay_interval_s=options.relay_interval_s,
            directory_file=options.directory,
        )
        listen = Listen(
            host=options.host,
            port=options.port,
            certfile=options.tls_cert,
            keyfile=options.tls_key,
            client_ca=options.tls_client_ca,
            log_level=options.log_level,
            own_logging=True,
            access_log=options.log_level in ("debug", "info"),  # shown only at those levels anyway
        )
        serving = f"e-CMS node at {settings.service_url} serving {', '.join(service.served)}"
        if LogFormat(options.log_format) is LogFormat.JSON:  # every line a record for log readers
            log.info("%s", serving)
        else:
            print(serving, file=sys.stderr, flush=True)
        async with giving_back_memory():
            await server(app, listen).serve()
    return 0

"""``ecms-gateway node``: run an e-CMS node (SOAP over HTTP) for the organisations a directory lists at it.

It wires adapters (the ASGI app, uvicorn, the SOAP relay), so it is one of the composition root's commands
(``ecms_adapters.cli.ADAPTER_COMMAND_MODULES``), not a core one.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ecms_gateway.errors import ConfigError, StoreError
from ecms_gateway.node.options import RELAY_CONNECT_TIMEOUT_S, RELAY_TIMEOUT_S, SERVICE_PATH, NodeOptions

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

# The options that name files the node reads, checked before it starts: TLS files were first opened
# after the node said it served, and a missing one ended it as an internal error.
_FILE_OPTIONS = (
    "tls_cert",
    "tls_key",
    "tls_client_ca",
    "relay_ca_bundle",
    "relay_client_cert",
    "relay_client_key",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    node = subparsers.add_parser(
        "node",
        help="run an e-CMS node (per-organisation queues, relay, directory) on this machine",
        description=(
            f"Serve the e-CMS SOAP service at {SERVICE_PATH} (WSDL at ?wsdl) for every organisation whose "
            "ECMS-URL in the directory is this node's URL. A node serving several organisations is told "
            "which one calls by ?org=<OrganizationID> on the service URL."
        ),
    )
    node.add_argument("--directory", type=Path, required=True, help="directory JSON (organisations, codes)")
    node.add_argument("--data-dir", type=Path, required=True, help="folder of the node's database")
    node.add_argument("--port", type=int, required=True, help="TCP port to listen on")
    node.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    node.add_argument(
        "--public-url", help="this node's URL as the directory lists it (default from host/port)"
    )
    node.add_argument("--database-url", help="PostgreSQL URL instead of SQLite in --data-dir")
    node.add_argument("--tls-cert", type=Path, help="serve HTTPS with this certificate (PEM)")
    node.add_argument("--tls-key", type=Path, help="the key of --tls-cert")
    node.add_argument("--tls-client-ca", type=Path, help="require client certificates from this CA")
    node.add_argument("--relay-ca-bundle", type=Path, help="CAs to trust when relaying to other nodes")
    node.add_argument("--relay-client-cert", type=Path, help="certificate to show other nodes when relaying")
    node.add_argument("--relay-client-key", type=Path, help="the key of --relay-client-cert")
    node.add_argument(
        "--relay-connect-timeout",
        metavar="SECONDS",
        help=f"how long to wait for a connection to another node (default {RELAY_CONNECT_TIMEOUT_S:g})",
    )
    node.add_argument(
        "--relay-timeout",
        metavar="SECONDS",
        help="how long to take sending a request to another node, and to wait for its reply "
        f"(default {RELAY_TIMEOUT_S:g})",
    )
    node.add_argument(
        "--log-level",
        default="warning",
        choices=["debug", "info", "warning", "error"],
        help="what the log shows (default warning; info adds a line per request)",
    )
    node.add_argument(
        "--log-format",
        default="text",
        choices=["json", "text"],
        help="log lines as JSON objects (one per line) or text (default text)",
    )
    node.add_argument(
        "--purge-after",
        metavar="AGE",
        help="drop queue items and receipts finished longer ago than AGE (e.g. 90d), at start and hourly; "
        "default: keep everything",
    )
    node.set_defaults(func=_run)
    _register_purge(subparsers)


def _register_purge(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    purge = subparsers.add_parser(
        "node-purge",
        help="drop what an e-CMS node has finished with, older than a retention",
        description=(
            "Delete the node's queue items that were fetched or withdrawn, and the receipts of requests "
            "delivered, relayed, refused or withdrawn, when that happened longer ago than --older-than. "
            "Items still waiting to be fetched and relay jobs still to forward are never touched. Safe "
            "while the node runs."
        ),
    )
    purge.add_argument(
        "--older-than", metavar="AGE", required=True, help="how long to keep what is finished (e.g. 90d, 12h)"
    )
    purge.add_argument("--data-dir", type=Path, required=True, help="the node's --data-dir")
    purge.add_argument("--database-url", help="the node's --database-url, when it has one")
    purge.set_defaults(func=_purge)


def _purge(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError  # noqa: PLC0415 - the parser imports this module

    from ecms_gateway.durations import parse_age  # noqa: PLC0415 - as above
    from ecms_gateway.engine.context import utc_now  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.node.migrate import current_revision, head_revision  # noqa: PLC0415 - as above
    from ecms_gateway.node.options import DATABASE_FILE  # noqa: PLC0415 - as above
    from ecms_gateway.node.purge import purge_finished  # noqa: PLC0415 - as above
    from ecms_gateway.store.database import Database  # noqa: PLC0415 - as above
    from ecms_gateway.store.sessions import session_name  # noqa: PLC0415 - as above

    retention = parse_age(args.older_than, option="--older-than")
    if args.database_url is None and not (args.data_dir / DATABASE_FILE).is_file():
        raise ConfigError(
            f"--data-dir: no node database in {args.data_dir} ({DATABASE_FILE}); give the --data-dir the "
            "node runs with (and its --database-url, when it has one)"
        )
    options = NodeOptions(directory=Path(), data_dir=args.data_dir, port=1, database_url=args.database_url)
    db = Database(options.sqlalchemy_url(), application_name=session_name("node-purge"))
    try:
        found = current_revision(db)
        if found != head_revision():
            raise ConfigError(
                f"the node's database is at revision {found or 'none (not a node database)'}, this version "
                f"needs {head_revision()}: start this version's node once to upgrade it, then purge"
            )
        before = utc_now() - retention
        purged = purge_finished(db, before=before)
    except DBAPIError as exc:
        raise StoreError(_database_problem(options, exc)) from exc
    finally:
        db.dispose()
    print(purged.summary(before))
    return 0


def _run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError  # noqa: PLC0415 - the parser imports this module

    from ecms_adapters.compose import run_node  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.cli.stores import make_folder  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.durations import parse_age  # noqa: PLC0415 - the parser imports this module

    if (args.tls_cert is None) != (args.tls_key is None):
        raise ConfigError("--tls-cert and --tls-key go together: give both to serve HTTPS, or neither")
    if args.tls_client_ca is not None and args.tls_cert is None:
        raise ConfigError("--tls-client-ca needs HTTPS: give --tls-cert and --tls-key too")
    if args.relay_client_key is not None and args.relay_client_cert is None:
        raise ConfigError("--relay-client-key needs --relay-client-cert: give the certificate too")
    if not 0 < args.port < 65536:
        raise ConfigError(f"--port {args.port} is not a TCP port (1-65535)")
    if args.public_url is not None:
        _check_public_url(args.public_url)
    connect_timeout = _seconds(args.relay_connect_timeout, "--relay-connect-timeout", RELAY_CONNECT_TIMEOUT_S)
    relay_timeout = _seconds(args.relay_timeout, "--relay-timeout", RELAY_TIMEOUT_S)
    _check_files(args)
    _check_free(args.host, args.port)
    retention = None if args.purge_after is None else parse_age(args.purge_after, option="--purge-after")
    options = NodeOptions(
        directory=args.directory,
        data_dir=args.data_dir,
        port=args.port,
        host=args.host,
        public_url=args.public_url,
        database_url=args.database_url,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        tls_client_ca=args.tls_client_ca,
        relay_ca_bundle=args.relay_ca_bundle,
        relay_client_cert=args.relay_client_cert,
        relay_client_key=args.relay_client_key,
        relay_connect_timeout_s=connect_timeout,
        relay_timeout_s=relay_timeout,
        log_level=args.log_level,
        log_format=args.log_format,
        retention=retention,
    )
    options.sqlalchemy_url()  # an unsupported --database-url is refused before anything is made
    # Made here so that a folder that cannot be made is named by the option that gave it.
    make_folder(args.data_dir, where_set="--data-dir")
    try:
        return run_node(options)
    except DBAPIError as exc:
        # Requests and the relay worker handle their own database errors: one that ends the node
        # comes from opening or upgrading its database, before it serves.
        raise StoreError(_database_problem(options, exc)) from exc


def _database_problem(options: NodeOptions, exc: DBAPIError) -> str:
    from ecms_gateway.cli.stores import first_line  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.store.database import url_without_secrets  # noqa: PLC0415 - as above

    said = first_line(exc.orig or exc)
    if options.database_url:
        shown = url_without_secrets(options.sqlalchemy_url())
        return f"--database-url: cannot use the node's database {shown}: {said}; check the URL and the server"
    return (
        f"--data-dir: cannot use the node's database in {options.data_dir}: {said}; "
        "the node needs to create and write files in that folder"
    )


def _check_public_url(url: str) -> None:
    """The node's own URL: the WSDL's address and every ``?xsd=`` link are made from it, so a query
    there (``?org=...``) gave ``...?org=A?xsd=messages.xsd``, which no client could load."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"--public-url {url!r} is not an http(s) URL; give this node's URL as the directory lists it, "
            f"e.g. https://node.example{SERVICE_PATH}"
        )
    if parts.query or parts.fragment:
        extra = f"?{parts.query}" if parts.query else f"#{parts.fragment}"
        raise ConfigError(
            f"--public-url names the node, not an organisation: leave out {extra} (the node serves every "
            "organisation the directory lists at that URL; a client says which one it is with ?org=)"
        )


def _seconds(text: str | None, option: str, default: float) -> float:
    """A number of seconds above zero (fractions allowed), or ``default`` when the option is not given;
    ``ConfigError`` naming ``option`` for anything else (``inf`` and ``nan`` too)."""
    if text is None:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigError(
            f"{option} {text!r} is not a number of seconds above zero; give one such as {default:g} "
            "(the default; fractions allowed)"
        )
    return seconds


def _check_files(args: argparse.Namespace) -> None:
    """Every file an option names can be read, or one sentence naming the options that fail."""
    faults = []
    for name in _FILE_OPTIONS:
        path: Path | None = getattr(args, name)
        if path is None:
            continue
        option = "--" + name.replace("_", "-")
        if not path.is_file():
            why = "is a folder, not a file" if path.is_dir() else "does not exist"
            faults.append(f"{option} {path} {why}")
        elif not os.access(path, os.R_OK):
            faults.append(f"{option} {path} cannot be read (permission denied)")
    if faults:
        raise ConfigError("; ".join(faults))


def _check_free(host: str, port: int) -> None:
    """Refuse a taken port in one sentence before the node says it serves (uvicorn would only log an
    error after that line and exit 3)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds it
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise ConfigError(
                    f"--host {host} is not an address of this machine; give one of its own addresses "
                    "(0.0.0.0 for all of them)"
                ) from exc
            why = (
                "is in use by another program" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc})"
            )
            raise ConfigError(
                f"--port: {host}:{port} {why}; stop that program or choose another --port"
            ) from exc

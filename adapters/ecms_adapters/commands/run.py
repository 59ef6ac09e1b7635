"""``ecms-gateway run``: start everything the configuration names (outbound workers, the inbound poller
and processors, notifiers, directory refresh) and run until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
from pathlib import Path

from ecms_gateway import logs
from ecms_gateway.cli.settings import CONFIG_ENV, add_config_option
from ecms_gateway.errors import ConfigError

LOG_LEVELS = tuple(level.value for level in logs.LogLevel)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = subparsers.add_parser(
        "run",
        help="run the gateway: send the outbox, poll the node, process what arrives, send notifiers",
        description=(
            "Run every worker the configuration names until SIGINT or SIGTERM (work in hand is finished "
            "or released). SIGUSR1, or `ecms-gateway poll-now`, polls the node and looks for work at once. "
            "The process id is kept in <data_dir>/gateway.pid."
        ),
    )
    add_config_option(run)
    run.add_argument(
        "--log-level", choices=LOG_LEVELS, help="default: logging.level of the configuration (info)"
    )
    run.set_defaults(func=_run)


def configure_logging(level: str, format: str = "text") -> None:
    """Log lines to standard error in ``format`` (json | text) from ``level`` up."""
    logs.configure_logging(format=logs.LogFormat(format), level=logs.LogLevel(level))


def config_path(args: argparse.Namespace) -> Path:
    path: Path | None = args.config
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is None:
        raise ConfigError(f"the gateway needs its configuration: --config FILE or ${CONFIG_ENV}")
    return path


def _run(args: argparse.Namespace) -> int:
    # SIGUSR1 ends a process by default: ignore it until the gateway handles it (a wake-up that comes
    # while starting, loading the gateway's modules included, is harmless: the first poll happens anyway).
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    from ecms_adapters.runtime.gateway import check_start, run_config  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.cli.stores import make_data_folders  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.config import load_config  # noqa: PLC0415 - the parser imports this module

    config = load_config(config_path(args))
    # The whole configuration is checked before anything is made: a refused start leaves no data folder.
    check_start(config)
    # The first start creates the store (README): its folder, or why it cannot be made, comes first.
    made = make_data_folders(data_dir=config.gateway.data_dir, database_url=config.database_url)
    configure_logging(args.log_level or config.logging.level, config.logging.format)
    try:
        return run_config(config)
    except BaseException:
        # A start that never reached the database (the server down) leaves no folder of its own behind.
        made.remove_unused()
        raise

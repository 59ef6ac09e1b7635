"""The ``--config`` option every command shares, and reading the configuration it names."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ecms_gateway.store.location import DATA_DIR_ENV, DATABASE_URL_ENV, default_data_dir
from ecms_gateway.xml.limits import DEFAULT_MAX_BYTES, XmlLimits

if TYPE_CHECKING:
    from ecms_gateway.config import GatewayConfig

CONFIG_ENV = "ECMS_GATEWAY_CONFIG"
WHERE_SET = f"gateway.data_dir (or {DATA_DIR_ENV})"
"""Where a command's data folder comes from, for commands without ``--data-dir``."""


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"the gateway's TOML configuration (default ${CONFIG_ENV}); options given here win over it",
    )


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """Where the store is, for the commands that read or act on it (``queue``, ``show``, ``letters``,
    ``audit ...``): ``--data-dir``, ``--database-url`` and ``--config``. Each option replaces only its
    own setting: with PostgreSQL the file store is still in the data folder, so both may be given."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"data folder: the file store, and the SQLite database unless a PostgreSQL URL is given "
        f"(default gateway.data_dir, ${DATA_DIR_ENV} or ./var)",
    )
    parser.add_argument(
        "--database-url",
        help=f"PostgreSQL URL instead of SQLite in the data folder "
        f"(default gateway.database_url or ${DATABASE_URL_ENV})",
    )
    add_config_option(parser)


def _config_path(args: argparse.Namespace) -> Path | None:
    path: Path | None = getattr(args, "config", None)
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    return path


def has_config(args: argparse.Namespace) -> bool:
    """True when ``--config`` or ``$ECMS_GATEWAY_CONFIG`` names a configuration file."""
    return _config_path(args) is not None


NOTHING_GIVEN = (
    f"--config FILE (none was given, nor {CONFIG_ENV}, {DATA_DIR_ENV} or {DATABASE_URL_ENV}, so the "
    "command looked in ./var)"
)
"""What to check when a command found no database where it looked only because nothing said where."""


def may_create(args: argparse.Namespace) -> bool:
    """True when the command line or the environment says where the gateway keeps its data (``--config``,
    ``$ECMS_GATEWAY_CONFIG``, ``$ECMS_GATEWAY_DATA_DIR``, ``$ECMS_GATEWAY_DATABASE_URL``): only then may
    ``send``, ``users add``, ``apikeys new`` and ``webhooks add`` make a new store. A clerk who forgot
    ``--config`` would otherwise queue a letter in a new ./var that no gateway reads; ``db upgrade``
    still starts a gateway in ./var on purpose."""
    return has_config(args) or bool(os.environ.get(DATA_DIR_ENV)) or bool(os.environ.get(DATABASE_URL_ENV))


def where_set(args: argparse.Namespace) -> str:
    """What chooses the data folder, for the message of a command that found no database there."""
    return WHERE_SET if may_create(args) else NOTHING_GIVEN


def config_from_args(args: argparse.Namespace) -> GatewayConfig:
    """The configuration named by ``--config`` or ``$ECMS_GATEWAY_CONFIG``, else the defaults."""
    from ecms_gateway.config import GatewayConfig, load_config  # noqa: PLC0415 - the parser imports this module

    path = _config_path(args)
    if path is not None:
        return load_config(path)
    # No file: the defaults, with the data folder from $ECMS_GATEWAY_DATA_DIR as a file would have it.
    defaults = GatewayConfig()
    return defaults.model_copy(
        update={"gateway": defaults.gateway.model_copy(update={"data_dir": default_data_dir()})}
    )


def add_xml_options(parser: argparse.ArgumentParser) -> None:
    """``--max-bytes`` and ``--config``, for commands that read XML."""
    parser.add_argument(
        "--max-bytes",
        type=int,
        help=f"refuse XML larger than this (default: the configuration's xml.max_bytes, {DEFAULT_MAX_BYTES})",
    )
    add_config_option(parser)


def xml_limits(args: argparse.Namespace) -> XmlLimits:
    """The XML size limit: ``--max-bytes`` if given, else the configuration's ``xml.max_bytes``."""
    if args.max_bytes:
        return XmlLimits(max_bytes=args.max_bytes)
    return config_from_args(args).xml_limits()

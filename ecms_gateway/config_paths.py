"""The paths a configuration names: made absolute from the configuration file's folder (the data
folder from ``ECMS_GATEWAY_DATA_DIR`` when set), and the files and folders among them that are not
there, each named by its key. ``config.config_from_mapping`` calls both after validating the keys."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ecms_gateway.store.location import DATA_DIR_ENV

if TYPE_CHECKING:
    from ecms_gateway.config import GatewayConfig


def resolve_paths(config: GatewayConfig, base: Path) -> GatewayConfig:
    def at(path: Path) -> Path:
        return path if path.is_absolute() else (base / path).resolve()

    env_dir = os.environ.get(DATA_DIR_ENV)
    data_dir = Path(env_dir) if env_dir else at(config.gateway.data_dir)
    keys = {
        org: key.model_copy(
            update={
                "key": at(key.key),
                "cert": at(key.cert),
                "passphrase_file": None if key.passphrase_file is None else at(key.passphrase_file),
            }
        )
        for org, key in config.signing.keys.items()
    }
    trust = None if config.signing.trust_dir is None else at(config.signing.trust_dir)
    ecms = config.ecms.model_copy(
        update={name: _at_opt(at, getattr(config.ecms, name)) for name in _ECMS_FILES}
    )
    directory = config.directory.model_copy(update={"file": _at_opt(at, config.directory.file)})
    mail = config.mail
    if mail is not None:
        smtp = mail.smtp.model_copy(
            update={name: _at_opt(at, getattr(mail.smtp, name)) for name in _MAIL_SERVER_FILES}
        )
        imap = mail.imap
        if imap is not None:
            files = (*_MAIL_SERVER_FILES, "checkpoint_file")
            imap = imap.model_copy(update={name: _at_opt(at, getattr(imap, name)) for name in files})
        smime_key = mail.smime_key
        if smime_key is not None:
            smime_key = smime_key.model_copy(
                update={
                    "key": at(smime_key.key),
                    "cert": at(smime_key.cert),
                    "passphrase_file": _at_opt(at, smime_key.passphrase_file),
                }
            )
        mail = mail.model_copy(update={"smtp": smtp, "imap": imap, "smime_key": smime_key})
    return config.model_copy(
        update={
            "gateway": config.gateway.model_copy(update={"data_dir": data_dir}),
            "signing": config.signing.model_copy(update={"keys": keys, "trust_dir": trust}),
            "ecms": ecms,
            "directory": directory,
            "mail": mail,
            **_resolve_integration(config, at),
        }
    )


def _resolve_integration(config: GatewayConfig, at: Callable[[Path], Path]) -> dict[str, Any]:
    folders, webhooks = config.folders, config.webhooks
    return {
        "folders": folders.model_copy(
            update={"outbox": _at_opt(at, folders.outbox), "inbox": _at_opt(at, folders.inbox)}
        ),
        "webhooks": webhooks.model_copy(update={"ca_file": _at_opt(at, webhooks.ca_file)}),
    }


_MAIL_SERVER_FILES = ("password_file", "ca_file")


def _mail_problems(config: GatewayConfig) -> list[str]:
    if config.mail is None:
        return []
    problems = []
    if config.directory.file is None:
        problems.append(
            "directory.file: the mail channel needs a directory file with each partner's e-mail "
            "address (the node's GetOrganizationList has none)"
        )
    servers = {"smtp": config.mail.smtp, "imap": config.mail.imap}
    for server, section in servers.items():
        for name in _MAIL_SERVER_FILES:
            path = None if section is None else getattr(section, name)
            if path is not None and not path.is_file():
                problems.append(f"mail.{server}.{name}: file {path} does not exist")
    return problems


_ECMS_FILES = ("ca_bundle", "client_cert", "client_key")


def _at_opt(at: Callable[[Path], Path], path: Path | None) -> Path | None:
    return None if path is None else at(path)


def file_problems(config: GatewayConfig) -> list[str]:
    problems = []
    for org, key in config.signing.keys.items():
        for name in ("key", "cert", "passphrase_file"):
            path = getattr(key, name)
            if path is not None and not path.is_file():
                problems.append(f"signing.keys.{org}.{name}: file {path} does not exist")
    trust = config.signing.trust_dir
    if trust is not None and not trust.is_dir():
        problems.append(f"signing.trust_dir: folder {trust} does not exist")
    smime = None if config.mail is None else config.mail.smime_key
    for name in ("key", "cert", "passphrase_file"):
        path = None if smime is None else getattr(smime, name)
        if path is not None and not path.is_file():
            problems.append(f"mail.smime_key.{name}: file {path} does not exist")
    for name in _ECMS_FILES:
        path = getattr(config.ecms, name)
        if path is not None and not path.is_file():
            problems.append(f"ecms.{name}: file {path} does not exist")
    if config.directory.file is not None and not config.directory.file.is_file():
        problems.append(f"directory.file: file {config.directory.file} does not exist")
    problems += _mail_problems(config)
    problems += _integration_problems(config)
    return problems


def _integration_problems(config: GatewayConfig) -> list[str]:
    problems = []
    ca_file = config.webhooks.ca_file
    if ca_file is not None and not ca_file.is_file():
        problems.append(f"webhooks.ca_file: file {ca_file} does not exist")
    outbox, inbox = config.folders.outbox, config.folders.inbox
    if outbox is not None and inbox is not None and (outbox == inbox or inbox.is_relative_to(outbox)):
        problems.append("folders.inbox: must not be the outbox folder or inside it; give each its own folder")
    return problems

"""The mail channel's settings as typed values: our saraban mailbox, the SMTP and IMAP servers, S/MIME.

The TOML configuration fills these (``[mail]``, ``[mail.smtp]``, ``[mail.imap]``); nothing here opens
a file or a socket until a password is asked for. Passwords never sit in the file: each server names
an environment variable or a file that holds it, as signing keys do for their passphrases.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

from ecms_gateway.errors import ConfigError
from ecms_gateway.signing.keys import KeyRef

DEFAULT_MAX_MESSAGE_BYTES: Final = 64 * 1024 * 1024
"""A received message above this size is quarantined unread (a letter with large PDFs fits)."""


class TlsMode(StrEnum):
    """How a connection to a mail server is protected; certificates are always checked."""

    IMPLICIT = "implicit"  # TLS from the first byte (SMTPS 465, IMAPS 993)
    STARTTLS = "starttls"  # plain connect, then STARTTLS before anything else (SMTP 587, IMAP 143)
    NONE = "none"  # no TLS at all: only to a server on this machine (loopback), e.g. in tests


class AfterCommit(StrEnum):
    """What the reader does to a message in the mailbox once the gateway has committed it."""

    FLAG_SEEN = "flag-seen"  # set \\Seen and leave it where it is
    MOVE = "move"  # move it to the processed folder


class FirstScan(StrEnum):
    """What the reader takes from a mailbox it has no checkpoint for (or whose UIDVALIDITY changed)."""

    ALL = "all"  # every message in the mailbox: nothing is missed; the store absorbs re-reads
    UNSEEN = "unseen"  # only messages without \\Seen: for a mailbox with years of history


@dataclass(frozen=True, kw_only=True)
class ServerLogin:
    """The user name for a mail server and where its password is kept (a file wins over a variable)."""

    username: str
    password_env: str | None = None
    password_file: Path | None = None

    def password(self, environ: Mapping[str, str] | None = None, *, section: str = "mail") -> str:
        """The password, read now; ``ConfigError`` naming ``section`` (``mail.imap``) and the variable or
        file when there is none."""
        who = f"{section}: the password of mail user {self.username!r}"
        if self.password_file is not None:
            try:
                text = self.password_file.read_bytes().rstrip(b"\r\n")
            except OSError as exc:
                raise ConfigError(
                    f"{who} cannot be read from {section}.password_file {self.password_file}: {exc.strerror}"
                ) from exc
            if not text:
                raise ConfigError(
                    f"{who}: {section}.password_file {self.password_file} is empty; write the password in it"
                )
            return text.decode("utf-8")
        env = os.environ if environ is None else environ
        value = env.get(self.password_env) if self.password_env else None
        if not value:
            where = (
                f"the environment variable {self.password_env} ({section}.password_env) is not set or empty"
                if self.password_env
                else f"neither {section}.password_file nor {section}.password_env is set"
            )
            raise ConfigError(f"{who} is missing: {where}; set one of them")
        return value


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    """The SMTP server (submission) through which the gateway sends."""

    host: str
    port: int = 587
    tls: TlsMode = TlsMode.STARTTLS
    login: ServerLogin | None = None
    ca_file: Path | None = None  # CA certificates to trust instead of the system's (a private CA)
    timeout_seconds: float = 60.0
    local_hostname: str | None = None  # the name given in EHLO (default: this machine's name)
    allow_insecure: bool = False  # permit tls = "none" to a host that is not loopback: never in production

    def check(self) -> None:
        _check_server("mail.smtp", self.host, self.port, self.tls, self.allow_insecure)


@dataclass(frozen=True, kw_only=True)
class ImapSettings:
    """The IMAP mailbox the gateway reads: our central saraban address."""

    host: str
    login: ServerLogin
    port: int = 993
    tls: TlsMode = TlsMode.IMPLICIT
    ca_file: Path | None = None
    timeout_seconds: float = 60.0
    mailbox: str = "INBOX"
    after_commit: AfterCommit = AfterCommit.FLAG_SEEN
    processed_folder: str = "Processed"  # where AfterCommit.MOVE puts messages (created when missing)
    use_idle: bool = True  # wait with IDLE when the server offers it; poll otherwise
    idle_renew_seconds: float = 25 * 60  # RFC 2177: re-issue IDLE before the server's 30-minute cut
    poll_seconds: float = 60.0  # how often to look when the server has no IDLE (or use_idle is off)
    batch_size: int = 20  # messages fetched (and flagged or moved) per round trip
    first_scan: FirstScan = FirstScan.ALL
    checkpoint_file: Path | None = None  # for FileCheckpointStore; the runtime puts it in the data dir
    allow_insecure: bool = False

    def check(self) -> None:
        _check_server("mail.imap", self.host, self.port, self.tls, self.allow_insecure)
        if self.batch_size < 1:
            raise ConfigError(f"mail.imap.batch_size: {self.batch_size} must be 1 or more")
        if self.after_commit is AfterCommit.MOVE and not self.processed_folder.strip():
            raise ConfigError("mail.imap.processed_folder: name a folder, or set after_commit = 'flag-seen'")

    @property
    def checkpoint_key(self) -> str:
        """Names this mailbox in a checkpoint store: user, server and folder."""
        return f"{self.login.username}@{self.host}:{self.port}/{self.mailbox}"


@dataclass(frozen=True, kw_only=True)
class MailPartner:
    """What one partner organisation gets from us by mail."""

    smime: bool = False  # sign the whole message with S/MIME (multipart/signed)


@dataclass(frozen=True, kw_only=True)
class MailSettings:
    """The mail channel of one of our organisations: who we are, how we send, where we read."""

    org_id: str
    address: str  # our central saraban address: From, envelope sender, and where partners write
    smtp: SmtpSettings
    imap: ImapSettings | None = None
    display_name: str | None = None  # the organisation's Thai name in From (default: from the directory)
    message_id_domain: str | None = None  # right-hand side of our Message-IDs (default: the address's)
    smime_key: KeyRef | None = None  # key and certificate for S/MIME; needed when any partner asks for it
    partners: Mapping[str, MailPartner] = field(default_factory=dict)
    default_partner: MailPartner = field(default_factory=MailPartner)
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES

    def check(self) -> None:
        """Raise ``ConfigError`` naming the key when the settings cannot work."""
        if "@" not in self.address or self.address.startswith("@") or self.address.endswith("@"):
            raise ConfigError(f"mail.address: {self.address!r} is not an e-mail address")
        self.smtp.check()
        if self.imap is not None:
            self.imap.check()
        wanted = [org for org, partner in self.partners.items() if partner.smime]
        if (wanted or self.default_partner.smime) and self.smime_key is None:
            who = ", ".join(wanted) or "every partner"
            raise ConfigError(f"mail.smime_key: S/MIME is asked for {who} but no key is configured")

    @property
    def domain(self) -> str:
        """The domain our Message-IDs end in."""
        return self.message_id_domain or self.address.rpartition("@")[2].lower()

    def partner(self, org_id: str) -> MailPartner:
        return self.partners.get(org_id, self.default_partner)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_server(key: str, host: str, port: int, tls: TlsMode, allow_insecure: bool) -> None:
    if not host.strip():
        raise ConfigError(f"{key}.host: name the server")
    if not 0 < port < 65536:
        raise ConfigError(f"{key}.port: {port} is not a TCP port (1-65535)")
    if tls is TlsMode.NONE and not is_loopback(host) and not allow_insecure:
        raise ConfigError(
            f"{key}.tls: 'none' would send the password and the letters in clear text to {host}; use "
            "'implicit' or 'starttls' (tls = 'none' is only for a server on this machine)"
        )

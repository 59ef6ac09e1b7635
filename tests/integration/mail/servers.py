"""Real mail servers on 127.0.0.1 for the mail tests: Dovecot (IMAP, with and without TLS, with and
without IDLE) serving Maildirs in a temporary folder, and aiosmtpd delivering into those Maildirs.

Dovecot refuses uid 0 as the mail user: as root the mailboxes belong to ``nobody``; as another user
everything runs as that user. Each pytest-xdist worker starts its own Dovecot on free ports.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
NOIDLE_HOST = "127.0.0.2"  # a second loopback address whose listener hides IDLE
PASSWORD = "letters-2569"
# Dovecot's default capabilities without IDLE (and without NOTIFY, which implies it).
_NO_IDLE_CAPS = (
    "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT SORT=DISPLAY THREAD=REFERENCES "
    "MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 "
    "CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE"
)


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class TlsFiles:
    cert: Path  # also the CA file clients trust: the certificate is self-signed
    key: Path


def make_tls_files(folder: Path, *, name: str = "localhost") -> TlsFiles:
    """A self-signed EC certificate for localhost, 127.0.0.1 and 127.0.0.2."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    alt = x509.SubjectAlternativeName(
        [x509.DNSName(name), x509.IPAddress(ip_address(HOST)), x509.IPAddress(ip_address(NOIDLE_HOST))]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(alt, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(cert=folder / f"{name}-cert.pem", key=folder / f"{name}-key.pem")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


@dataclass(frozen=True)
class MailUser:
    name: str
    password: str
    maildir: Path
    uid: int
    gid: int

    def deliver(self, raw: bytes, *, folder: str = "INBOX") -> Path:
        """Put ``raw`` into the mailbox as an MDA does: tmp/, fsync, owner, rename into new/ (LF ends)."""
        base = self.maildir if folder == "INBOX" else self.maildir / f".{folder}"
        for sub in ("tmp", "new", "cur"):
            _mkdir_owned(base / sub, self.uid, self.gid)
        unique = f"{time.time_ns()}.{uuid.uuid4().hex}.ecms-test"
        tmp = base / "tmp" / unique
        with tmp.open("wb") as handle:
            handle.write(raw.replace(b"\r\n", b"\n"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chown(tmp, self.uid, self.gid)
        target = base / "new" / unique
        os.rename(tmp, target)
        return target

    def files(self, folder: str = "INBOX") -> list[Path]:
        base = self.maildir if folder == "INBOX" else self.maildir / f".{folder}"
        return sorted(p for sub in ("new", "cur") if (base / sub).is_dir() for p in (base / sub).iterdir())


def _mkdir_owned(path: Path, uid: int, gid: int) -> None:
    for parent in reversed([path, *path.parents]):
        if not parent.exists():
            parent.mkdir(mode=0o700)
            os.chown(parent, uid, gid)


@dataclass
class Dovecot:
    """One Dovecot instance (``dovecot -F -c <conf>``) with users created on demand."""

    root: Path
    tls: TlsFiles
    imap_port: int = 0  # plain IMAP and STARTTLS
    imaps_port: int = 0  # implicit TLS
    noidle_port: int = 0  # plain IMAP on NOIDLE_HOST, IDLE not offered
    process: subprocess.Popen[bytes] | None = None
    users: dict[str, MailUser] = field(default_factory=dict)

    @property
    def mail_uid(self) -> tuple[int, int, str, str]:
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            return nobody.pw_uid, nobody.pw_gid, "nobody", grp.getgrgid(nobody.pw_gid).gr_name
        me = pwd.getpwuid(os.getuid())
        return me.pw_uid, me.pw_gid, me.pw_name, grp.getgrgid(me.pw_gid).gr_name

    def new_user(self, name: str | None = None) -> MailUser:
        """A fresh mailbox for a new user."""
        name = name or f"u{uuid.uuid4().hex[:10]}"
        uid, gid, _, _ = self.mail_uid
        user = MailUser(
            name=name, password=PASSWORD, maildir=self.root / "home" / name / "Maildir", uid=uid, gid=gid
        )
        _mkdir_owned(user.maildir, uid, gid)
        for sub in ("tmp", "new", "cur"):
            _mkdir_owned(user.maildir / sub, uid, gid)
        # One passwd file per user: Dovecot reads each on first use, so a new user is known at once.
        (self.root / "users" / name).write_text(f"{name}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
        self.users[name] = user
        return user

    def start(self) -> None:
        for attempt in range(3):
            self.imap_port, self.imaps_port = free_port(), free_port()
            self.noidle_port = free_port(NOIDLE_HOST)
            conf = self.root / "dovecot.conf"
            conf.write_text(self._config(), encoding="utf-8")
            with (self.root / "log" / "stderr.txt").open("ab") as log:
                self.process = subprocess.Popen(["dovecot", "-F", "-c", str(conf)], stdout=log, stderr=log)
            if self._wait_ready():
                return
            self.stop()
            if attempt == 2:
                raise RuntimeError(f"dovecot did not start: {self.log_text()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                for host, port in (
                    (HOST, self.imap_port),
                    (HOST, self.imaps_port),
                    (NOIDLE_HOST, self.noidle_port),
                ):
                    socket.create_connection((host, port), timeout=1).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def kick(self, user: str) -> bool:
        """Disconnect every IMAP session of ``user`` (``doveadm kick``), as a server restart would."""
        result = subprocess.run(
            ["doveadm", "-c", str(self.root / "dovecot.conf"), "kick", user],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.returncode == 0 and user in result.stdout

    def log_text(self) -> str:
        parts = [p.read_text(errors="replace") for p in (self.root / "log").glob("*") if p.is_file()]
        return "\n".join(parts)[-4000:]

    def _config(self) -> str:
        uid, gid, user, group = self.mail_uid
        root = self.root
        unprivileged = ""
        if os.geteuid() != 0:
            unprivileged = (
                f"default_login_user = {user}\ndefault_internal_user = {user}\n"
                f"default_internal_group = {group}\n"
            )
        return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/log/dovecot.log
protocols = imap
listen = {HOST}, {NOIDLE_HOST}
{unprivileged}
ssl = yes
ssl_cert = <{self.tls.cert}
ssl_key = <{self.tls.key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
mailbox_list_index = no
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {HOST}
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {self.imaps_port}
    ssl = yes
  }}
  inet_listener imapnoidle {{
    address = {NOIDLE_HOST}
    port = {self.noidle_port}
  }}
}}
service anvil {{
  chroot =
}}
local {NOIDLE_HOST} {{
  protocol imap {{
    imap_capability = {_NO_IDLE_CAPS}
  }}
}}
"""


def start_dovecot() -> Dovecot:
    """A running Dovecot in a new temporary folder that the mail user can enter."""
    if shutil.which("dovecot") is None:
        raise FileNotFoundError("dovecot")
    root = Path(tempfile.mkdtemp(prefix="ecms-dovecot-"))
    root.chmod(0o755)  # the mail user (nobody) must reach its home below
    for sub in ("run", "state", "log", "home", "users"):
        (root / sub).mkdir()
    (root / "home").chmod(0o755)
    server = Dovecot(root=root, tls=make_tls_files(root / "tls"))
    server.start()
    return server


def remove_dovecot(server: Dovecot) -> None:
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)

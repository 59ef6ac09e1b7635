"""Who is connected to the gateway's PostgreSQL database: every session the gateway opens names its
program, role and process (``application_name``), and ``pg_stat_activity`` lists the others.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from ecms_gateway.store.database import Database

PROGRAM: Final = "ecms-gateway"
NAME_LIMIT: Final = 63
"""PostgreSQL keeps the first 63 bytes of an ``application_name`` (NAMEDATALEN - 1)."""
RUN: Final = "run"
SERVING_ROLES: Final = frozenset({RUN, "node"})
"""The processes that go on working on the tables until stopped (the others end when their command does)."""


def session_name(role: str, *, host: str | None = None, pid: int | None = None) -> str:
    """``ecms-gateway <role> <host>:<pid>``: which program, doing what, on which machine and process.

    The host is cut short to keep the whole within PostgreSQL's 63 bytes; PostgreSQL keeps printable
    ASCII only, so anything else is written as ``?`` here as it would be there.
    """
    head = f"{PROGRAM} {_printable(role)} "
    tail = f":{os.getpid() if pid is None else pid}"
    where = _printable(socket.gethostname() if host is None else host)
    room = max(NAME_LIMIT - len(head) - len(tail), 1)
    return f"{head}{where[:room]}{tail}"[:NAME_LIMIT]


def _printable(value: str) -> str:
    return "".join(char if " " <= char <= "~" else "?" for char in value)


@dataclass(frozen=True, kw_only=True)
class GatewayName:
    """What a gateway session's ``application_name`` says: its role (``run``, ``node``, a command such as
    ``send`` or ``db upgrade``) and where it runs."""

    role: str
    host: str
    pid: int

    @property
    def where(self) -> str:
        return f"{self.host}:{self.pid}"


def parse_session_name(name: str) -> GatewayName | None:
    """The gateway session ``name`` describes (``session_name``'s form), or None for anything else."""
    program, _, rest = name.partition(" ")
    role, _, where = rest.rpartition(" ")
    host, _, pid = where.rpartition(":")
    if program != PROGRAM or not role or not host or not pid.isdigit():
        return None
    return GatewayName(role=role, host=host, pid=int(pid))


@dataclass(frozen=True, kw_only=True)
class Session:
    """Another client session on the database, as ``pg_stat_activity`` shows it."""

    application_name: str
    client: str | None  # the client's address; None over a local socket
    started: datetime | None

    @property
    def gateway(self) -> GatewayName | None:
        return parse_session_name(self.application_name)

    @property
    def serving(self) -> bool:
        """A gateway or node process (``run``, ``node``), not a command that ends by itself."""
        gateway = self.gateway
        return gateway is not None and gateway.role in SERVING_ROLES

    def describe(self) -> str:
        """``'ecms-gateway run host-b:4242' from 10.0.0.7, connected since 2026-11-20 08:00:00Z``."""
        name = repr(self.application_name) if self.application_name else "a session without application_name"
        client = f"from {self.client}" if self.client else "over a local socket"
        since = f", connected since {self.started.astimezone(UTC):%Y-%m-%d %H:%M:%SZ}" if self.started else ""
        return f"{name} {client}{since}"


def describe_all(sessions: Iterable[Session]) -> str:
    """Each process once (a gateway holds several sessions), oldest first, ``; `` between them:
    ``'ecms-gateway run host-b:4242' from 10.0.0.7, connected since 2026-11-20 08:00:00Z (4 sessions)``."""
    groups: dict[tuple[str, str | None], list[Session]] = {}
    for session in sessions:
        groups.setdefault((session.application_name, session.client), []).append(session)
    return "; ".join(
        group[0].describe() + (f" ({len(group)} sessions)" if len(group) > 1 else "")
        for group in groups.values()
    )


# Sessions of other database roles show no backend_type (nor address) to a role that may not see their
# activity (pg_read_all_stats): those are left out, as they were when only counted.
_OTHERS: Final = text(
    "SELECT application_name, host(client_addr) AS client, backend_start FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    " ORDER BY backend_start, pid"
)


def other_sessions(db: Database) -> list[Session]:
    """The other client sessions on this PostgreSQL database (gateways of any version, consoles,
    monitoring), oldest first; none on SQLite, where the data folder's pid file names a running gateway."""
    if db.dialect != "postgresql":
        return []
    with db.read() as conn:
        rows = conn.execute(_OTHERS).all()
    return [
        Session(application_name=row.application_name or "", client=row.client, started=row.backend_start)
        for row in rows
    ]


def gateways_running(url: str, *, role: str) -> list[GatewayName]:
    """The ``ecms-gateway run`` processes connected to the database at ``url``, asked in a session of
    ``role``; none on SQLite, and none when the database cannot be asked (the command has done its work
    by then: this only chooses its closing words)."""
    if make_url(url).get_backend_name() != "postgresql":
        return []
    db = Database(url, application_name=session_name(role))
    try:
        sessions = other_sessions(db)
    except DBAPIError:
        return []
    finally:
        db.dispose()
    found = (session.gateway for session in sessions)
    running = {gateway.where: gateway for gateway in found if gateway is not None and gateway.role == RUN}
    return list(running.values())  # each process once, though it holds several sessions

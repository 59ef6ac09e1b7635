"""One node on one data folder, and one on one PostgreSQL database.

``<data_dir>/ecms-node.lock`` is locked (``flock``) while a node runs there, so a second one started on
the folder is refused instead of serving the same queues and forwarding the same relay jobs beside
it; on PostgreSQL a session-level advisory lock does the same for nodes on other hosts. Both locks go
with the process, however it ends: a node that died leaves nothing to clean up. The file names the
holder's process id, and the database the holder's session, for the refusal.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Final

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ecms_gateway.errors import ConfigError
from ecms_gateway.store.database import Database
from ecms_gateway.store.sessions import describe_all, other_sessions

LOCK_FILE: Final = "ecms-node.lock"


@contextmanager
def only_node_on(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's node lock while the block runs; ``ConfigError`` when a node holds it."""
    descriptor = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 32, 0).decode("ascii", "replace").strip()
            process = f" (process {holder})" if holder.isdigit() else ""
            raise ConfigError(
                f"--data-dir: a node already runs on {data_dir}{process}: stop it first "
                f"(kill -TERM {holder or 'PID'}, or through the service manager), or give this node a "
                "--data-dir of its own"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock


_PG_NODE_KEY: Final = 0x45434D534E4F4445  # "ECMSNODE": the advisory lock of the node using a database


@contextmanager
def only_node_in(db: Database) -> Iterator[None]:
    """Hold the node lock of a PostgreSQL database while the block runs; ``ConfigError`` naming the node
    that holds it. Nodes on other hosts share no data folder, and two nodes on one database would both
    forward its relay jobs (the relay takes them without a lease). A session-level advisory lock: it
    goes with the node's session however the node ends. SQLite is covered by ``only_node_on``."""
    if db.dialect != "postgresql":
        yield
        return
    with db.engine.connect() as conn:
        taken = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _PG_NODE_KEY}).scalar()
        conn.commit()  # the lock is the session's, not the transaction's: nothing left open meanwhile
        if not taken:
            nodes = [s for s in other_sessions(db) if s.gateway is not None and s.gateway.role == "node"]
            holder = f" ({describe_all(nodes)})" if nodes else ""
            raise ConfigError(
                f"--database-url: a node already uses this database{holder}: stop it first, or give "
                "this node a database of its own (two nodes on one database would relay the same jobs)"
            )
        try:
            yield
        finally:
            with suppress(DBAPIError):  # the server may be gone: then so is the lock
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_NODE_KEY})
                conn.commit()

"""Where the database is and how to talk to it: SQLite (WAL) under the data directory by default,
PostgreSQL by URL; one ``Database`` hands out read and write transactions for either.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from ecms_gateway.errors import ConfigError, StoreError
from ecms_gateway.store.location import DATA_DIR_ENV as DATA_DIR_ENV  # noqa: PLC0414 - re-exported
from ecms_gateway.store.location import DATABASE_URL_ENV as DATABASE_URL_ENV  # noqa: PLC0414 - as above
from ecms_gateway.store.location import DEFAULT_DATA_DIR as DEFAULT_DATA_DIR  # noqa: PLC0414 - as above
from ecms_gateway.store.location import default_data_dir as default_data_dir  # noqa: PLC0414 - as above

SQLITE_FILE = "gateway.sqlite3"


_SECRET_PARAMETER: Final = re.compile(r"pass|secret|token", re.IGNORECASE)


def url_without_secrets(url: str | URL) -> str:
    """A database URL fit to show or write down: its password and any query parameter that holds one
    (``?password=...``, which libpq takes too) replaced."""
    parsed = make_url(url)
    query = {k: "hidden" if _SECRET_PARAMETER.search(k) else v for k, v in parsed.query.items()}
    return parsed.set(query=query).render_as_string(hide_password=True)


# SQLSTATE classes of a server that is out of reach: 08 connection exception, 57P01-57P03 the
# server shutting down, crashed or starting (psycopg gives none when it cannot connect at all).
_UNREACHABLE_STATES: Final = ("08", "57P01", "57P02", "57P03")


def unreachable(exc: BaseException) -> str | None:
    """The reason in one line when ``exc`` says the database server cannot be reached or dropped the
    connection (stopped, restarting, the network), else None: a fault of the statement or the data
    (a deadlock, a constraint, SQLite's busy file) is not an outage."""
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    if not exc.connection_invalidated:
        if not isinstance(exc, OperationalError) or "psycopg" not in type(orig).__module__:
            return None
        state = getattr(orig, "sqlstate", None)
        if state is not None and not str(state).startswith(_UNREACHABLE_STATES):
            return None
    lines = [line.strip() for line in str(orig or exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def resolve_url(*, data_dir: Path, database_url: str | None = None) -> str:
    """The SQLAlchemy URL to use: the given PostgreSQL/SQLite URL, else SQLite under ``data_dir``."""
    if not database_url:
        return f"sqlite:///{(data_dir / SQLITE_FILE).resolve()}"
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise ConfigError(
            f"database URL {database_url!r} is not a URL; write postgresql://user@host:port/dbname"
        ) from exc
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if backend == "sqlite" and url.database:
        return url.render_as_string(hide_password=False)
    raise ConfigError(
        f"database URL {url_without_secrets(url)!r} is not supported; "
        "use postgresql://user@host:port/dbname or sqlite:///path/to/file"
    )


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (``resolve_url``'s); None for PostgreSQL and in-memory SQLite.

    Commands that only read check it exists first: opening a SQLite file that is not there creates an
    empty database, which would pass a mistyped data folder off as an empty gateway.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


class Database:
    """An engine plus the transaction discipline of the store.

    On SQLite every write transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up
    front, so two writers wait for each other (busy timeout) instead of failing when a reader turns
    into a writer. Read transactions start deferred and never block writers (WAL).

    On SQLite the writers of one process also queue on a lock of their own before ``BEGIN IMMEDIATE``:
    SQLite's busy handler waits by sleeping (1, 2, 5 … 100 ms) and retrying, so threads of one process
    that contend for its single writer lose milliseconds per transaction; the Python lock hands over at
    once. Other processes on the same file still wait through the busy timeout.
    """

    def __init__(
        self, url: str, *, busy_timeout_s: float = 30.0, application_name: str | None = None
    ) -> None:
        """``application_name`` names every PostgreSQL session this opens (``sessions.session_name``:
        which program, role and process), unless the URL names them itself; SQLite has no sessions."""
        self.url = url
        self.engine: Engine = create_engine(url, **_engine_args(url, busy_timeout_s, application_name))
        self.dialect = self.engine.dialect.name
        # Re-entrant: a write opened inside another on the same thread fails by SQLite's busy timeout,
        # as it did before, instead of hanging for ever.
        self._writer: threading.RLock | None = None
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine, busy_timeout_s)
            self._writer = threading.RLock()

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[Connection]:
        """A transaction that commits when the block ends normally and rolls back otherwise.

        ``durable=False`` is for a commit whose loss in a power cut or an OS crash (not a process
        crash) undoes nothing anyone was told: it returns without waiting for the disk (SQLite:
        ``synchronous=NORMAL`` for it, PostgreSQL: ``synchronous_commit=off``). The next durable
        commit makes it durable too: the log is written in order.
        """
        if self._writer is None:
            with self.engine.begin() as conn:
                if not durable:
                    conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                yield conn
            return
        with self._writer, self._sqlite_transaction("BEGIN IMMEDIATE", durable=durable) as conn:
            yield conn

    @contextmanager
    def schema_write(self) -> Iterator[Connection]:
        """A write transaction for a migration step that copies tables (PostgreSQL: ``write``).

        SQLite changes a column by copying its table, dropping the old one and renaming the copy
        (Alembic's batch mode); with foreign keys on, the drop deletes the rows first and fails as soon
        as another table refers to one (a letter with its work items). So, as SQLite's own procedure for
        it says, foreign keys are off for the transaction (they can only be switched outside one) and
        ``PRAGMA foreign_key_check`` must find nothing pointing nowhere before it commits.
        """
        if self._writer is None:
            with self.write() as conn:
                yield conn
            return
        with self._writer, self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    yield conn
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        table, rowid, parent, _ = broken[0]
                        raise StoreError(
                            f"the schema change would leave {len(broken)} row(s) referring to rows that are "
                            f"not there (first: {table} row {rowid} → {parent}); nothing was changed"
                        )
                except BaseException:
                    conn.rollback()
                    raise
                conn.commit()
            finally:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A transaction for reading only (deferred on SQLite)."""
        if self._writer is not None:
            with self._sqlite_transaction("BEGIN") as conn:
                yield conn
            return
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _sqlite_transaction(self, begin: str, *, durable: bool = True) -> Iterator[Connection]:
        """SQLite: the driver runs in autocommit mode and the transaction is opened here, by statement.

        Not by a ``begin`` event listener: any listener of the connection's events makes SQLAlchemy
        dispatch before/after events around every statement, which cost a tenth of a busy worker's
        time in the store.
        """
        with self.engine.connect() as conn:
            if not durable:  # SQLite refuses to change it inside a transaction
                conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
            try:
                conn.exec_driver_sql(begin)  # SQLAlchemy's own begin does nothing on this driver
                try:
                    yield conn
                except BaseException:
                    conn.rollback()
                    raise
                conn.commit()
            finally:
                if not durable:
                    conn.exec_driver_sql("PRAGMA synchronous=FULL")

    def dispose(self) -> None:
        self.engine.dispose()


def _engine_args(url: str, busy_timeout_s: float, application_name: str | None) -> dict[str, Any]:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"connect_args": {"timeout": busy_timeout_s}}
    # No pre-ping: it costs a round trip per transaction; a connection dropped by the server fails
    # its next transaction, which the worker's retry policy treats as transient.
    args: dict[str, Any] = {"pool_recycle": 1800}
    connect: dict[str, Any] = {}
    # The operator's ?application_name= and ?connect_timeout= win: SQLAlchemy would let connect_args
    # override the URL's.
    if application_name and "application_name" not in parsed.query:
        connect["application_name"] = application_name
    # Without it libpq waits for a server that takes the connection but never answers (a host gone
    # from the network, a full backlog) until the system's TCP timeout, minutes, holding a worker
    # thread or a readiness probe all that time.
    if "connect_timeout" not in parsed.query:
        connect["connect_timeout"] = max(1, round(CONNECT_TIMEOUT_S))
    if connect:
        args["connect_args"] = connect
    return args


CONNECT_TIMEOUT_S: Final = 10.0
"""How long a new PostgreSQL connection may take (libpq's ``connect_timeout``) unless the URL says."""


def _create_private(database: Path) -> None:
    """A new SQLite file is its owner's only, as the file store's files are: it holds password hashes,
    API key digests, webhook secrets and the letters. SQLite gives its -wal and -shm files its mode."""
    # An existing file keeps its mode; one that cannot be made is SQLite's to report when it opens it.
    with suppress(OSError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _configure_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    database = engine.url.database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        _create_private(Path(database))

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the "begin" hook below opens every transaction itself
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: an item acknowledged to its sender must survive a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

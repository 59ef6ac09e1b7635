"""Schema migrations (Alembic, packaged with the gateway): ``upgrade`` for ``ecms-gateway db upgrade``,
``prepare`` for the runtime (migrates an empty database, refuses an outdated one).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text

from ecms_gateway.errors import SchemaNewer, SchemaOutdated
from ecms_gateway.store.database import Database
from ecms_gateway.store.tables import METADATA

_SCRIPT_LOCATION = str(Path(__file__).with_name("migrations"))
_PG_LOCK_KEY = 0x45434D53  # "ECMS": one advisory lock id for schema changes


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", _SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the packaged migrations have no head revision")
    return head


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def known_revisions() -> set[str]:
    """Every revision this gateway's migrations name."""
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def upgrade(db: Database, revision: str = "head") -> tuple[str | None, str]:
    """Bring the schema to ``revision``; returns (revision before, revision after)."""
    with _schema_lock(db), db.write() as conn:
        before = current_revision(conn)
        _refuse_newer(before)
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
        return before, current_revision(conn) or ""


def prepare(db: Database) -> None:
    """Make the database usable by this gateway: migrate it when empty, refuse it when outdated."""
    with db.read() as conn:
        revision = current_revision(conn)
        tables = set(inspect(conn).get_table_names())
    head = head_revision()
    if revision == head:
        return
    if revision is None and not tables & set(METADATA.tables):
        upgrade(db)
        return
    if revision is None:
        raise SchemaOutdated(
            "the database has gateway tables but no migration record; it was not created by "
            "`ecms-gateway db upgrade`: point the gateway at an empty database or restore a backup"
        )
    _refuse_newer(revision)
    raise SchemaOutdated(
        f"the database schema is at revision {revision}, this gateway needs {head}: "
        "run `ecms-gateway db upgrade` (or use the gateway version that wrote it)"
    )


def _refuse_newer(revision: str | None) -> None:
    """A revision these migrations do not name was written by a newer gateway: neither running on it
    nor migrating it can be right."""
    if revision is None or revision in known_revisions():
        return
    raise SchemaNewer(
        f"the database schema is at revision {revision}, newer than this gateway knows (up to "
        f"{head_revision()}): a newer version of the gateway upgraded it; run that version, or restore "
        'the backup taken before its `ecms-gateway db upgrade` (docs/operations.md, "Upgrading")'
    )


@contextmanager
def _schema_lock(db: Database) -> Iterator[None]:
    """One migrator at a time, across processes and machines."""
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})
                conn.commit()
        return
    database = db.engine.url.database or ""
    lock_path = Path(f"{database}.migrate-lock")
    with lock_path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

"""Schema migrations (Alembic, packaged with the gateway): ``upgrade`` for ``ecms-gateway db upgrade``,
``downgrade`` for ``ecms-gateway db downgrade``, ``prepare`` for the runtime (migrates an empty database,
refuses an outdated one).
"""

from __future__ import annotations

import fcntl
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from ecms_gateway.errors import DowngradeRefused, InputError, SchemaNewer, SchemaOutdated, StoreError
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


Step = Callable[[Connection, str, str], None]
"""Called in a downgrade step's transaction, after the step, with the revisions it went from and to."""


def revisions() -> list[str]:
    """This gateway's revisions, oldest first."""
    scripts = ScriptDirectory.from_config(alembic_config()).walk_revisions()
    return [script.revision for script in reversed(list(scripts))]


def downgrade_steps(current: str | None, target: str) -> list[tuple[str, str]]:
    """The steps from ``current`` down to ``target``, each (from, to), newest first; none when the
    database is at ``target`` already. Refuses what cannot be a way down, saying which revisions there
    are and where the database is."""
    known = revisions()
    listed = ", ".join(known)
    if target == "base":
        raise InputError(
            "`base` would drop every table, the audit chain with them: the lowest revision "
            f"`ecms-gateway db downgrade` goes to is {known[0]}; to start afresh, give the gateway a new, "
            "empty database instead"
        )
    if target not in known:
        raise InputError(
            f"no revision {target!r}: this gateway's revisions are {listed}; the database is at "
            f"{current or 'none'}"
        )
    if current is None:
        raise StoreError(
            "the database has no schema revision (it is empty, or was not made by `ecms-gateway db "
            "upgrade`): there is nothing to take down"
        )
    if current not in known:
        raise SchemaNewer(
            f"the database schema is at revision {current}, newer than this gateway knows (its revisions "
            f"are {listed}): take it down with the version that upgraded it (its `ecms-gateway db "
            "downgrade`), then with this one"
        )
    if known.index(target) > known.index(current):
        raise StoreError(
            f"revision {target} is above the database's revision {current}: `db downgrade` only goes down "
            f"(this gateway's revisions are {listed}); `ecms-gateway db upgrade` goes up"
        )
    way = known[known.index(target) : known.index(current) + 1]
    return [(upper, lower) for lower, upper in reversed(list(itertools.pairwise(way)))]


def downgrade(db: Database, target: str, *, step: Step | None = None) -> tuple[str, str]:
    """Take the schema down to ``target``, one revision per transaction, as Alembic's
    ``transaction_per_migration`` would; returns (revision before, revision after).

    Each step runs with ``step`` (the audit entry of it) in its own transaction: a step that refuses
    (``DowngradeRefused``: rows would be lost) or fails rolls back alone, the steps before it stay
    done, and the error says at which revision the database now is. On SQLite the transaction runs
    with foreign keys off (``Database.schema_write``): the batch copies of ``letter`` and
    ``inbox_item`` could not drop the old table while work items and letters refer to it.
    """
    with _schema_lock(db):
        with db.read() as conn:
            before = current_revision(conn)
        steps = downgrade_steps(before, target)
        at = before or ""
        for upper, lower in steps:
            try:
                with db.schema_write() as conn:
                    config = alembic_config()
                    config.attributes["connection"] = conn
                    command.downgrade(config, lower)
                    if step is not None:
                        step(conn, upper, lower)
            except DowngradeRefused as exc:
                raise DowngradeRefused(f"{exc} {_stays(at, before)}") from exc
            except StoreError as exc:
                raise StoreError(f"{exc} {_stays(at, before)}") from exc
            except DBAPIError as exc:
                reason = str(exc.orig or exc).strip().splitlines()[0]
                raise StoreError(
                    f"taking the schema from {upper} to {lower} failed: {reason}. {_stays(at, before)}"
                ) from exc
            at = lower
        return before or "", at


def _stays(at: str, before: str | None) -> str:
    """Where a downgrade that stopped left the database: its steps before the one that stopped stay done."""
    if at == before:
        return f"The database stays at revision {at}."
    return f"The database is at revision {at} (taken down from {before} before this step)."


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

"""The node's schema migrations (Alembic, its own history in ``node_alembic_version``).

A node owns its database: ``prepare`` brings it to the newest revision when the node starts.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ecms_gateway.store.database import Database

_SCRIPT_LOCATION = str(Path(__file__).with_name("migrations"))
VERSION_TABLE = "node_alembic_version"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", _SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("the node's migrations have no head revision")
    return head


def current_revision(db: Database) -> str | None:
    with db.read() as conn:
        return MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}).get_current_revision()


def prepare(db: Database) -> None:
    """Bring the node's tables to the newest revision (one transaction; a no-op when current)."""
    if current_revision(db) == head_revision():
        return
    with db.write() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

"""The schema revision this gateway's migrations end at, and whether a database is at it, asked with one
SELECT: opening a current database needs no Alembic (which costs a command about 0.2 s of CPU to load);
anything else (an empty, outdated or newer database) goes to ``migrate.prepare``.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ecms_gateway.store.database import Database

HEAD: Final = "0009"
"""The last revision in ``store/migrations/versions`` (``tests`` check it against Alembic's head)."""

_VERSIONS: Final = text("SELECT version_num FROM alembic_version")


def is_current(db: Database) -> bool:
    """True when the database's schema is at ``HEAD``; False when it is not or cannot say (no
    ``alembic_version`` table yet): then ``migrate.prepare`` decides, with Alembic."""
    try:
        with db.read() as conn:
            return [row[0] for row in conn.execute(_VERSIONS)] == [HEAD]
    except DBAPIError:
        return False

"""Registry numbers (เลขทะเบียนส่ง / เลขทะเบียนรับ): per organisation and calendar year, from 1,
gap-free and unique, allocated inside the transaction that uses the number.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy import Connection, Insert, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ecms_gateway.letter.thai import THAI_TIME  # the registry year turns at midnight Bangkok time
from ecms_gateway.store.tables import COUNTER


class Register(StrEnum):
    """The two registers of a saraban office."""

    OUTGOING = "out"  # ทะเบียนหนังสือส่ง
    RECEIVE = "in"  # ทะเบียนหนังสือรับ


def registry_year(now: datetime) -> int:
    """The (Gregorian) calendar year in Thailand at ``now``."""
    return now.astimezone(THAI_TIME).year


def _upsert(dialect: str) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(COUNTER).values(
        org=bindparam("p_org"), kind=bindparam("p_kind"), year=bindparam("p_year"), last_no=1
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[COUNTER.c.org, COUNTER.c.kind, COUNTER.c.year],
        set_={"last_no": COUNTER.c.last_no + 1},
    )
    return stmt.returning(COUNTER.c.last_no)


# Built once per dialect (SQLAlchemy reuses their compiled forms).
_UPSERT: Final = {"postgresql": _upsert("postgresql"), "sqlite": _upsert("sqlite")}


def allocate(conn: Connection, *, org: str, register: Register, year: int) -> int:
    """The next number of ``register`` for ``org`` in ``year``, counting from 1.

    One upsert both creates the counter and increments it, and keeps the row locked until the
    caller's transaction ends: a rollback gives the number back, so numbers stay gap-free.
    """
    stmt = _UPSERT["postgresql" if conn.dialect.name == "postgresql" else "sqlite"]
    return int(conn.execute(stmt, {"p_org": org, "p_kind": register.value, "p_year": year}).scalar_one())

"""Alembic environment: always run from ``ecms_gateway.store.migrate`` with an open connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ecms_gateway.store.tables import METADATA

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations with `ecms-gateway db upgrade`, which passes the connection")

context.configure(
    connection=connection,
    target_metadata=METADATA,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

"""Alembic environment of the node's tables: always run from ``ecms_gateway.node.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ecms_gateway.node.migrate import VERSION_TABLE
from ecms_gateway.node.tables import NODE_METADATA

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "run the node's migrations through ecms_gateway.node.migrate, which passes the connection"
    )

context.configure(
    connection=connection,
    target_metadata=NODE_METADATA,
    version_table=VERSION_TABLE,  # the node may share a database with a gateway: its own history
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=lambda name, kind, _parent: kind != "table" or name in NODE_METADATA.tables,
)
with context.begin_transaction():
    context.run_migrations()

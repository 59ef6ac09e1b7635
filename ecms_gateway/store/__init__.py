"""Persistence: SQLModel tables, the database (SQLite by default, PostgreSQL by URL), packaged
Alembic migrations, and the content-addressed file store for letter files and raw items.
"""

from typing import TYPE_CHECKING

from ecms_gateway.lazy import exports

if TYPE_CHECKING:
    from ecms_gateway.store.database import Database, default_data_dir, resolve_url
    from ecms_gateway.store.files import FileStore, LocalFileStore
    from ecms_gateway.store.migrate import prepare, upgrade

__all__ = ["Database", "FileStore", "LocalFileStore", "default_data_dir", "prepare", "resolve_url", "upgrade"]

# Each name loads its module when first used: the package's light modules stay light.
__getattr__ = exports(
    __name__,
    {
        "Database": "database",
        "default_data_dir": "database",
        "resolve_url": "database",
        "FileStore": "files",
        "LocalFileStore": "files",
        "prepare": "migrate",
        "upgrade": "migrate",
    },
)

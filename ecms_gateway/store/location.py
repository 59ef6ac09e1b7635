"""Where the store is when nothing else says: the environment variables and the default data folder.

Apart from ``database`` so that the configuration and the command line's parser name them without
importing SQLAlchemy.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "ECMS_GATEWAY_DATA_DIR"
DATABASE_URL_ENV = "ECMS_GATEWAY_DATABASE_URL"
DEFAULT_DATA_DIR = Path("var")


def default_data_dir() -> Path:
    """``$ECMS_GATEWAY_DATA_DIR`` or ``./var``."""
    return Path(os.environ.get(DATA_DIR_ENV) or DEFAULT_DATA_DIR)

"""Log lines that say which letter they are about: a context (letter id, work id, organisation) kept in
contextvars by the work loop and the poller, and formatters that write it on every line, as JSON
objects (one per line, for a log pipeline) or as text (for a person at a terminal).

The context travels with ``asyncio`` tasks and into ``asyncio.to_thread``, so lines that library code
logs while a letter is in hand carry its id too. Only ids go in the context, never letter contents.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from typing import IO, Any, Final

_LETTER_ID: ContextVar[int | None] = ContextVar("ecms_letter_id", default=None)
_WORK_ID: ContextVar[int | None] = ContextVar("ecms_work_id", default=None)
_ORG: ContextVar[str | None] = ContextVar("ecms_org", default=None)

CONTEXT_FIELDS: Final = ("letter_id", "work_id", "org")
"""The names the context is written under, in JSON and in text."""


class LogFormat(StrEnum):
    """How log lines are written to standard error."""

    JSON = "json"  # one JSON object per line: time, level, logger, message, letter_id, work_id, org
    TEXT = "text"  # one readable line: time level logger: message [letter_id=.. work_id=..]


class LogLevel(StrEnum):
    """The lowest level written."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@contextmanager
def log_context(
    *, letter_id: int | None = None, work_id: int | None = None, org: str | None = None
) -> Iterator[None]:
    """Every line logged inside (in this task and threads it starts) names what is given here."""
    letter = None if letter_id is None else _LETTER_ID.set(letter_id)
    work = None if work_id is None else _WORK_ID.set(work_id)
    organisation = None if org is None else _ORG.set(org)
    try:
        yield
    finally:
        if organisation is not None:
            _ORG.reset(organisation)
        if work is not None:
            _WORK_ID.reset(work)
        if letter is not None:
            _LETTER_ID.reset(letter)


def current_context() -> dict[str, int | str]:
    """The context fields that are known now (none of them when nothing is in hand)."""
    values = {"letter_id": _LETTER_ID.get(), "work_id": _WORK_ID.get(), "org": _ORG.get()}
    return {name: value for name, value in values.items() if value is not None}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; Thai stays readable (no ``\\uXXXX`` escapes)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(current_context())
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger: message`` and, when known, ``[letter_id=42 work_id=7 org=...]``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = current_context()
        if not context:
            return line
        tags = " ".join(f"{name}={value}" for name, value in context.items())
        head, newline, rest = line.partition("\n")  # keep a traceback below the tagged first line
        return f"{head} [{tags}]{newline}{rest}"


_HANDLER_NAME: Final = "ecms-gateway"

QUIETED: Final = {
    "httpx": logging.WARNING,  # every request URL at info: for debugging the client only
    "aioimaplib": logging.WARNING,  # every byte received at debug: whole messages, i.e. letter contents
    "alembic.runtime.plugins": logging.WARNING,  # "setup plugin ..." a line per plugin, each start
}
"""Library loggers held at a level whatever ``level`` says, because they would log too much or what
must never be logged. (SQLAlchemy holds its own at warning; its statements carry letter fields.)"""


class _AlembicBoilerplate(logging.Filter):
    """Alembic says which dialect it uses and that DDL is transactional every time the store checks its
    revision (each start): noise in an operator's log. What it migrates ("Running upgrade ...") stays."""

    SAID: Final = ("Context impl ", "Will assume ")

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.SAID)


_ALEMBIC_FILTER: Final = _AlembicBoilerplate()


def configure_logging(
    *, format: LogFormat = LogFormat.TEXT, level: LogLevel = LogLevel.INFO, stream: IO[str] | None = None
) -> logging.Handler:
    """Send every logger's lines to ``stream`` (standard error) in ``format``; replaces what an
    earlier call installed, so a command may call it again after reading its configuration."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if format is LogFormat.JSON else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.value.upper())
    for name, quiet in QUIETED.items():
        logging.getLogger(name).setLevel(quiet)
    migration = logging.getLogger("alembic.runtime.migration")
    if _ALEMBIC_FILTER not in migration.filters:
        migration.addFilter(_ALEMBIC_FILTER)
    return handler

"""Log lines name the letter and work item in hand, as one JSON object per line or as tagged text."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from ecms_gateway.logs import (
    JsonFormatter,
    LogFormat,
    LogLevel,
    TextFormatter,
    configure_logging,
    current_context,
    log_context,
)
from ecms_gateway.store.database import Database
from ecms_gateway.store.migrate import upgrade


def _record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            info = sys.exc_info()
    return logging.LogRecord("ecms_gateway.test", logging.WARNING, __file__, 1, message, args, info)


def test_a_json_line_has_time_level_logger_message_and_the_ids_in_hand() -> None:
    with log_context(letter_id=42, work_id=7, org="2099000000"):
        line = JsonFormatter().format(_record("หนังสือ %s failed", "ศธ 0990/1"))
    entry = json.loads(line)
    assert entry["level"] == "warning"
    assert entry["logger"] == "ecms_gateway.test"
    assert entry["message"] == "หนังสือ ศธ 0990/1 failed"
    assert (entry["letter_id"], entry["work_id"], entry["org"]) == (42, 7, "2099000000")
    assert entry["time"].endswith("+00:00")
    assert "\\u0e" not in line, "Thai is written as itself, not as escapes"


def test_a_json_line_outside_any_letter_has_no_ids_and_a_traceback_stays_on_one_line() -> None:
    line = JsonFormatter().format(_record("cannot claim", exc=True))
    entry = json.loads(line)
    assert not {"letter_id", "work_id", "org"} & set(entry)
    assert "ValueError: boom" in entry["exception"]
    assert "\n" not in line


def test_the_context_is_restored_on_exit_and_nested_contexts_add_to_it() -> None:
    with log_context(org="2099000000"):
        with log_context(letter_id=1, work_id=2):
            assert current_context() == {"letter_id": 1, "work_id": 2, "org": "2099000000"}
        assert current_context() == {"org": "2099000000"}
    assert current_context() == {}


def test_lines_logged_in_a_worker_thread_carry_the_letter_of_the_task_that_started_it() -> None:
    async def scenario() -> dict[str, int | str]:
        with log_context(letter_id=5, work_id=9):
            return await asyncio.to_thread(current_context)

    assert asyncio.run(scenario()) == {"letter_id": 5, "work_id": 9}


def test_text_lines_put_the_ids_after_the_message_and_before_a_traceback() -> None:
    with log_context(letter_id=3):
        text = TextFormatter().format(_record("stored", exc=True))
    first, _, rest = text.partition("\n")
    assert first.endswith("WARNING ecms_gateway.test: stored [letter_id=3]")
    assert "ValueError: boom" in rest


@pytest.mark.parametrize("fmt", list(LogFormat))
def test_configuring_twice_keeps_one_handler_with_the_last_format(fmt: LogFormat) -> None:
    first, second = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        configure_logging(format=LogFormat.TEXT, level=LogLevel.INFO, stream=first)
        configure_logging(format=fmt, level=LogLevel.WARNING, stream=second)
        logging.getLogger("ecms_gateway.x").info("not written: below warning")
        logging.getLogger("ecms_gateway.x").warning("written once")
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)
    assert first.getvalue() == ""
    lines = second.getvalue().splitlines()
    assert len(lines) == 1
    assert "written once" in lines[0]
    if fmt is LogFormat.JSON:
        assert json.loads(lines[0])["message"] == "written once"


def test_at_debug_the_imap_library_still_writes_no_message_bytes() -> None:
    """aioimaplib logs every byte it receives at debug (whole mails, i.e. letters): it stays quiet."""
    stream = io.StringIO()
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        configure_logging(format=LogFormat.JSON, level=LogLevel.DEBUG, stream=stream)
        logging.getLogger("aioimaplib.aioimaplib").debug("Received : b'Subject: LEAK'")
        logging.getLogger("ecms_gateway.x").debug("our own debug line")
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)
    assert "LEAK" not in stream.getvalue()
    assert "our own debug line" in stream.getvalue()


def test_alembics_start_up_boilerplate_is_left_out_but_what_it_migrates_is_logged(tmp_path: Path) -> None:
    """Every start checks the store's revision, and Alembic said "Context impl SQLiteImpl." and "Will
    assume non-transactional DDL." each time; a migration it runs is still said."""
    stream = io.StringIO()
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        configure_logging(format=LogFormat.TEXT, level=LogLevel.INFO, stream=stream)
        upgrade(Database(f"sqlite:///{tmp_path / 'gateway.sqlite3'}"))
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
        root.setLevel(level)
    said = stream.getvalue()
    assert "Running upgrade" in said
    assert "Context impl" not in said
    assert "Will assume" not in said


def test_alembics_plugin_lines_are_left_out_of_a_fresh_process(tmp_path: Path) -> None:
    """Alembic sets up its plugins once a process, at the first migration check, and said so a line
    per plugin ("setup plugin alembic.autogenerate.schemas", ...) at the top of every start's log."""
    script = (
        "import sys\n"
        "from ecms_gateway.logs import LogFormat, LogLevel, configure_logging\n"
        "configure_logging(format=LogFormat.TEXT, level=LogLevel.INFO)\n"
        "from ecms_gateway.store import Database, upgrade\n"  # Alembic is imported once logging is set up
        f"upgrade(Database({'sqlite:///' + str(tmp_path / 'gateway.sqlite3')!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert "Running upgrade" in done.stderr  # the process did log at info
    assert "setup plugin" not in done.stderr

"""Where the database is: SQLite under the data folder by default, PostgreSQL by URL; UTC timestamps."""

from __future__ import annotations

import socket
import stat
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError

from ecms_gateway.errors import ConfigError
from ecms_gateway.store import database
from ecms_gateway.store.database import Database, default_data_dir, resolve_url
from ecms_gateway.store.types import UtcDateTime


def test_default_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    assert resolve_url(data_dir=tmp_path) == f"sqlite:///{tmp_path.resolve()}/gateway.sqlite3"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://gw:secret@db:5432/ecms", "postgresql+psycopg://gw:secret@db:5432/ecms"),
        ("postgres://gw@db/ecms", "postgresql+psycopg://gw@db/ecms"),
        ("postgresql+psycopg://gw@db/ecms", "postgresql+psycopg://gw@db/ecms"),
        ("sqlite:////srv/ecms.sqlite3", "sqlite:////srv/ecms.sqlite3"),
    ],
)
def test_urls(given: str, expected: str, tmp_path: Path) -> None:
    assert resolve_url(data_dir=tmp_path, database_url=given) == expected


@pytest.mark.parametrize("bad", ["mysql://db/x", "not a url", "sqlite://"])
def test_unsupported_urls_are_config_errors(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        resolve_url(data_dir=tmp_path, database_url=bad)


def test_a_new_sqlite_database_and_its_log_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    """They hold password hashes, webhook secrets and letters; the file store's files are 0600 too."""
    db = Database(resolve_url(data_dir=tmp_path / "var"))
    try:
        with db.write() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        files = sorted((tmp_path / "var").iterdir())
        assert [f.name for f in files] == ["gateway.sqlite3", "gateway.sqlite3-shm", "gateway.sqlite3-wal"]
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == dict.fromkeys(
            (f.name for f in files), 0o600
        )
    finally:
        db.dispose()


def test_an_existing_sqlite_database_keeps_its_mode(tmp_path: Path) -> None:
    (tmp_path / "gateway.sqlite3").touch(mode=0o640)
    (tmp_path / "gateway.sqlite3").chmod(0o640)
    db = Database(resolve_url(data_dir=tmp_path))
    try:
        with db.write() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    finally:
        db.dispose()
    assert stat.S_IMODE((tmp_path / "gateway.sqlite3").stat().st_mode) == 0o640


def test_data_dir_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", "/srv/ecms")
    assert default_data_dir() == Path("/srv/ecms")
    monkeypatch.delenv("ECMS_GATEWAY_DATA_DIR")
    assert default_data_dir() == Path("var")


def test_timestamps_are_stored_in_utc() -> None:
    column = UtcDateTime()
    bangkok = datetime(2026, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=7)))
    naive_utc = datetime(2025, 12, 31, 17, 30)  # noqa: DTZ001 - SQLite's storage form is naive UTC by design
    assert column.process_bind_param(bangkok, sqlite.dialect()) == naive_utc
    assert column.process_bind_param(bangkok, postgresql.dialect()) == datetime(
        2025, 12, 31, 17, 30, tzinfo=UTC
    )
    assert column.process_result_value(naive_utc, sqlite.dialect()) == bangkok
    with pytest.raises(ValueError, match="naive datetime"):
        column.process_bind_param(datetime(2026, 1, 1), sqlite.dialect())  # noqa: DTZ001 - the case under test


def test_a_postgresql_server_that_takes_the_connection_but_never_answers_fails_it_instead_of_hanging(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """libpq waits for the server's first answer until the system's TCP timeout (minutes) unless a
    connect timeout is given: a worker thread or a readiness probe hung all that time."""
    monkeypatch.setattr(database, "CONNECT_TIMEOUT_S", 1.0)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:  # listens, never accepts or answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        db = Database(f"postgresql://gateway@127.0.0.1:{silent.getsockname()[1]}/gateway")
        failed: list[BaseException] = []

        def connect() -> None:
            try:
                with db.read():
                    pass
            except BaseException as exc:  # kept for the assertions below
                failed.append(exc)

        attempt = threading.Thread(target=connect, daemon=True)
        attempt.start()
        attempt.join(timeout=60)  # a guard against hanging the suite, not a measure of speed
        db.dispose()
    assert not attempt.is_alive(), "the connection attempt still waits for the server"
    assert len(failed) == 1
    assert isinstance(failed[0], OperationalError)
    assert database.unreachable(failed[0]) is not None  # an outage, as the workers and probes see it


def test_a_connect_timeout_in_the_url_is_the_operators() -> None:
    given = database._engine_args("postgresql://gateway@db/gateway?connect_timeout=3", 30.0, None)
    assert "connect_timeout" not in given.get("connect_args", {})  # libpq reads the URL's
    default = database._engine_args("postgresql://gateway@db/gateway", 30.0, "ecms-gateway run h:1")
    assert default["connect_args"] == {"application_name": "ecms-gateway run h:1", "connect_timeout": 10}

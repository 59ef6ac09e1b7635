"""Where the database is: SQLite under the data folder by default, PostgreSQL by URL; UTC timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from ecms_gateway.errors import ConfigError
from ecms_gateway.store.database import default_data_dir, resolve_url
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

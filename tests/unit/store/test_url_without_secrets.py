"""A database URL shown on screen or written into the data folder keeps no password: neither the
``user:password@`` one nor one given as a query parameter (``?password=``, which libpq takes too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.cli.stores import SERVER_DATABASE_FILE, check_database_of_folder
from ecms_gateway.store.database import url_without_secrets


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://gateway:s3cret-pw@db.example:5432/ecms",
        "postgresql+psycopg://gateway@db.example/ecms?password=s3cret-pw&sslmode=require",
        "postgresql+psycopg://gateway@db.example/ecms?sslpassword=s3cret-pw",
    ],
)
def test_no_password_is_shown(url: str, tmp_path: Path) -> None:
    shown = url_without_secrets(url)
    assert "s3cret-pw" not in shown
    assert "db.example" in shown
    check_database_of_folder(tmp_path, url)  # the data folder's note of its database
    assert "s3cret-pw" not in (tmp_path / SERVER_DATABASE_FILE).read_text(encoding="utf-8")


def test_other_query_parameters_stay() -> None:
    shown = url_without_secrets("postgresql+psycopg://gateway@db.example/ecms?password=x&sslmode=require")
    assert "sslmode=require" in shown

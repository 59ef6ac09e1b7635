"""The store commands take the database and the data folder each from its own setting: with PostgreSQL
the file store is still in the data folder, so ``--data-dir`` and ``--database-url`` may be given
together, and each option replaces only its own part of the configuration or the environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_support import Backend, make_package

from ecms_gateway.cli import main as cli
from tests.unit.cli.support import run

ALL_MATCH = (
    "checked 1 letter file, 0 mail letter files, 0 received items, 0 sent messages, 1 letter record: "
    "all match\n"
)


@pytest.fixture(autouse=True)
def only_store_commands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The store commands alone, run from an empty folder with nothing in the environment."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecms_gateway.cli.store_cmds",))
    for name in ("ECMS_GATEWAY_CONFIG", "ECMS_GATEWAY_DATA_DIR", "ECMS_GATEWAY_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)


@pytest.fixture
def letter(backend: Backend, capsys: pytest.CaptureFixture[str]) -> int:
    """A letter with its file in the backend's data folder."""
    code, _, err = run(capsys, "db", "upgrade", "--database-url", backend.url)
    assert (code, err) == (0, "")
    with backend.open() as store:
        return store.accept_outbound(make_package(1), actor="clerk", channel="ecms")


def _config(tmp_path: Path, *, data_dir: Path, database_url: str | None = None) -> Path:
    config = tmp_path / "gateway.toml"
    url = f'database_url = "{database_url}"\n' if database_url else ""
    config.write_text(f'[gateway]\ndata_dir = "{data_dir}"\n{url}', encoding="utf-8")
    return config


def test_audit_files_reads_the_database_from_the_url_and_the_files_from_the_data_folder(
    backend: Backend, letter: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    both = ("--database-url", backend.url, "--data-dir", str(backend.data_dir))
    code, out, err = run(capsys, "db", "upgrade", *both)
    assert (code, err) == (0, "")
    assert "is already at revision" in out
    assert run(capsys, "audit", "files", *both) == (0, ALL_MATCH, "")
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    code, out, _ = run(capsys, "audit", "files", "--database-url", backend.url, "--data-dir", str(empty))
    assert code == 1
    assert f"missing from the file store at {empty / 'files'}" in out


def test_audit_export_given_both_exports_the_letters_files(
    backend: Backend, letter: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_dir = tmp_path / "letter-export"
    both = ("--database-url", backend.url, "--data-dir", str(backend.data_dir))
    code, out, err = run(capsys, "audit", "export", str(letter), "--out", str(out_dir), *both)
    assert (code, err) == (0, ""), err
    assert out.startswith(f"letter {letter} exported to {out_dir}")
    assert (out_dir / "files" / "00-letter-1.pdf").read_bytes() == b"%PDF-1.4 letter 1\n"


def test_database_url_option_keeps_the_configured_data_folder(
    backend: Backend, letter: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = _config(tmp_path, data_dir=backend.data_dir)
    argv = ("audit", "files", "--config", str(config), "--database-url", backend.url)
    assert run(capsys, *argv) == (0, ALL_MATCH, "")


def test_data_dir_option_keeps_the_configured_database(
    backend: Backend, letter: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = _config(tmp_path, data_dir=tmp_path / "not-this-one", database_url=backend.url)
    argv = ("audit", "files", "--config", str(config), "--data-dir", str(backend.data_dir))
    assert run(capsys, *argv) == (0, ALL_MATCH, "")
    assert not (tmp_path / "not-this-one").exists()


def test_data_dir_option_keeps_the_database_url_of_the_environment(
    backend: Backend,
    letter: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ECMS_GATEWAY_DATABASE_URL", backend.url)
    assert run(capsys, "audit", "files", "--data-dir", str(backend.data_dir)) == (0, ALL_MATCH, "")
    code, out, err = run(capsys, "queue", "--data-dir", str(backend.data_dir))
    assert (code, err) == (0, "")
    assert out.splitlines()[1].split()[:4] == ["1", "send", "ecms", "ready"]

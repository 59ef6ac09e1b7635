"""A start whose PostgreSQL server cannot be reached leaves the data folder as it found it: no folder of
its own, and no note naming a database it never used, which made the next command on SQLite refuse the
folder as a PostgreSQL gateway's. A command that did reach the server still notes it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from store_support import closed_port, minimal_config, new_pg_database

from ecms_gateway.cli.stores import SERVER_DATABASE_FILE
from ecms_gateway.store import throwaway_pg

CLI = str(Path(sys.executable).parent / "ecms-gateway")


def _cli(tmp_path: Path, *args: str, database_url: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECMS_GATEWAY_")}
    if database_url is not None:
        env["ECMS_GATEWAY_DATABASE_URL"] = database_url
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path, check=False
    )


def _unreachable() -> str:
    return f"postgresql+psycopg://gateway@127.0.0.1:{closed_port()}/ecms"


def test_a_failed_start_makes_no_data_folder(tmp_path: Path) -> None:
    data_dir = tmp_path / "srv" / "ecms" / "data"
    config = minimal_config(tmp_path, data_dir=data_dir)
    done = _cli(tmp_path, "run", "--config", str(config), database_url=_unreachable())
    assert done.returncode == 1
    assert "cannot use the database" in done.stderr.splitlines()[-1]
    assert not (tmp_path / "srv").exists()


def test_a_failed_start_does_not_mark_the_folder_and_sqlite_may_use_it_after(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    config = minimal_config(tmp_path, data_dir=data_dir)
    done = _cli(tmp_path, "run", "--config", str(config), database_url=_unreachable())
    assert done.returncode == 1
    assert not (data_dir / SERVER_DATABASE_FILE).exists()
    assert sorted(p.name for p in data_dir.iterdir()) in ([], ["gateway.pid.lock"])
    # The operator meant SQLite after all (a URL left in the shell): the folder is not refused.
    upgraded = _cli(tmp_path, "db", "upgrade", "--config", str(config), database_url=None)
    assert upgraded.returncode == 0, upgraded.stderr
    listed = _cli(tmp_path, "queue", "--config", str(config), database_url=None)
    assert listed.returncode == 0, listed.stderr


@pytest.mark.postgres
def test_a_command_that_reaches_the_server_marks_the_folder_and_one_that_does_not_leaves_it(
    pg_cluster: throwaway_pg.Cluster, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    config = minimal_config(tmp_path, data_dir=data_dir)
    for command in (("users", "list"), ("db", "upgrade")):
        refused = _cli(tmp_path, *command, "--config", str(config), database_url=_unreachable())
        assert refused.returncode == 1
        assert "cannot use the database" in refused.stderr
        assert not (data_dir / SERVER_DATABASE_FILE).exists(), command

    url = new_pg_database(pg_cluster)
    listed = _cli(tmp_path, "users", "list", "--config", str(config), database_url=url)
    assert listed.returncode == 0, listed.stderr
    noted = (data_dir / SERVER_DATABASE_FILE).read_text(encoding="utf-8").strip()
    assert noted.endswith(f":{pg_cluster.port}/{url.rsplit('/', 1)[1]}")

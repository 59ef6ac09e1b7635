"""``ecms-gateway run`` whose PostgreSQL server is down (or refuses it) says so in one line and exits 1;
it is the operator's to fix, not an internal error to report."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from store_support import closed_port, minimal_config


def test_run_with_the_database_server_down_says_so_in_one_line(tmp_path: Path) -> None:
    config = minimal_config(tmp_path)
    port = closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ECMS_GATEWAY_")}
    env["ECMS_GATEWAY_DATABASE_URL"] = f"postgresql+psycopg://gateway@127.0.0.1:{port}/ecms"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "ecms-gateway"), "run", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 1
    last = done.stderr.splitlines()[-1]
    assert last.startswith(
        f'ecms-gateway: cannot use the database: connection failed: connection to server at "127.0.0.1", '
        f"port {port} failed: Connection refused"
    ), done.stderr
    assert "internal error" not in done.stderr

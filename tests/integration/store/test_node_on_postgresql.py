"""``ecms-gateway node`` on PostgreSQL: it serves and keeps letters in the database, and a second node on
the same database is refused wherever it runs (another data folder stands for another host), since
both would forward the same relay jobs; once the first is gone the database is free again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from store_support import new_pg_database

from ecms_gateway.node.tables import INBOUND
from ecms_gateway.store import Database, throwaway_pg
from tests.integration.ecms.nodes import NodeProcess, free_port, node_url, write_directory

pytestmark = pytest.mark.postgres

ORG = "2099000000"
TIME_CHECK = (
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    b"<TimeCheckRequest/></soap:Body></soap:Envelope>"
)


def test_a_second_node_on_the_same_postgresql_database_is_refused_until_the_first_is_gone(
    pg_cluster: throwaway_pg.Cluster, tmp_path: Path
) -> None:
    url = new_pg_database(pg_cluster, migrated=False)
    port = free_port()
    directory = write_directory(tmp_path / "directory.json", {ORG: node_url(port)})
    first = NodeProcess(
        directory=directory, data_dir=tmp_path / "host-a", port=port, extra=("--database-url", url)
    )
    first.start()
    try:
        with httpx.Client(trust_env=False) as http:
            assert http.post(f"{first.url}?org={ORG}", content=TIME_CHECK).status_code == 200
        db = Database(url)
        try:
            with db.read() as conn:  # the node's own tables are in PostgreSQL
                assert conn.execute(select(func.count()).select_from(INBOUND)).scalar_one() == 0
        finally:
            db.dispose()

        command = [str(Path(sys.executable).parent / "ecms-gateway"), "node", "--directory", str(directory)]
        command += ["--data-dir", str(tmp_path / "host-b"), "--port", str(free_port())]
        second = subprocess.run(
            [*command, "--public-url", node_url(port), "--database-url", url],
            capture_output=True,
            text=True,
            timeout=60,
            env={k: v for k, v in os.environ.items() if k != "ECMS_GATEWAY_DEBUG"},
            check=False,
        )
        assert second.returncode == 1, second.stderr
        assert second.stderr.startswith(
            "ecms-gateway: --database-url: a node already uses this database ("
        ), second.stderr
        assert "'ecms-gateway node " in second.stderr  # names the session holding it
        assert "stop it first, or give this node a database of its own" in second.stderr
        assert "Traceback" not in second.stderr
    finally:
        first.stop()

    again = NodeProcess(
        directory=directory, data_dir=tmp_path / "host-b", port=port, extra=("--database-url", url)
    )
    again.start()  # the lock went with the first node's session
    again.stop()

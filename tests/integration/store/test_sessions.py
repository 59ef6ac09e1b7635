"""On PostgreSQL every session the gateway opens says who it is (``application_name``): a one-shot command
by its name, a running gateway by ``run`` and its host and process. `db upgrade` refuses while a running
gateway is connected, and a clerk's command whose local gateway is not running names the gateways that
run elsewhere on the database instead of saying that none runs."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from ecms_adapters.runtime.processes import Child, cli_command, spawn
from sqlalchemy import make_url, text
from store_support import minimal_config, new_pg_database

from ecms_gateway.cli import main as cli
from ecms_gateway.store import Database, throwaway_pg
from ecms_gateway.store.migrate import current_revision
from ecms_gateway.store.sessions import session_name
from tests.unit.cli.support import run

pytestmark = pytest.mark.postgres

HOST = socket.gethostname()
NO_GATEWAY = "(no gateway runs on this data folder now: `ecms-gateway run` delivers)"


@pytest.fixture
def url(pg_cluster: throwaway_pg.Cluster) -> str:
    return new_pg_database(pg_cluster)


@pytest.fixture
def here(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The commands run on a data folder of their own on the same database, as on another machine: its
    pid file names no gateway."""
    for name in ("ECMS_GATEWAY_CONFIG", "PGAPPNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(tmp_path / "here"))
    monkeypatch.setenv("ECMS_GATEWAY_DATABASE_URL", url)
    return tmp_path / "here"


def _note_who_adds_webhooks(url: str) -> None:
    """A trigger notes the application_name of each session that adds a webhook."""
    db = Database(url)
    try:
        with db.write() as conn:
            conn.execute(text("CREATE TABLE seen (name text)"))
            conn.execute(
                text(
                    "CREATE FUNCTION note_name() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "INSERT INTO seen VALUES (current_setting('application_name')); RETURN NEW; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER note_name AFTER INSERT ON webhook_subscription "
                    "FOR EACH ROW EXECUTE FUNCTION note_name()"
                )
            )
    finally:
        db.dispose()


def _seen(url: str) -> list[str]:
    db = Database(url)
    try:
        with db.read() as conn:
            return [str(name) for name in conn.execute(text("SELECT name FROM seen")).scalars()]
    finally:
        db.dispose()


@pytest.fixture(autouse=True)
def only_store_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        cli,
        "COMMAND_MODULES",
        ("ecms_gateway.cli.store_cmds", "ecms_gateway.cli.webhook_cmds", "ecms_gateway.cli.clerk_cmds"),
    )


def test_a_command_names_its_sessions_after_itself_and_its_process(
    url: str, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _note_who_adds_webhooks(url)
    code, _, err = run(capsys, "webhooks", "add", "https://saraban.example.go.th/hook")
    assert code == 0, err
    assert _seen(url) == [session_name("webhooks add")]
    assert session_name("webhooks add").startswith("ecms-gateway webhooks add ")
    assert session_name("webhooks add").endswith(f":{os.getpid()}")


def test_an_application_name_in_the_database_url_is_kept(
    url: str, here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _note_who_adds_webhooks(url)
    monkeypatch.setenv("ECMS_GATEWAY_DATABASE_URL", f"{url}?application_name=office-gateway")
    code, _, err = run(capsys, "webhooks", "add", "https://saraban.example.go.th/hook")
    assert code == 0, err
    assert _seen(url) == ["office-gateway"]


def _application_names(cluster: throwaway_pg.Cluster, database: str) -> list[str]:
    with cluster.admin() as conn:
        rows = conn.execute(
            "SELECT application_name FROM pg_stat_activity WHERE datname = %s", (database,)
        ).fetchall()
    return [str(name) for (name,) in rows]


@pytest.fixture
def gateway_elsewhere(pg_cluster: throwaway_pg.Cluster, url: str, tmp_path: Path) -> Iterator[Child]:
    """A real `ecms-gateway run` on the database, with a data folder of its own; it is running once its
    session shows in pg_stat_activity."""
    folder = tmp_path / "elsewhere"
    config = minimal_config(folder, data_dir=folder / "data", database_url=url)
    env = {k: "" for k in os.environ if k.startswith("ECMS_GATEWAY_") or k == "PGAPPNAME"}
    child = spawn(
        "gateway elsewhere", cli_command("run", "--config", str(config)), folder / "run.log", env=env
    )
    try:
        database = str(make_url(url).database)
        deadline = time.monotonic() + 60
        while not any(name.endswith(f":{child.pid}") for name in _application_names(pg_cluster, database)):
            assert child.alive(), child.tail()
            assert time.monotonic() < deadline, f"the gateway did not connect\n{child.tail()}"
            time.sleep(0.1)
        yield child
    finally:
        child.stop(timeout=20)


def test_a_running_gateway_names_its_sessions_run_with_its_host_and_process(
    pg_cluster: throwaway_pg.Cluster, url: str, gateway_elsewhere: Child
) -> None:
    names = _application_names(pg_cluster, str(make_url(url).database))
    ours = {name for name in names if name.endswith(f":{gateway_elsewhere.pid}")}
    assert ours == {session_name("run", pid=gateway_elsewhere.pid)}
    assert ours == {f"ecms-gateway run {HOST}:{gateway_elsewhere.pid}"}


def _revision(url: str) -> str | None:
    db = Database(url)
    try:
        with db.read() as conn:
            return current_revision(conn)
    finally:
        db.dispose()


def _set_revision(url: str, revision: str) -> None:
    db = Database(url)
    try:
        with db.write() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": revision})
    finally:
        db.dispose()


def test_db_upgrade_refuses_while_a_gateway_runs_on_another_machine(
    url: str, here: Path, gateway_elsewhere: Child, capsys: pytest.CaptureFixture[str]
) -> None:
    _set_revision(url, "0008")  # the running gateway is of the version before
    code, out, err = run(capsys, "db", "upgrade")
    assert code == 1, out
    assert err.startswith("ecms-gateway: gateway processes are connected to this database ("), err
    named = f"'ecms-gateway run {HOST}:{gateway_elsewhere.pid}' from 127.0.0.1, connected since "
    assert err.count(named) == 1, err  # once, though it holds several sessions
    assert "stop each of them on its machine" in err
    assert "then run `ecms-gateway db upgrade` again" in err
    assert len(err.splitlines()) == 1
    assert _revision(url) == "0008"  # nothing migrated under it


def test_a_clerks_command_names_the_gateways_running_elsewhere_on_the_database(
    here: Path, gateway_elsewhere: Child, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "webhooks", "add", "https://saraban.example.go.th/hook")
    assert code == 0, err
    code, out, err = run(capsys, "webhooks", "retry", "1")
    assert code == 0, err
    assert out.splitlines()[-1] == (
        "(no gateway runs on this data folder on this machine; the gateway(s) running elsewhere on its "
        f"database ({HOST}:{gateway_elsewhere.pid}) pick it up at their next poll)"
    )
    code, out, err = run(capsys, "poll-now")
    assert (code, out) == (1, "")
    assert err.startswith(
        f"ecms-gateway: no gateway runs on {here} on this machine, and poll-now wakes only one here; "
    )
    assert err.endswith(
        f"the gateway(s) running elsewhere on its database ({HOST}:{gateway_elsewhere.pid}) poll the node at "
        "their next poll (ecms.poll_interval_seconds)\n"
    )


def test_with_no_gateway_connected_the_command_says_none_runs(
    url: str, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = psycopg.connect(url.replace("+psycopg", ""), application_name="ecms-gateway queue host-b:77")
    try:
        run(capsys, "webhooks", "add", "https://saraban.example.go.th/hook")
        code, out, err = run(capsys, "webhooks", "retry", "1")
        assert code == 0, err
        assert (
            out.splitlines()[-1] == "(no gateway runs on this data folder now: `ecms-gateway run` delivers)"
        )
        code, out, err = run(capsys, "poll-now")
    finally:
        other.close()
    assert (code, out) == (1, "")
    assert err.startswith(f"ecms-gateway: no gateway runs on {here}; start it with `ecms-gateway run`")

"""``ecms-gateway node``: its options, and the refusals that name what to fix (no socket is opened)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ecms_adapters import compose
from ecms_adapters.commands import node as node_command

from ecms_gateway.cli import main as cli
from ecms_gateway.node.options import NodeOptions
from tests.conftest import SAMPLES

EXIT_INVALID, EXIT_USAGE = cli.EXIT_INVALID, cli.EXIT_USAGE


def main(argv: list[str]) -> int:
    """The command line with the composition root's node command (as ``ecms_adapters.cli`` adds it)."""
    return cli.main(argv, extra_modules=("ecms_adapters.commands.node",))


def test_a_node_that_serves_no_organisation_of_the_directory_refuses_to_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "node",
        "--directory",
        str(SAMPLES / "directory.json"),
        "--data-dir",
        str(tmp_path),
        "--port",
        "8801",
    ]
    assert main(args) == EXIT_INVALID
    error = capsys.readouterr().err
    assert "no organisation" in error
    assert "http://127.0.0.1:8801/ecms-ws01/service2" in error
    assert "--public-url" in error


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (["--tls-cert", "c.pem"], "--tls-cert and --tls-key go together"),
        (["--tls-client-ca", "ca.pem"], "--tls-client-ca needs HTTPS"),
        (["--port", "70000"], "is not a TCP port"),
        (["--public-url", "node.example:8800"], "--public-url 'node.example:8800' is not an http(s) URL"),
        (
            ["--public-url", "http://127.0.0.1:8800/ecms-ws01/service2?org=2099000000"],
            "--public-url names the node, not an organisation: leave out ?org=2099000000",
        ),
        (["--purge-after", "soon"], "--purge-after 'soon' is not a length of time"),
        (["--relay-timeout", "soon"], "--relay-timeout 'soon' is not a number of seconds above zero"),
        (["--relay-timeout", "0"], "--relay-timeout '0' is not a number of seconds above zero"),
        (["--relay-timeout", "inf"], "--relay-timeout 'inf' is not a number of seconds above zero"),
        (
            ["--relay-connect-timeout", "-5"],
            "--relay-connect-timeout '-5' is not a number of seconds above zero; give one such as 10",
        ),
    ],
)
def test_inconsistent_options_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], problem: str
) -> None:
    args = ["node", "--directory", "d.json", "--data-dir", str(tmp_path), "--port", "8800", *extra]
    assert main(args) == EXIT_INVALID
    assert problem in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (
            ["--tls-cert", "{tmp}/c.pem", "--tls-key", "{tmp}/k.pem"],
            "--tls-cert {tmp}/c.pem does not exist; ",
        ),
        (["--relay-ca-bundle", "{tmp}"], "--relay-ca-bundle {tmp} is a folder, not a file"),
        (["--relay-client-key", "{tmp}/k.pem"], "--relay-client-key needs --relay-client-cert"),
        (
            ["--database-url", "mysql://db.example/node"],
            "database URL 'mysql://db.example/node' is not supported",
        ),
    ],
)
def test_missing_files_and_foreign_databases_are_refused_before_the_node_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], problem: str
) -> None:
    """They ended the node as an internal error, a missing TLS file after it said it served."""
    data_dir = tmp_path / "node"
    args = ["node", "--directory", str(SAMPLES / "directory.json"), "--data-dir", str(data_dir)]
    args += ["--port", "8800", *(a.format(tmp=tmp_path) for a in extra)]
    assert main(args) == EXIT_INVALID
    error = capsys.readouterr().err
    assert problem.format(tmp=tmp_path) in error
    assert "internal error" not in error
    assert not data_dir.exists()


def test_the_directory_and_data_dir_are_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["node", "--port", "8800"])
    assert raised.value.code == EXIT_USAGE
    assert "--directory" in capsys.readouterr().err


def test_the_service_url_follows_the_address_and_tls() -> None:
    base = NodeOptions(directory=Path("d.json"), data_dir=Path("var"), port=8443, host="::1")
    assert base.service_url == "http://[::1]:8443/ecms-ws01/service2"
    tls = NodeOptions(directory=Path("d.json"), data_dir=Path("var"), port=8443, tls_cert=Path("c.pem"))
    assert tls.service_url == "https://127.0.0.1:8443/ecms-ws01/service2"
    public = NodeOptions(directory=Path("d"), data_dir=Path("v"), port=1, public_url="https://node.example/x")
    assert public.service_url == "https://node.example/x"
    assert public.sqlalchemy_url().endswith("/v/ecms-node.sqlite3")
    postgres = NodeOptions(directory=Path("d"), data_dir=Path("v"), port=1, database_url="postgresql://u@h/n")
    assert postgres.sqlalchemy_url() == "postgresql+psycopg://u@h/n"


@pytest.mark.parametrize(
    ("extra", "connect", "read_and_write"),
    [([], 10.0, 60.0), (["--relay-connect-timeout", "3.5", "--relay-timeout", "300"], 3.5, 300.0)],
)
def test_the_relay_timeouts_reach_the_relay_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: list[str], connect: float, read_and_write: float
) -> None:
    """They were fixed: a destination that takes longer than 60 s to take a large letter could not be
    relayed to, however long an operator would let it."""
    started: list[NodeOptions] = []
    monkeypatch.setattr(node_command, "_check_free", lambda host, port: None)
    monkeypatch.setattr(compose, "run_node", lambda options: started.append(options) or 0)
    args = ["node", "--directory", str(SAMPLES / "directory.json"), "--data-dir", str(tmp_path)]
    assert main([*args, "--port", "8800", *extra]) == 0
    (options,) = started
    timeouts = compose.relay_client_config(options).timeouts()
    assert (timeouts.connect, timeouts.read, timeouts.write) == (connect, read_and_write, read_and_write)
    assert timeouts.pool == 10.0

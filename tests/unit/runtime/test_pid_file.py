"""The gateway's pid file with real processes on this machine: a second gateway on a data folder is
refused while the first lives, a file a dead gateway left (or whose id now belongs to another
program) is replaced, two gateways starting at once cannot both win, and a gateway removes the file
only while it names it. On PostgreSQL (``shared``) a second process runs beside the first."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecms_gateway.errors import ConfigError
from ecms_gateway.runtime.control import PID_FILE, PidFile, running_pid, wake_gateway

DEADLINE_S = 30.0
# A stand-in for `ecms-gateway run`: its command line is a gateway's (a -c program naming the package,
# then "run"), and it does nothing but wait. SIGUSR1 is ignored so that a wake-up cannot end it.
GATEWAY_LIKE = (
    "import signal, sys, time; signal.signal(signal.SIGUSR1, signal.SIG_IGN); "
    "print('ecms_gateway ready', flush=True); time.sleep(120)"
)


def _spawn(*args: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip().endswith("ready")  # running its program, not still forking
    return process


@pytest.fixture
def gateway_like() -> Iterator[subprocess.Popen[str]]:
    process = _spawn(sys.executable, "-c", GATEWAY_LIKE, "run", "--config", "gateway.toml")
    yield process
    _end(process)


@pytest.fixture
def other_program() -> Iterator[subprocess.Popen[str]]:
    """A live process that is no gateway (what a reused id may name)."""
    process = _spawn(sys.executable, "-c", "import time; print('ready', flush=True); time.sleep(120)")
    yield process
    _end(process)


def _name(data_dir: Path, pid: int) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / PID_FILE
    path.write_text(f"{pid}\n", encoding="ascii")
    return path


def test_a_file_naming_a_live_gateway_refuses_the_start_and_is_left_as_it_is(
    tmp_path: Path, gateway_like: subprocess.Popen[str]
) -> None:
    path = _name(tmp_path, gateway_like.pid)
    with pytest.raises(ConfigError) as refused:
        PidFile(tmp_path).__enter__()
    message = str(refused.value)
    assert f"a gateway already runs on {tmp_path} (process {gateway_like.pid}" in message
    assert f"kill -TERM {gateway_like.pid}" in message
    assert path.read_text(encoding="ascii") == f"{gateway_like.pid}\n"
    assert running_pid(tmp_path) == gateway_like.pid


def test_a_file_a_dead_gateway_left_is_replaced_and_removed_at_the_end(tmp_path: Path) -> None:
    gone = _dead_pid()
    path = _name(tmp_path, gone)
    assert running_pid(tmp_path) is None
    with PidFile(tmp_path):
        assert path.read_text(encoding="ascii") == f"{os.getpid()}\n"
    assert not path.exists()


def test_a_file_whose_id_now_names_another_program_is_stale(
    tmp_path: Path, other_program: subprocess.Popen[str]
) -> None:
    path = _name(tmp_path, other_program.pid)
    assert running_pid(tmp_path) is None
    assert wake_gateway(tmp_path) is None  # no SIGUSR1 to a program that would die of it
    with PidFile(tmp_path):
        assert path.read_text(encoding="ascii") == f"{os.getpid()}\n"
    assert other_program.poll() is None


def test_a_gateway_leaves_the_file_at_the_end_when_it_names_another_process(
    tmp_path: Path, gateway_like: subprocess.Popen[str]
) -> None:
    with PidFile(tmp_path):
        path = _name(tmp_path, gateway_like.pid)  # an operator's edit, or a restore
    assert path.read_text(encoding="ascii") == f"{gateway_like.pid}\n"


def test_on_a_shared_database_a_second_process_runs_beside_the_one_that_keeps_the_file(
    tmp_path: Path, gateway_like: subprocess.Popen[str]
) -> None:
    path = _name(tmp_path, gateway_like.pid)
    with PidFile(tmp_path, shared=True) as pid_file:
        assert not pid_file.owned
        assert running_pid(tmp_path) == gateway_like.pid
    assert path.read_text(encoding="ascii") == f"{gateway_like.pid}\n"


STARTER = """
import sys, time
from pathlib import Path
from ecms_gateway.errors import ConfigError
from ecms_gateway.runtime.control import PidFile
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.001)
try:
    with PidFile(Path(sys.argv[2])):
        print("won", flush=True)
        sys.stdin.read()  # hold it until the test closes stdin
except ConfigError:
    print("refused", flush=True)
"""


def test_of_gateways_starting_at_once_on_one_folder_exactly_one_wins(tmp_path: Path) -> None:
    go = tmp_path / "go"
    data_dir = tmp_path / "data"
    starters = [
        subprocess.Popen(  # "run": its command line is a gateway's
            [sys.executable, "-c", STARTER, str(go), str(data_dir), "run"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    try:
        time.sleep(0.5)  # let them all reach the start line (a head start only; no timing is asserted)
        go.touch()
        outcomes = []
        for starter in starters:
            assert starter.stdout is not None
            outcomes.append(starter.stdout.readline().strip())
        assert sorted(outcomes) == ["refused", "refused", "refused", "won"]
        winner = starters[outcomes.index("won")]
        assert running_pid(data_dir) == winner.pid
    finally:
        for starter in starters:
            assert starter.stdin is not None
            starter.stdin.close()
            starter.wait(timeout=DEADLINE_S)
            assert starter.stdout is not None
            starter.stdout.close()
    assert not (data_dir / PID_FILE).exists()


def _dead_pid() -> int:
    """The id of a process that has ended and been reaped."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _end(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.wait()
    assert process.stdout is not None
    process.stdout.close()

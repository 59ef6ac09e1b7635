"""`ecms-gateway demo --once` on a fresh folder: every step printed in order, exit 0, nothing left."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from ecms_adapters.runtime.processes import cli_command

from ecms_gateway.letter.loader import load_letter_file

pytestmark = pytest.mark.e2e

STEPS = (
    "queued at A: letter 1",
    "sent: A signed it and handed it to the node (ProcessID",
    "received at B: letter 1",
    "ReceiveLetterNotifier back at A",
    "registered at B with receive number 1",
    "AcceptLetterNotifier back at A with receive number 1",
    "B's inbox folder has it for an office system:",
    "demo complete",
)


def test_demo_once_shows_each_step_and_exits_0(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    result = subprocess.run(
        cli_command("demo", "--once", "--folder", str(folder)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    positions = [result.stdout.find(step) for step in STEPS]
    assert -1 not in positions, result.stdout
    assert positions == sorted(positions), result.stdout
    example = load_letter_file(folder / "A" / "example-letter" / "letter.json")  # for A's outbox, to B
    assert (example.letter.receiver.org_id, example.letter.book_no) == ("2099100000", "ศธ 0990/1235")
    (exported,) = (folder / "B" / "inbox").iterdir()
    assert (exported / "letter.json").is_file()
    assert (exported / "gateway.json").is_file()
    # Its children are gone: the node's and the gateways' pid files say nobody runs there.
    assert not (folder / "A" / "data" / "gateway.pid").exists()
    assert not (folder / "B" / "data" / "gateway.pid").exists()


def test_demo_fails_with_the_reason_when_the_letter_does_not_come_back_in_time(tmp_path: Path) -> None:
    result = subprocess.run(
        cli_command("demo", "--once", "--timeout", "0.5", "--folder", str(tmp_path / "demo")),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "did not happen within" in result.stderr


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_a_second_ctrl_c_while_the_demo_stops_leaves_no_process_running(tmp_path: Path) -> None:
    """The node and the gateways run in sessions of their own: a second Ctrl-C cut the stopping short,
    and those not stopped yet kept running."""
    folder = tmp_path / "demo"
    command = cli_command("demo", "--folder", str(folder))
    demo = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert demo.stdout is not None
    said = []
    for line in demo.stdout:
        said.append(line)
        if line.startswith("Ctrl-C stops"):
            break
    else:
        pytest.fail("".join(said))
    children = [int((folder / name / "data" / "gateway.pid").read_text()) for name in ("A", "B")] + [
        int((folder / "node" / "ecms-node.lock").read_text())
    ]
    demo.send_signal(signal.SIGINT)
    time.sleep(0.3)  # into the stopping
    demo.send_signal(signal.SIGINT)
    rest = demo.communicate(timeout=120)[0]
    left = [pid for pid in children if _alive(pid)]
    for pid in left:  # not to leave them running when this fails
        os.kill(pid, signal.SIGKILL)
    assert demo.returncode == 0, rest
    assert left == [], rest

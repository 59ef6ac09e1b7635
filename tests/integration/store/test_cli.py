"""Operator commands against a real store: tables, redrive, show, and one clear sentence on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from store_support import Backend, make_package

from ecms_gateway.cli import main as cli
from ecms_gateway.engine import SignatureMark, Store
from ecms_gateway.errors import PermanentFailure
from tests.unit.cli.support import run


@pytest.fixture(autouse=True)
def only_store_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    # The other command modules are written in parallel; these tests need only ours.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecms_gateway.cli.store_cmds",))


def _fill(store: Store) -> None:
    store.accept_outbound(make_package(1, book_no="ศธ ๐๙๙๐/๑"), actor="clerk", channel="ecms")
    store.accept_outbound(make_package(2), actor="clerk", channel="mail")
    claim = store.claim("mail", "w")
    assert claim is not None
    store.fail(claim.work_id, worker="w", error=PermanentFailure("mailbox does not exist"))


def test_db_upgrade_then_queue_table(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "db", "upgrade", "--database-url", backend.url)
    assert code == 0
    assert "upgraded from revision (empty) to" in out or "already at revision" in out
    with backend.open() as store:
        _fill(store)
    code, out, _ = run(capsys, "queue", "--database-url", backend.url)
    assert code == 0
    header, first, second = out.splitlines()[:3]
    assert header.split() == [
        "ID",
        "KIND",
        "CHANNEL",
        "STATE",
        "LETTER",
        "BOOK",
        "NO",
        "LETTER",
        "STATE",
        "TRIES",
        "AGE",
        "NEXT",
        "LAST",
        "ERROR",
    ]
    assert first.split()[:7] == ["1", "send", "ecms", "ready", "1", "ศธ", "๐๙๙๐/๑"]
    assert second.split()[:4] == ["2", "send", "mail", "dead"]
    assert header.index("STATE") == first.index("ready") == second.index("dead")  # aligned columns
    code, out, _ = run(capsys, "queue", "--state", "dead", "--channel", "mail", "--database-url", backend.url)
    assert [line.split()[0] for line in _table(out)[1:]] == ["2"]
    code, out, _ = run(capsys, "queue", "--state", "failed", "--database-url", backend.url)
    assert [line.split()[0] for line in _table(out)[1:]] == ["2"]  # a letter state works too


def _table(out: str) -> list[str]:
    """The table's lines: what follows the first empty line is said under it."""
    return out.split("\n\n", 1)[0].splitlines()


def test_queue_and_show_say_how_to_send_dead_work_again_in_commands(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reason stored with the try is a fact (the API and the web pages read it too); the command
    line adds what to type. A reason an older version stored with its advice in it is shown as it is."""
    with backend.open() as store:
        _fill(store)
        store.accept_outbound(make_package(3), actor="clerk", channel="ecms")
        claim = store.claim("ecms", "w")
        assert claim is not None
        assert claim.letter_id == 1
        store.fail(
            claim.work_id,
            worker="w",
            error=PermanentFailure("cannot sign: x; fix the key, then `ecms-gateway retry`"),
        )
    code, out, _ = run(capsys, "queue", "--database-url", backend.url)
    assert code == 0
    assert "work items 1 2: the gateway gave up" in out
    assert "`ecms-gateway retry 1 2` sends them again" in out
    code, out, _ = run(capsys, "show", "2", "--database-url", backend.url)
    assert "mailbox does not exist" in out
    assert "work item 2: the gateway gave up; once the cause ERROR names is fixed" in out
    assert "`ecms-gateway retry 2` sends it again" in out
    code, out, _ = run(capsys, "show", "1", "--database-url", backend.url)
    assert code == 0
    assert "cannot sign: x; fix the key, then `ecms-gateway retry`" in out
    code, out, _ = run(capsys, "show", "3", "--database-url", backend.url)
    assert "gave up" not in out  # nothing dead: nothing to say


def test_queue_prints_a_cut_error_in_full_below_the_table(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dead item's reason is what an operator needs; an inbound item has no letter for `show`."""
    reason = (
        "signature check 'unsigned' failed for organisation 2099100000: the "
        "ReceiveLetterNotifier carries no signature"
    )
    with backend.open() as store:
        store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
        claim = store.claim("ecms", "w")
        assert claim is not None
        store.fail(claim.work_id, worker="w", error=PermanentFailure(reason))
    code, out, _ = run(capsys, "queue", "--state", "dead", "--database-url", backend.url)
    assert code == 0
    table, full = out.split("\nlast errors in full:\n")
    assert "…" in table.splitlines()[1]
    assert reason not in table
    assert full.splitlines()[0].startswith(f"  {claim.work_id}: ")
    assert reason in full


def test_retry_and_show(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    with backend.open() as store:
        _fill(store)
    assert run(capsys, "retry", "2", "--reason", "mailbox fixed", "--database-url", backend.url)[:2] == (
        0,
        "redriven 1 work item(s): 2\n",
    )
    code, out, _ = run(capsys, "show", "2", "--database-url", backend.url)
    assert code == 0
    assert out.startswith("letter 2 (outbound, mail): queued")
    assert "letter.redrive" in out
    assert "mailbox fixed" in out
    assert "mailbox does not exist" in out
    assert run(capsys, "retry", "--dead", "--database-url", backend.url)[1] == "redriven 0 work item(s)\n"


def test_show_says_how_a_received_letters_sender_was_established(
    backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unsigned letter kept by policy is flagged in capitals; our own letters have no such line."""
    with backend.open() as store:
        store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
        inbox = store.accept_inbound(b"<raw/>", channel="ecms", process_id="p1", actor="ecms")
        store.record_inbound_letter(
            inbox.id, make_package(2), actor="in-1", signature=SignatureMark.UNSIGNED_ACCEPTED
        )
    code, out, _ = run(capsys, "show", "2", "--database-url", backend.url)
    assert code == 0
    assert "  signature UNSIGNED: accepted by the partner's accept-and-flag policy" in out
    assert "signature" not in run(capsys, "show", "1", "--database-url", backend.url)[1].split("history:")[0]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["show", "99"], 1, "ecms-gateway: there is no letter 99;"),
        (["retry", "1"], 1, "ecms-gateway: only dead letters can be redriven; not dead: 1 (ready)"),
        (["show", "abc"], 2, "invalid int value: 'abc'"),
        (["retry"], 2, "give work item IDs or --dead"),
        (["retry", "1", "--dead"], 2, "give work item IDs or --dead"),
        (["queue", "--state", "lost"], 2, "invalid choice: 'lost'"),
    ],
)
def test_bad_input_is_one_sentence(
    backend: Backend, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    with backend.open() as store:
        store.accept_outbound(make_package(1), actor="clerk", channel="ecms")
    got, _, err = run(capsys, *argv, "--database-url", backend.url)
    assert got == code
    assert message in err
    assert "Traceback" not in err


def test_unreachable_database_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "queue", "--database-url", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 1
    assert err.startswith("ecms-gateway: cannot use the database:")
    assert err.count("\n") == 1


def test_unsupported_url_is_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "queue", "--database-url", "mysql://db/x")
    assert code == 1
    assert "is not supported; use postgresql://" in err


def test_data_dir_from_environment(tmp_path: Path) -> None:
    """The data folder from the environment: `db upgrade` makes its SQLite database, `queue` reads it."""
    env = {"ECMS_GATEWAY_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    code = (
        "import sys; from ecms_gateway.cli import main as m; "
        "m.COMMAND_MODULES = ('ecms_gateway.cli.store_cmds',); sys.exit(m.main(sys.argv[1:]))"
    )
    for argv in (["db", "upgrade"], ["queue"]):
        done = subprocess.run(
            [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
    assert done.stdout == "nothing in the queue\n"
    assert (tmp_path / "var" / "gateway.sqlite3").is_file()

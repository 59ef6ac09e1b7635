"""``ecms-gateway letters``: a wrong date, state, order, organisation or page size is a usage error (exit
2) that says what is right, before any database is opened; building its parser imports nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ecms_gateway.cli import letters_cmds
from ecms_gateway.cli import main as cli
from ecms_gateway.engine.listing import MAX_PAGE
from tests.unit.cli.support import run


@pytest.fixture(autouse=True)
def only_this_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecms_gateway.cli.letters_cmds",))


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["--from", "22/11/2026"],
            "argument --from: '22/11/2026' is not a date: write it YYYY-MM-DD with the Gregorian year, "
            "e.g. 2026-11-22",
        ),
        (["--to", "2026-02-30"], "argument --to: '2026-02-30' is not a date"),
        (
            ["--from", "2569-11-22"],
            "argument --from: '2569-11-22' has a Buddhist Era year: "
            "give the Gregorian one (2569 - 543 = 2026)",
        ),
        (["--to", "๒๕๖๙-๑๑-๒๒"], "argument --to: '๒๕๖๙-๑๑-๒๒' has a Buddhist Era year"),  # Thai digits read
        (
            ["--state", "recieved"],
            "argument --state: there is no letter state 'recieved'; the states are queued, sending, sent, "
            "delivered, accepted, rejected, invalid, withdrawn, failed, received, registered",
        ),
        (
            ["--order", "latest"],
            "argument --order: there is no order 'latest'; the orders are newest, oldest, urgent, waiting",
        ),
        (["--org", "20990"], "argument --org: '20990' is not an organisation ID: give its 10 digits"),
        (["--limit", "501"], "argument --limit: 501 is out of range: the limit must be from 1 to 500"),
        (
            ["--offset", "-1"],
            "argument --offset: -1 is out of range: the offset must be from 0 to 2147483647",
        ),
        (["--in", "--out"], "argument --out: not allowed with argument --in"),
    ],
)
def test_a_wrong_argument_is_a_usage_error_that_says_what_is_right(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    code, out, err = run(capsys, "letters", *argv)
    assert (code, out) == (2, "")
    assert f"ecms-gateway letters: usage error: {said}" in err
    assert "Traceback" not in err


def test_the_page_size_limit_is_the_stores() -> None:
    assert letters_cmds.MAX_LIMIT == MAX_PAGE


def test_building_the_parser_imports_neither_the_store_nor_the_configuration() -> None:
    """The command's parser is built on every ``ecms-gateway`` start; the store (SQLAlchemy), the
    configuration (pydantic) and the other commands' modules load only when ``letters`` runs (the
    options every store command shares, ``cli.settings``, are light and loaded by all of them)."""
    probe = (
        "import argparse, sys\n"
        "from ecms_gateway.cli import letters_cmds\n"
        "letters_cmds.register(argparse.ArgumentParser().add_subparsers())\n"
        "heavy = ('sqlalchemy', 'pydantic', 'ecms_gateway.engine', 'ecms_gateway.config',\n"
        "         'ecms_gateway.cli.')\n"
        "shared = ('ecms_gateway.cli.letters_cmds', 'ecms_gateway.cli.settings')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy) and m not in shared))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"

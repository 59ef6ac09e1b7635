"""Running the ``ecms-gateway`` command in-process, the way the installed entry point does."""

from __future__ import annotations

import pytest

from ecms_gateway.cli import main as cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The exit code (argparse's usage errors included), standard output and standard error."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err

"""Starting the command is cheap: building the parser, --help, --version and usage errors load none of
the implementations, and a command that runs loads what it needs and not the web app.

Each case runs ``ecms_adapters.cli.main`` (the installed command's entry) in a fresh interpreter and
reads which modules it loaded; the in-process cases check that every command still has its help.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from ecms_adapters.cli import ADAPTER_COMMAND_MODULES

from ecms_gateway.cli.main import build_parser, main
from ecms_gateway.cli.samples import SAMPLES

IMPLEMENTATIONS = (
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "pydantic",
    "ecms_gateway.config",
    "fastapi",
    "starlette",
    "uvicorn",
    "fpdf",
    "lxml",
    "xmlsec",
    "argon2",
)
WEB = ("fastapi", "starlette", "uvicorn", "fpdf", "jinja2")

_PROGRAM = """
import json, sys
from ecms_adapters.cli import main
try:
    code = main(json.loads(sys.argv[1]))
except SystemExit as exc:
    code = exc.code
with open(sys.argv[2], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def loaded_by(tmp_path: Path, *argv: str) -> tuple[int, set[str]]:
    """Run ``ecms-gateway ARGV`` in a new interpreter: its exit code and the top packages and modules it
    loaded."""
    report = tmp_path / "loaded.json"
    subprocess.run(
        [sys.executable, "-c", _PROGRAM, json.dumps(argv), str(report)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    result = json.loads(report.read_text(encoding="utf-8"))
    modules = set(result["modules"])
    return result["code"], modules | {name.split(".")[0] for name in modules}


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["--help"], 0),
        (["--version"], 0),
        (["send", "--help"], 0),
        (["queue", "--state", "nowhere"], 2),  # a usage error
        (["show", "not-a-number"], 2),
        ([], 2),
    ],
    ids=["help", "version", "send-help", "bad-choice", "bad-id", "no-command"],
)
def test_the_parser_alone_loads_no_implementation(tmp_path: Path, argv: list[str], code: int) -> None:
    exit_code, loaded = loaded_by(tmp_path, *argv)
    assert exit_code == code
    assert sorted(loaded.intersection(IMPLEMENTATIONS)) == []


def test_validate_loads_lxml_but_neither_the_store_nor_the_web_app(tmp_path: Path) -> None:
    exit_code, loaded = loaded_by(tmp_path, "validate", str(SAMPLES / "letter-001.json"))
    assert exit_code == 0
    assert "ecms_gateway.letter.loader" in loaded
    assert sorted(loaded.intersection(("sqlalchemy", "alembic", "argon2", *WEB))) == []


def test_queue_loads_the_store_but_neither_the_web_app_nor_alembic(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "var")]
    assert loaded_by(tmp_path, "db", "upgrade", *data)[0] == 0
    exit_code, loaded = loaded_by(tmp_path, "queue", *data)
    assert exit_code == 0
    assert "sqlalchemy" in loaded
    assert sorted(loaded.intersection(WEB)) == []
    assert "alembic" not in loaded  # the schema is current: one SELECT said so


def test_reading_the_configuration_loads_the_mail_settings_but_not_the_mail_channel(tmp_path: Path) -> None:
    """The configuration validates ``[mail]`` with ``mail.settings``; the composer, S/MIME, the ports and
    the classifier (which loads the codec) are for the commands and the gateway that use them."""
    config = tmp_path / "gateway.toml"
    config.write_text(f'[gateway]\ndata_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    assert loaded_by(tmp_path, "db", "upgrade", "--config", str(config))[0] == 0
    exit_code, loaded = loaded_by(tmp_path, "users", "list", "--config", str(config))
    assert exit_code == 0
    assert {"ecms_gateway.config", "ecms_gateway.mail.settings"} <= loaded
    mail_channel = ("compose", "smime", "ports", "classifier", "outbound", "ingest")
    assert sorted(loaded.intersection(f"ecms_gateway.mail.{name}" for name in mail_channel)) == []
    assert sorted(loaded.intersection(WEB)) == []


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from _commands(sub, (*path, name))


COMMANDS = [path for path, _ in _commands(build_parser(ADAPTER_COMMAND_MODULES))]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_its_help(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"], extra_modules=ADAPTER_COMMAND_MODULES)
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: ecms-gateway {' '.join(command)}")


def test_every_command_that_takes_no_subcommand_has_a_handler() -> None:
    leaves = [
        (path, sub)
        for path, sub in _commands(build_parser(ADAPTER_COMMAND_MODULES))
        if not any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)
    ]
    assert len(leaves) > 30
    assert [path for path, sub in leaves if not callable(sub.get_default("func"))] == []

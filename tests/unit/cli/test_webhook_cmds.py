"""``ecms-gateway webhooks``: the secret is printed once when generated, never when given; mistakes
are one clear line and exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.cli.main import main


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("ECMS_GATEWAY_CONFIG", raising=False)
    monkeypatch.delenv("ECMS_GATEWAY_DATABASE_URL", raising=False)
    return tmp_path / "data"


def test_add_prints_a_generated_secret_once_and_list_shows_no_secret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["webhooks", "add", "https://saraban.example.go.th/hook"]) == 0
    added = capsys.readouterr().out
    secret = next(line.split()[1] for line in added.splitlines() if line.startswith("secret: "))
    assert secret.startswith("whsec_")
    assert main(["webhooks", "list"]) == 0
    listing = capsys.readouterr().out
    assert "https://saraban.example.go.th/hook" in listing
    assert " ok " in listing
    assert secret not in listing


def test_a_secret_from_a_file_is_not_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret_file = tmp_path / "hook.secret"
    secret_file.write_text("the-office-chose-this-secret\n", encoding="utf-8")
    args = ["webhooks", "add", "https://saraban.example.go.th/hook", "--secret-file", str(secret_file)]
    assert main([*args, "--events", "letter.received"]) == 0
    out = capsys.readouterr().out
    assert "the-office-chose-this-secret" not in out
    assert "(letter.received)" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["webhooks", "add", "saraban.example.go.th"], "is not a web address"),
        (
            ["webhooks", "add", "https://x.example/h", "--events", "letter.lost"],
            "unknown event type letter.lost",
        ),
        (
            ["webhooks", "add", "https://x.example/h", "--secret-file", "/nonexistent/s"],
            "--secret-file: cannot read /nonexistent/s: No such file or directory; check the path",
        ),
        (["webhooks", "remove", "7"], "there is no webhook 7"),
        (["webhooks", "change", "7", "--events", "letter.received"], "there is no webhook 7"),
        (["webhooks", "change", "7"], "nothing to change on webhook 7: give --events TYPES, --secret-file F"),
        (["webhooks", "retry", "7"], "there is no webhook 7"),
        (["webhooks", "deliveries", "7"], "there is no webhook 7"),
    ],
)
def test_mistakes_are_one_line_and_exit_1(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0  # the commands that act on a webhook need a database
    capsys.readouterr()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_add_names_every_fault_of_url_events_and_secret_file_at_once_and_makes_no_data_folder(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A secret file that cannot be read does not hide the faults of the URL and of --events; each is
    named as the command line has it, and the refused add makes no data folder."""
    missing = tmp_path / "nonexist"
    argv = ["webhooks", "add", "HTTP://x.example/h#x", "--events", "letter.bogus"]
    assert main([*argv, "--secret-file", str(missing)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("ecms-gateway: URL: 'HTTP://x.example/h#x' has a #fragment, which is never sent")
    assert "; --events: unknown event type letter.bogus; the types are: " in err
    assert f"; --secret-file: cannot read {missing}: No such file or directory; check the path\n" in err
    assert not data_dir.exists()


def test_change_names_the_faults_of_events_and_secret_file_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["webhooks", "add", "https://saraban.example.go.th/hook"]) == 0
    capsys.readouterr()
    short = tmp_path / "short.secret"
    short.write_text("short\n", encoding="utf-8")
    assert main(["webhooks", "change", "1", "--events", "letter.bogus", "--secret-file", str(short)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("ecms-gateway: --events: unknown event type letter.bogus; ")
    assert "; --secret-file: the webhook secret must be at least 16 characters" in err


def test_retry_with_no_gateway_on_the_sqlite_data_folder_says_run_delivers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["webhooks", "add", "https://saraban.example.go.th/hook"]) == 0
    capsys.readouterr()
    assert main(["webhooks", "retry", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "webhook 1 will be tried now",
        "(no gateway runs on this data folder now: `ecms-gateway run` delivers)",
    ]


def test_change_sets_the_events_and_the_secret_of_one_webhook_without_printing_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["webhooks", "add", "https://saraban.example.go.th/hook"]) == 0
    assert main(["webhooks", "add", "https://other.example.go.th/hook"]) == 0
    capsys.readouterr()
    assert main(["webhooks", "change", "1", "--events", "letter.received,letter.state_changed"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "webhook 1 changed: https://saraban.example.go.th/hook: events letter.received, letter.state_changed"
    )
    assert out[-1] == "(no gateway runs on this data folder now: `ecms-gateway run` delivers)"
    secret_file = tmp_path / "new.secret"
    secret_file.write_text("a-new-secret-of-the-office\n", encoding="utf-8")
    assert main(["webhooks", "change", "1", "--secret-file", str(secret_file)]) == 0
    out = capsys.readouterr().out
    assert "a new secret (configure the receiver with it)" in out
    assert "a-new-secret-of-the-office" not in out
    assert "events" not in out.splitlines()[0]  # only what was changed is said
    assert main(["webhooks", "list"]) == 0
    rows = {line.split()[0]: line.split()[2] for line in capsys.readouterr().out.splitlines()[1:] if line}
    assert rows == {"1": "letter.received,letter.state_changed", "2": "all"}
    assert main(["audit", "verify"]) == 0


def test_change_refuses_an_unknown_event_type_and_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["webhooks", "add", "https://saraban.example.go.th/hook", "--events", "letter.received"]) == 0
    capsys.readouterr()
    assert main(["webhooks", "change", "1", "--events", "letter.received,letter.lost"]) == 1
    assert "unknown event type letter.lost" in capsys.readouterr().err
    assert main(["webhooks", "list"]) == 0
    assert " letter.received " in capsys.readouterr().out

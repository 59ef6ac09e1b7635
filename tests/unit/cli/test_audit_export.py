"""``ecms-gateway audit export``: one letter's evidence, checkable without our database.

The letter's life is real: agency A sends a signed letter to B over the in-memory node, B registers it,
and A receives B's signed ReceiveLetterNotifier and AcceptLetterNotifier; both stores are SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ecms_gateway.cli.evidence_cmds import export
from ecms_gateway.engine import Direction, LetterState, Store
from ecms_gateway.engine.audit import entry_hash
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk
from ecms_gateway.signing import write_new_key
from ecms_gateway.xml.namespaces import RAM
from tests.unit.cli.support import run
from tests.unit.runtime.support import ORGS, A, B, agencies, gateway, letter, routing, running, until

BOOK_NO = "ศธ 0990/1"
SHA256SUM = ["sha256sum", "-c", "SHA256SUMS"]


def _state(store: Any, direction: Direction) -> LetterState | None:
    found = store.find_letter(direction=direction, book_no=BOOK_NO, letter_date=letter().letter.date)
    return None if found is None else found.state


@pytest.fixture(scope="module")
def life(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A's letter to B, delivered, registered at B, both notifiers back at A; the stores closed."""
    root = tmp_path_factory.mktemp("life")
    orgs = agencies(root)
    a, b = orgs[A], orgs[B]
    package = letter(1)
    clerk.submit(a.store, package, routing=routing(), secrecy=clerk.SecrecyPolicy(), actor="clerk:a")
    node = MemoryNode(ORGS)

    async def exchange() -> None:
        await until("received at B", lambda: _state(b.store, Direction.IN))
        inbound = b.store.find_letter(
            direction=Direction.IN, book_no=BOOK_NO, letter_date=package.letter.date
        )
        assert inbound is not None
        clerk.register(b.store, inbound.id, actor="clerk:b")
        await until("accepted at A", lambda: _state(a.store, Direction.OUT) is LetterState.ACCEPTED or None)

    asyncio.run(running([gateway(a, node), gateway(b, node)], exchange))
    a.store.close()
    b.store.close()
    return root


def _export(
    capsys: pytest.CaptureFixture[str], data: Path, out: Path, letter_id: int = 1, *extra: str
) -> tuple[int, str, str]:
    return run(capsys, "audit", "export", str(letter_id), "--out", str(out), "--data-dir", str(data), *extra)


def _entries(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_the_export_of_a_received_letter_has_every_part(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    code, stdout, stderr = _export(capsys, life / B / "data", out)
    assert (code, stderr) == (0, "")
    assert "letter 1 exported" in stdout
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert {"letter.json", "audit.jsonl", "manifest.json", "README.txt", "SHA256SUMS"} <= set(names)
    received = [n for n in names if n.startswith("messages/") and not n.startswith("messages/sent/")]
    assert received == ["messages/01-received-letter-inbox1.xml"]
    assert [n for n in names if n.startswith("messages/sent/")] == [
        "messages/sent/01-notifier-receive-sent1.xml",
        "messages/sent/02-notifier-accept-sent2.xml",
    ]
    files = letter().files
    assert [n for n in names if n.startswith("files/")] == [
        f"files/{i:02d}-{f.name}" for i, f in enumerate(files)
    ]
    for i, f in enumerate(files):
        assert (out / "files" / f"{i:02d}-{f.name}").read_bytes() == f.content
    facts = json.loads((out / "letter.json").read_text(encoding="utf-8"))
    assert (facts["book_no"], facts["direction"], facts["state"]) == (BOOK_NO, "in", "registered")
    assert (facts["sender"]["org_id"], facts["receiver"]["org_id"]) == (A, B)
    assert facts["registry"]["number"] == 1
    assert facts["created_at"].endswith("+00:00")
    assert facts["process_ids"][0]["of"] == "received letter"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audit_chain"]["intact"] is True
    assert "password" not in manifest["database"]
    listed = {f["path"] for f in manifest["files"]}
    assert listed == set(names) - {"manifest.json", "SHA256SUMS"}
    assert manifest["not_included"] == []  # every message sent about it is archived
    receipt = next(f for f in manifest["files"] if f["path"].endswith("notifier-receive-sent1.xml"))
    assert receipt["about"]["role"] == "sent notifier receive"
    assert receipt["about"]["confirmation"].startswith("ProcessID ")
    assert receipt["about"]["sha256_at_archive"] == receipt["sha256"]
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "sha256sum -c SHA256SUMS" in readme
    assert "xmlsec1 --verify" in readme
    assert "หลักฐาน" in readme


def test_every_exported_audit_entry_recomputes_with_the_documented_rule(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    assert _export(capsys, life / B / "data", out)[0] == 0
    *entries, chain = _entries(out)
    actions = [e["action"] for e in entries]
    # The item's intake names no letter (only its work item), yet it is part of the letter's life.
    assert {"inbox.received", "letter.received", "letter.register", "work.done"} <= set(actions)
    for e in entries:
        fields = {k: e[k] for k in ("at", "actor", "action", "letter_id", "work_id", "reason", "detail")}
        fields["prev_hash"] = e["prev_hash"]
        text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == e["hash"], e["seq"]
    first = entries[0]
    assert first["hash"] == entry_hash(
        at=_at(first["at"]),
        **{k: first[k] for k in ("actor", "action", "letter_id", "work_id", "reason")},
        detail=first["detail"],
        prev_hash=first["prev_hash"],
    )
    assert chain["record"] == "chain_verification"
    assert chain["intact"] is True
    assert chain["head_seq"] >= entries[-1]["seq"]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_sha256sum_checks_the_export_and_finds_a_changed_file(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    assert _export(capsys, life / B / "data", out)[0] == 0
    checked = subprocess.run(SHA256SUM, cwd=out, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "manifest.json: OK" in checked.stdout
    message = out / "messages" / "01-received-letter-inbox1.xml"
    message.write_bytes(message.read_bytes().replace(b"<", b" <", 1))
    checked = subprocess.run(SHA256SUM, cwd=out, capture_output=True, text=True, check=False)
    assert checked.returncode != 0
    assert "01-received-letter-inbox1.xml: FAILED" in checked.stdout


def test_the_received_letter_verifies_against_the_senders_certificate(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    assert _export(capsys, life / B / "data", out)[0] == 0
    message = out / "messages" / "01-received-letter-inbox1.xml"
    trust = life / B / "trust"  # B pins A's certificate there, as the README tells an auditor to
    code, stdout, stderr = run(capsys, "verify", str(message), "--trust", str(trust))
    assert code == 0, stderr
    assert f"for organisation {A}" in stdout
    if shutil.which("xmlsec1") is None:
        pytest.skip("the xmlsec1 command-line tool is not installed")
    cert = next((trust / "orgs" / A).glob("*.pem"))
    xmlsec = [
        "xmlsec1",
        "--verify",
        "--trusted-pem",
        str(cert),
        "--id-attr:ID",
        f"{RAM}:CorrespondenceLetter",
    ]
    assert subprocess.run([*xmlsec, str(message)], capture_output=True, check=False).returncode == 0
    stranger = write_new_key(A, tmp_path / "stranger").cert  # same organisation, another key
    xmlsec[3] = str(stranger)
    assert subprocess.run([*xmlsec, str(message)], capture_output=True, check=False).returncode != 0


def test_the_export_of_a_sent_letter_has_the_notifiers_received_and_says_what_was_sent(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    assert _export(capsys, life / A / "data", out)[0] == 0
    messages = sorted(p.name for p in (out / "messages").iterdir() if p.is_file())
    assert [m.split("-inbox")[0] for m in messages] == [
        "01-received-notifier-receive",
        "02-received-notifier-accept",
    ]
    code, _, stderr = run(
        capsys, "verify", str(out / "messages" / messages[1]), "--org", B, "--trust", str(life / A / "trust")
    )
    assert code == 0, stderr
    [sent] = sorted((out / "messages" / "sent").iterdir())
    assert sent.name == "01-letter-sent1.xml"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["not_included"] == []
    about = next(f["about"] for f in manifest["files"] if f["path"] == "messages/sent/01-letter-sent1.xml")
    assert (about["role"], about["channel"]) == ("sent letter", "ecms")
    assert about["message_id"].startswith("mid://")
    assert about["message_id"].encode() in sent.read_bytes()  # the MessageID it went under
    facts = json.loads((out / "letter.json").read_text(encoding="utf-8"))
    assert facts["receiver_accept_id"] == "1"
    assert {p["of"] for p in facts["process_ids"]} >= {"sent send", "received notifier accept"}


def test_an_altered_audit_row_is_named_and_the_export_still_written_with_exit_1(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(life / B / "data", data)
    with sqlite3.connect(data / "gateway.sqlite3") as db:
        db.execute("UPDATE audit_entry SET actor = 'clerk:someone-else' WHERE seq = 3")
    out = tmp_path / "evidence"
    code, _, stderr = _export(capsys, data, out)
    assert code == 1
    assert "audit chain broken at entry 3" in stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["audit_chain"]["intact"] is False
    assert manifest["audit_chain"]["first_bad_seq"] == 3
    assert (out / "letter.json").is_file()
    assert (out / "messages").is_dir()
    assert _entries(out)[-1]["intact"] is False


def test_the_readme_timeline_marks_the_altered_entry_and_those_after_it_as_not_proven(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(life / B / "data", data)
    with sqlite3.connect(data / "gateway.sqlite3") as db:
        db.execute("UPDATE audit_entry SET actor = 'clerk:someone-else' WHERE seq = 3")
    out = tmp_path / "evidence"
    code, _, _ = _export(capsys, data, out)
    assert code == 1
    seqs = [e["seq"] for e in _entries(out) if e["record"] == "entry"]
    assert min(seqs) < 3 < max(seqs)
    timeline = (out / "README.txt").read_text(encoding="utf-8").split("== ลำดับเหตุการณ์")[1].split("\n== ")[0]
    starts = re.split(r"\n(?= {2,6}\d+  )", timeline)[1:]  # an entry's block starts with its seq
    blocks = {int(b.split()[0]): b for b in starts}
    assert set(blocks) == set(seqs)
    assert "NOT PROVEN: entry 3 was altered" in blocks[3]
    assert "clerk:someone-else" in blocks[3]
    for seq in seqs:
        if seq < 3:
            assert "NOT PROVEN" not in blocks[seq]
        elif seq > 3:
            assert "NOT PROVEN: after the break in the chain at entry 3" in blocks[seq]


def test_audit_verify_names_the_break_and_says_what_to_do(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    shutil.copytree(life / B / "data", data)
    with sqlite3.connect(data / "gateway.sqlite3") as db:
        db.execute("DELETE FROM audit_entry WHERE seq = 4")
    code, out, err = run(capsys, "audit", "verify", "--data-dir", str(data))
    assert (code, out) == (1, "")
    assert err.startswith("audit chain broken at entry 4: entry 4 removed")
    assert "3 entries before it are intact; from entry 4 on the chain proves nothing" in err
    assert "Keep a copy of this database" in err
    assert "`ecms-gateway audit verify --data-dir COPY` on a backup" in err
    assert "Traceback" not in err


def test_an_intact_chain_marks_no_entry_in_the_readme(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = _export(capsys, life / B / "data", tmp_path / "evidence")
    assert code == 0
    assert "NOT PROVEN" not in (tmp_path / "evidence" / "README.txt").read_text(encoding="utf-8")


def test_user_errors_are_one_clear_sentence(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = life / B / "data"
    code, _, stderr = _export(capsys, data, tmp_path / "x", 99)
    assert code == 1
    assert stderr.startswith("ecms-gateway: there is no letter 99;")
    assert "`ecms-gateway letters`" in stderr  # the command that lists letters (queue lists work)
    assert len(stderr.splitlines()) == 1
    assert not (tmp_path / "x").exists()
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    code, _, stderr = _export(capsys, data, taken)
    assert code == 1
    assert "the folder is not empty" in stderr
    assert "--force" in stderr
    assert (taken / "notes.txt").read_text() == "mine"
    code, _, stderr = _export(capsys, data, taken, 1, "--force")
    assert code == 0
    assert not (taken / "notes.txt").exists()
    code, _, stderr = _export(capsys, tmp_path / "nothing-here", tmp_path / "y")
    assert code == 1
    assert "no gateway database at" in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_zip_holds_the_same_export(life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = _export(capsys, life / B / "data", tmp_path / "evidence", 1, "--zip")
    assert code == 0
    assert not (tmp_path / "evidence").exists()
    with zipfile.ZipFile(tmp_path / "evidence.zip") as archive:
        names = archive.namelist()
        assert "evidence/SHA256SUMS" in names
        assert "evidence/messages/01-received-letter-inbox1.xml" in names


def test_zip_given_a_name_ending_in_zip_writes_that_file(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _export(capsys, life / B / "data", tmp_path / "letter-1.zip", 1, "--zip")
    assert code == 0
    assert out.startswith(f"letter 1 exported to {tmp_path / 'letter-1.zip'}:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["letter-1.zip"]
    with zipfile.ZipFile(tmp_path / "letter-1.zip") as archive:
        assert "letter-1/SHA256SUMS" in archive.namelist()


def test_an_out_name_ending_in_zip_writes_a_zip_without_the_option(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = _export(capsys, life / B / "data", tmp_path / "letter-1.zip", 1)
    assert code == 0
    assert (tmp_path / "letter-1.zip").is_file()
    with zipfile.ZipFile(tmp_path / "letter-1.zip") as archive:
        assert "letter-1/SHA256SUMS" in archive.namelist()
    code, _, err = _export(capsys, life / B / "data", tmp_path / "letter-1.zip", 1)
    assert code == 1
    assert err.startswith(f"ecms-gateway: {tmp_path / 'letter-1.zip'}: it already exists; choose another")


def _readme_script(folder: Path) -> str:
    """The commands README.txt gives, as an auditor would paste them into bash in the folder."""
    text = (folder / "README.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    recompute = lines[lines.index("python3 - <<'EOF'") : lines.index("EOF") + 1]
    setup = lines[next(i for i, line in enumerate(lines) if line.startswith("mkdir -p trust")) :]
    setup = setup[: setup.index("}") + 1]  # the trust folders (partner's and ours), then cut()
    checks = [
        line for line in lines if line.startswith(("     ecms-gateway verify", "     cut ", "     xmlsec1 "))
    ]
    return "\n".join(["set -e", *recompute, *setup, *checks]) + "\n"


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="the xmlsec1 command-line tool is not installed")
@pytest.mark.parametrize(("org", "partner"), [(B, A), (A, B)])
def test_the_readme_commands_check_the_export_as_written(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], org: str, partner: str
) -> None:
    out = tmp_path / "evidence"
    assert _export(capsys, life / org / "data", out)[0] == 0
    shutil.copy(next((life / org / "trust" / "orgs" / partner).glob("*.pem")), out / "PARTNER-CERT.pem")
    shutil.copy(life / org / "keys" / f"{org}.cert.pem", out / "OUR-CERT.pem")  # what we signed with
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-c", _readme_script(out)],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": path},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "MISMATCH" not in done.stdout
    assert done.stdout.count(" ok\n") == len(_entries(out)) - 1
    # Every message received and every one sent (the letter at A, both notifiers at B) is signed.
    messages = list((out / "messages").rglob("*.xml"))
    assert len([p for p in messages if p.parent.name == "sent"]) == (1 if org == A else 2)
    assert done.stdout.count("valid signature by") == len(messages)
    said_ok = (done.stdout + done.stderr).splitlines().count("OK")  # xmlsec1's verdict, one per message
    assert said_ok == len(messages)


def test_a_file_gone_or_changed_in_the_file_store_is_named_and_the_export_exits_1(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Evidence the store lists but cannot give is not a routine "not kept": the operator is told on
    stderr and by the exit code, the auditor by README.txt and manifest.json, and the rest is written."""
    data = tmp_path / "data"
    shutil.copytree(life / B / "data", data)
    main, attachment = letter().files
    stored = {p.name: p for p in (data / "files").rglob("*") if p.is_file()}
    stored[hashlib.sha256(main.content).hexdigest()].write_bytes(b"changed")
    stored[hashlib.sha256(attachment.content).hexdigest()].unlink()
    out = tmp_path / "evidence"
    code, _, stderr = _export(capsys, data, out)
    assert code == 1
    assert f"MISSING from the store: files/00-{main.name}" in stderr
    assert f"MISSING from the store: files/01-{attachment.name}" in stderr
    assert "the export is incomplete" in stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False
    assert manifest["missing_from_store"] == [f"files/00-{main.name}", f"files/01-{attachment.name}"]
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "!! INCOMPLETE: 2 file(s)" in readme
    damaged = readme.split("MISSING OR DAMAGED", 2)[2].split("== ไม่ได้รวมไว้")[0]
    assert f"files/01-{attachment.name}" in damaged
    assert "notify_receive" not in damaged
    assert "Error" not in damaged, damaged  # the fact in words, not a class name or an errno
    assert (out / "messages" / "01-received-letter-inbox1.xml").is_file()
    checked = subprocess.run(SHA256SUM, cwd=out, capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_whole_export_says_it_is_complete(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evidence"
    code, _, stderr = _export(capsys, life / B / "data", out)
    assert (code, stderr) == (0, "")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["complete"], manifest["missing_from_store"]) == (True, [])
    assert "INCOMPLETE" not in (out / "README.txt").read_text(encoding="utf-8")


def test_a_password_in_the_database_urls_query_stays_out_of_the_manifest(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """libpq takes ``?password=`` as well as ``user:password@``; the manifest goes to others."""
    url = "postgresql+psycopg://gw:s3cret-a@db.example/gateway?password=s3cret-b&sslmode=require"
    args = argparse.Namespace(letter_id=1, out=tmp_path / "evidence", zip=False, force=False)
    code = export(args, open_store=lambda: Store(data_dir=life / B / "data"), database_url=url)
    assert code == 0
    capsys.readouterr()
    written = b"".join(p.read_bytes() for p in (tmp_path / "evidence").rglob("*") if p.is_file())
    assert b"s3cret" not in written
    manifest = json.loads((tmp_path / "evidence" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"].startswith("postgresql+psycopg://gw:***@db.example/gateway?")
    assert "sslmode=require" in manifest["database"]


def test_a_sent_message_gone_from_the_file_store_is_named_and_the_export_exits_1(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sent message over 1 MiB lives in the file store as received items do; when its file is gone,
    the export says so as it does for a received item."""
    data = tmp_path / "data"
    shutil.copytree(life / A / "data", data)
    with sqlite3.connect(data / "gateway.sqlite3") as db:  # as if kept in the file store, then lost
        db.execute("UPDATE sent_item SET raw = NULL WHERE what = 'letter'")
    out = tmp_path / "evidence"
    code, _, stderr = _export(capsys, data, out)
    assert code == 1
    assert "MISSING from the store: messages/sent/01-letter-sent1.xml" in stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False
    assert manifest["missing_from_store"] == ["messages/sent/01-letter-sent1.xml"]
    assert not (out / "messages" / "sent").exists()
    assert "!! INCOMPLETE: 1 file(s) or message(s)" in (out / "README.txt").read_text(encoding="utf-8")


def test_show_lists_what_was_sent_when_under_which_message_id_and_who_confirmed_it(
    life: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, stderr = run(capsys, "show", "1", "--data-dir", str(life / A / "data"))
    assert code == 0, stderr
    listing = stdout.split("sent messages")[1]
    [row] = [line for line in listing.splitlines() if " letter " in line]
    assert "mid://" in row
    assert "ProcessID " in row
    assert row.rstrip().endswith("bytes")
    code, stdout, _ = run(capsys, "show", "1", "--data-dir", str(life / B / "data"))
    listing = stdout.split("sent messages")[1]
    assert "notifier:receive" in listing
    assert "notifier:accept" in listing


def test_a_message_sent_without_an_archived_copy_is_said_to_be_not_archived_not_when(
    life: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A gateway version without the sent-message archive sent it: before migration 0008 was applied,
    or a process of that version left running through the upgrade, so the export cannot say when."""
    data = tmp_path / "data"
    shutil.copytree(life / A / "data", data)
    with sqlite3.connect(data / "gateway.sqlite3") as db:  # what such a process leaves: no archived copy
        db.execute("DELETE FROM sent_confirmation")
        db.execute("DELETE FROM sent_item")
    out = tmp_path / "evidence"
    assert _export(capsys, data, out)[0] == 0  # nothing the store lists is missing
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    [letter_sent] = [m for m in manifest["not_included"] if "the send message" in m["what"]]
    assert letter_sent["why"].startswith("no copy was archived: a gateway version without the sent-message")
    assert "a process of an earlier version still running" in letter_sent["why"]
    assert "sent before" not in letter_sent["why"]
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert f"{letter_sent['what']}: {letter_sent['why']}" in readme

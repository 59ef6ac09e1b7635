"""``ecms-gateway audit files`` on a real store: every letter file, mail letter file, received item, sent
message and letter record is checked against the SHA-256 the database recorded for it, wherever it is kept
(its row or the file store); a file removed or changed, or a row changed by SQL, is named with what to do
(exit 1); a file no row names is told, not failed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, update
from store_support import Backend, make_package

from ecms_gateway.cli import main as cli
from ecms_gateway.engine import SignatureMark, Store, WorkKind
from ecms_gateway.engine.content_check import ContentKind, ContentProblem, Fault
from ecms_gateway.engine.mail_values import MailLetterDraft, MailLetterFields
from ecms_gateway.engine.raw_bytes import INLINE_RAW_MAX
from ecms_gateway.engine.sent_values import SentDraft, SentWhat
from ecms_gateway.letter.model import FileData
from ecms_gateway.store.files import LocalFileStore
from ecms_gateway.store.tables import INBOX, LETTER, SENT
from tests.unit.cli.support import run

BIG = INLINE_RAW_MAX + 1  # kept in the file store, not in its row
ALL_MATCH = (
    "checked 4 letter files, 1 mail letter file, 3 received items, 2 sent messages, 3 letter records: "
    "all match\n"
)


@pytest.fixture(autouse=True)
def only_store_commands(monkeypatch: pytest.MonkeyPatch, backend: Backend) -> None:
    """The store commands alone, on the test's store: its database and its data folder (file store)."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("ecms_gateway.cli.store_cmds",))
    monkeypatch.delenv("ECMS_GATEWAY_CONFIG", raising=False)
    monkeypatch.setenv("ECMS_GATEWAY_DATA_DIR", str(backend.data_dir))
    monkeypatch.setenv("ECMS_GATEWAY_DATABASE_URL", backend.url)


@dataclass(frozen=True)
class Filled:
    """What ``_fill`` stored: ids, and where the file-store pieces are."""

    letter: int  # outbound, main file and attachment
    attachment: Path
    small_item: int  # in its row
    big_item: int  # in the file store
    big_item_file: Path
    small_sent: int  # in its row
    big_sent: int  # in the file store


def _fill(store: Store, files: LocalFileStore) -> Filled:
    letter = store.accept_outbound(make_package(1, attachment=b"attachment 1"), actor="clerk", channel="ecms")
    store.accept_outbound(make_package(3), actor="clerk", channel="ecms")
    small = store.accept_inbound(b"<small/>", channel="ecms", process_id="P1", actor="poller")
    big_raw = b"b" * BIG
    big = store.accept_inbound(big_raw, channel="ecms", process_id="P2", actor="poller")
    store.record_inbound_letter(small.id, make_package(2), actor="w", signature=SignatureMark.VERIFIED)
    mail = store.accept_inbound(b"From: someone\r\n\r\nletter", channel="mail", process_id="M1", actor="imap")
    store.record_mail_letter(_mail_draft(mail.id), actor="mail")
    small_sent = _archive(store, b"<request/>")
    big_sent = _archive(store, b"s" * BIG)
    return Filled(
        letter=letter,
        attachment=files.path_of(FileData(name="a", mime="b", content=b"attachment 1").sha256),
        small_item=small.id,
        big_item=big.id,
        big_item_file=files.path_of(FileData(name="a", mime="b", content=big_raw).sha256),
        small_sent=small_sent,
        big_sent=big_sent,
    )


def _mail_draft(inbox_id: int) -> MailLetterDraft:
    return MailLetterDraft(
        inbox_id=inbox_id,
        message_id="<m1@example.org>",
        from_address="someone@example.org",
        from_name=None,
        mail_subject="หนังสือ",
        mail_date=None,
        fields=MailLetterFields(),
        not_found=(),
        notes=(),
        forwarded=False,
        files=(FileData(name="scan.pdf", mime="application/pdf", content=b"%PDF-1.4 scan\n"),),
    )


def _archive(store: Store, raw: bytes) -> int:
    claim = store.claim("ecms", "w1", kinds=(WorkKind.SEND,))
    assert claim is not None
    draft = SentDraft(
        work_id=claim.work_id,
        run_started_at=claim.first_try_at,
        letter_id=claim.letter_id,
        channel=claim.channel,
        what=SentWhat.LETTER,
        message_id=f"mid://test.w{claim.work_id}",
        raw=raw,
    )
    return store.archive_sent(draft, actor="w1").sent.id


@pytest.fixture
def filled(store: Store, backend: Backend) -> Filled:
    return _fill(store, LocalFileStore(backend.data_dir / "files"))


def test_a_whole_store_is_all_match(filled: Filled, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "audit", "files") == (0, ALL_MATCH, "")


def test_a_file_removed_from_the_file_store_is_named_with_where_and_what_to_do(
    filled: Filled, backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    filled.attachment.unlink()
    code, out, err = run(capsys, "audit", "files")
    assert (code, err) == (1, "")
    problem, summary, advice = out.splitlines()
    assert problem == (
        f"letter {filled.letter} file 1 `att-1.bin`: missing from the file store at {filled.attachment}"
    )
    assert summary == (
        "checked 4 letter files, 1 mail letter file, 3 received items, 2 sent messages, 3 letter records: "
        "1 missing or changed"
    )
    assert advice.startswith(
        f"restore the file store {backend.data_dir / 'files'} from the same backup as the database"
    )
    assert "docs/operations.md" in advice


def test_a_changed_file_is_told_from_a_missing_one(
    filled: Filled, capsys: pytest.CaptureFixture[str]
) -> None:
    filled.big_item_file.write_bytes(b"c" * BIG)  # same size, other content
    code, out, _ = run(capsys, "audit", "files")
    assert code == 1
    assert out.splitlines()[0] == (
        f"received item {filled.big_item}: content does not match its hash (at {filled.big_item_file})"
    )


def test_bytes_changed_in_their_row_are_a_database_problem(
    store: Store, filled: Filled, capsys: pytest.CaptureFixture[str]
) -> None:
    with store.db.write() as conn:
        conn.execute(update(SENT).where(SENT.c.id == filled.small_sent).values(raw=b"<forged/>"))
    code, out, _ = run(capsys, "audit", "files")
    assert code == 1
    problem, _summary, advice = out.splitlines()
    assert (
        problem == f"sent message {filled.small_sent}: content does not match its hash (in its database row)"
    )
    assert advice.startswith("content kept in the database itself was changed after it was written")


def test_a_letter_edited_in_the_database_no_longer_matches_its_digest(
    store: Store, filled: Filled, capsys: pytest.CaptureFixture[str]
) -> None:
    with store.db.read() as conn:
        letter_json = conn.execute(
            select(LETTER.c.letter_json).where(LETTER.c.id == filled.letter)
        ).scalar_one()
    forged = letter_json.replace("เรื่องทดสอบ 1", "เรื่องอื่น")
    assert forged != letter_json
    with store.db.write() as conn:
        conn.execute(update(LETTER).where(LETTER.c.id == filled.letter).values(letter_json=forged))
    code, out, _ = run(capsys, "audit", "files")
    assert code == 1
    assert out.splitlines()[0] == (
        f"letter {filled.letter}: its record (letter JSON and list of files) no longer matches its "
        "content digest"
    )


def test_a_file_no_row_names_is_information_not_a_failure(
    filled: Filled, backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    stray = LocalFileStore(backend.data_dir / "files")
    orphan = stray.path_of(stray.put(b"a file from a later backup"))
    (orphan.parent / ".tmp-left-by-a-crash").write_bytes(b"x")  # not a stored file: passed over
    code, out, _ = run(capsys, "audit", "files")
    assert code == 0
    summary, note = out.splitlines()
    assert summary == ALL_MATCH.strip()
    assert note.startswith(
        f"note: 1 file(s) in the file store {backend.data_dir / 'files'} are named by no row"
    )
    assert note.endswith(f": {orphan}")


def test_json_gives_the_counts_the_problems_and_the_unnamed_files(
    store: Store, filled: Filled, backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    filled.attachment.unlink()
    with store.db.write() as conn:
        conn.execute(update(INBOX).where(INBOX.c.id == filled.small_item).values(raw=b"<changed/>"))
    orphan = LocalFileStore(backend.data_dir / "files").put(b"unnamed")
    code, out, err = run(capsys, "audit", "files", "--json")
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert report["ok"] is False
    assert report["checked"] == {
        "letter_files": 4,
        "mail_letter_files": 1,
        "received_items": 3,
        "sent_messages": 2,
        "letter_records": 3,
    }
    assert [(p["kind"], p["id"], p["position"], p["problem"], p["kept_in"]) for p in report["problems"]] == [
        ("letter_file", filled.letter, 1, "missing", "file_store"),
        ("received", filled.small_item, None, "changed", "database"),
    ]
    assert report["problems"][0]["location"] == str(filled.attachment)
    assert report["problems"][0]["name"] == "att-1.bin"
    assert report["orphans"]["count"] == 1
    assert report["orphans"]["first"] == [str(LocalFileStore(backend.data_dir / "files").path_of(orphan))]
    assert report["file_store_found"] is True


def test_a_file_store_that_is_not_there_is_named_as_such(
    filled: Filled, backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    (backend.data_dir / "files").rename(backend.data_dir / "files.old")
    code, out, _ = run(capsys, "audit", "files")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 7 + 2  # 4 letter files, a mail letter file, an item, a message; summary, advice
    assert f"the file store {backend.data_dir / 'files'} is not there: check gateway.data_dir" in lines[-1]


def test_batches_reach_every_row_once_and_problems_at_their_edges(
    store: Store, backend: Backend, filled: Filled
) -> None:
    """Read two rows per transaction: the counts are those read in one, and problems in the last row of
    a batch and the first of the next are both found."""
    for i in range(4, 9):
        store.accept_outbound(make_package(i), actor="clerk", channel="mail")
    files = LocalFileStore(backend.data_dir / "files")
    for i in (5, 6):  # letter files 6 and 7: the last of the third batch and the first of the fourth
        files.path_of(make_package(i).main.sha256).unlink()
    found: list[ContentProblem] = []
    report = store.check_content(on_problem=found.append, batch=2)
    assert report.checked == {
        ContentKind.LETTER_FILE: 9,
        ContentKind.MAIL_LETTER_FILE: 1,
        ContentKind.RECEIVED: 3,
        ContentKind.SENT: 2,
        ContentKind.LETTER: 8,
    }
    assert [(p.kind, p.id, p.position, p.fault) for p in found] == [
        (ContentKind.LETTER_FILE, 5, 0, Fault.MISSING),
        (ContentKind.LETTER_FILE, 6, 0, Fault.MISSING),
    ]
    assert report.problems == 2

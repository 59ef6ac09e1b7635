"""Mail channel speed: letters per second sent over one SMTP connection and received through IMAP,
with 100 KB attachments, beside aiosmtplib / aioimaplib used directly on the same messages.

Run: .venv/bin/python bench/bench_mail.py [--letters N]   (needs dovecot: apt-get install dovecot-imapd)

Sending: the gateway composes each letter mail (MailComposer: Thai text, files, ecms-letter.xml) and
sends it with SmtpSender; the raw figure sends the same, already built bytes with aiosmtplib.SMTP
.sendmail. Both go over one connection to (a) aiosmtpd delivering into a Maildir, as the tests use,
and (b) a minimal in-process SMTP sink, which shows the client side without aiosmtpd's line-by-line
DATA reading. The signed GovernmentDocument is built beforehand (bench/bench_signing.py covers it).
Receiving: ImapMailboxReader.fetch_new (fetch, commit, flag \\Seen, checkpoint per batch of 20) from
Dovecot, beside aioimaplib doing UID SEARCH + UID FETCH + UID STORE in the same batches; and the
reader committing into a real Store (SQLite) for reference.
Prints figures and ratios (goal: 0.7 of the library's rate); exits 1 when a goal ratio is missed.
Figures, not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aioimaplib
import aiosmtplib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test servers (Dovecot, aiosmtpd into a Maildir) are reused here

from ecms_adapters.mail.imap_reader import ImapMailboxReader  # noqa: E402
from ecms_adapters.mail.imap_replies import fetched_messages, search_results, uid_set  # noqa: E402
from ecms_adapters.mail.smtp import SmtpSender  # noqa: E402

from ecms_gateway.engine import Store  # noqa: E402
from ecms_gateway.letter.loader import load_letter_file  # noqa: E402
from ecms_gateway.letter.model import FileData, LetterPackage  # noqa: E402
from ecms_gateway.mail.checkpoint import MemoryCheckpointStore  # noqa: E402
from ecms_gateway.mail.compose import OutgoingMail  # noqa: E402
from ecms_gateway.mail.directory import load_mail_directory  # noqa: E402
from ecms_gateway.mail.outbound import MailComposer, letter_document_xml  # noqa: E402
from ecms_gateway.mail.ports import FetchedMail  # noqa: E402
from ecms_gateway.mail.settings import ImapSettings, MailSettings, ServerLogin, SmtpSettings, TlsMode  # noqa: E402
from ecms_gateway.signing import sign_document  # noqa: E402
from ecms_gateway.signing.testing import shared_pki  # noqa: E402
from tests.integration.mail.servers import HOST, PASSWORD, MailUser, remove_dovecot, start_dovecot  # noqa: E402
from tests.integration.mail.smtpd import MaildirDelivery, running_smtpd  # noqa: E402

SAMPLES = ROOT / "ecms_gateway" / "samples"
GOAL = 0.7
PASSWORD_ENV = "BENCH_IMAP_PASSWORD"  # noqa: S105 - the name of a variable, not a password
BATCH = 20
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def make_letters(count: int) -> list[tuple[LetterPackage, bytes]]:
    """``count`` letters (distinct book numbers) with a 100 KB attachment, their documents signed."""
    base = load_letter_file(SAMPLES / "letters" / "letter-001.json")
    key = shared_pki().issue("2099000000").signing_key()
    blob = FileData(
        name="สิ่งที่ส่งมาด้วย.pdf", mime="application/pdf", content=b"%PDF-1.4\n" + os.urandom(100 * 1024)
    )
    small = (SAMPLES / "letters" / "letter-002.pdf").read_bytes()  # a one-page letter; the 100 KB is attached
    main = FileData(name=base.main.name, mime=base.main.mime, content=small)
    letters = []
    for n in range(count):
        letter = base.letter.model_copy(
            update={
                "book_no": f"ศธ 0990/{n + 1}",
                "attachments": (base.letter.attachments[0].model_copy(update={"path": blob.name}),),
            }
        )
        package = LetterPackage(letter=letter, main=main, attachments=(blob,))
        letters.append((package, letter_document_xml(package, sign=lambda e: sign_document(e, key))))
    return letters


async def _sink_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A minimal SMTP dialogue that reads DATA in one go and delivers nowhere."""
    writer.write(b"220 sink ESMTP\r\n")
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 67108864\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go on\r\n")
            await reader.readuntil(b"\r\n.\r\n")
            writer.write(b"250 2.0.0 Ok\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:
            writer.write(b"250 Ok\r\n")
        await writer.drain()
    writer.close()


async def _serve_sink() -> None:
    server = await asyncio.start_server(_sink_session, HOST, 0, limit=64 * 1024 * 1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def serve(kind: str, maildir: str) -> int:
    """The SMTP server of a figure, in a process of its own (it must not share the client's GIL)."""
    if kind == "sink":
        asyncio.run(_serve_sink())
        return 0
    uid, gid = os.stat(maildir).st_uid, os.stat(maildir).st_gid
    user = MailUser(name="bench", password=PASSWORD, maildir=Path(maildir), uid=uid, gid=gid)
    with running_smtpd(MaildirDelivery(user)) as port:
        print(port, flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin
    return 0


@contextmanager
def server_process(kind: str, maildir: Path | None = None) -> Iterator[int]:
    command = [sys.executable, __file__, "--serve", kind, "--maildir", str(maildir or "")]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline())
    finally:
        process.terminate()
        process.communicate(timeout=10)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


async def timed(coro: Awaitable[Any]) -> float:
    started = time.perf_counter()
    await coro
    return time.perf_counter() - started


async def gateway_send(port: int, composer: MailComposer, letters: list[tuple[LetterPackage, bytes]]) -> None:
    sender = SmtpSender(SmtpSettings(host=HOST, port=port, tls=TlsMode.NONE, local_hostname="bench"))
    for package, xml in letters:
        await sender.send(composer.letter(package, xml, now=NOW))
    await sender.aclose()


async def raw_send(port: int, mails: list[OutgoingMail]) -> None:
    client = aiosmtplib.SMTP(hostname=HOST, port=port, start_tls=False, local_hostname="bench")
    await client.connect()
    for mail in mails:
        await client.sendmail(mail.envelope_from, list(mail.recipients), mail.data)
    await client.quit()


def imap(user: MailUser, port: int) -> ImapSettings:
    login = ServerLogin(username=user.name, password_env=PASSWORD_ENV)
    return ImapSettings(host=HOST, port=port, tls=TlsMode.NONE, login=login, batch_size=BATCH)


async def gateway_receive(settings: ImapSettings, commit: Callable[[FetchedMail], Awaitable[None]]) -> int:
    reader = ImapMailboxReader(settings, checkpoints=MemoryCheckpointStore())
    count = await reader.fetch_new(commit)
    await reader.aclose()
    return count


async def raw_receive(user: MailUser, port: int) -> int:
    client = aioimaplib.IMAP4(HOST, port, timeout=60)
    await client.wait_hello_from_server()
    await client.login(user.name, PASSWORD)
    await client.select("INBOX")
    uids = search_results((await client.uid_search("UID", "1:*", charset=None)).lines)
    count = 0
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        response = await client.uid("fetch", uid_set(batch), "(UID BODY.PEEK[])")
        count += len(fetched_messages(response.lines))
        await client.uid("store", uid_set(batch), "+FLAGS.SILENT", r"(\Seen)")
    await client.logout()
    return count


def show(label: str, ours: float, raw: float) -> float:
    ratio = ours / raw
    print(f"  {label:<44} {ours:8.1f}/s   raw {raw:8.1f}/s   ratio {ratio:4.2f}")
    return ratio


def best_rates(
    count: int, runs: int, ours: Callable[[], Awaitable[Any]], raw: Callable[[], Awaitable[Any]]
) -> tuple[float, float]:
    """Best of ``runs`` alternating runs of each (on a shared machine the best run is the least disturbed)."""
    ours_best = raw_best = float("inf")
    for _ in range(runs):
        raw_best = min(raw_best, asyncio.run(timed(raw())))
        ours_best = min(ours_best, asyncio.run(timed(ours())))
    return rate(count, ours_best), rate(count, raw_best)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--letters", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", choices=["sink", "maildir"], help=argparse.SUPPRESS)
    parser.add_argument("--maildir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.maildir)
    os.environ[PASSWORD_ENV] = PASSWORD
    letters = make_letters(args.letters)
    directory = load_mail_directory(SAMPLES / "directory.json")
    smtp = SmtpSettings(host=HOST, tls=TlsMode.NONE)
    composer = MailComposer(
        MailSettings(org_id="2099000000", address="sample-council@saraban.example.go.th", smtp=smtp),
        directory,
    )
    mails = [composer.letter(package, xml, now=NOW) for package, xml in letters]
    size = sum(len(m.data) for m in mails) / len(mails)
    started = time.perf_counter()
    for package, xml in letters:
        composer.letter(package, xml, now=NOW)
    compose_rate = rate(len(letters), time.perf_counter() - started)
    print(
        f"{len(letters)} letters, each a 2.6 KB PDF + 100 KB attachment + ecms-letter.xml: "
        f"{size / 1024:.0f} KB per message"
    )
    print(f"best of {args.runs} alternating runs per figure; servers run in their own processes")
    print(f"  {'compose only (MailComposer.letter, no network)':<44} {compose_rate:8.1f}/s")
    ratios = []
    dovecot = start_dovecot()
    try:
        count = len(mails)
        print("sending over one SMTP connection")
        with server_process("sink") as port:
            ours, raw = best_rates(
                count, args.runs, lambda: gateway_send(port, composer, letters), lambda: raw_send(port, mails)
            )
        ratios.append(show("to a minimal SMTP sink (client side only)", ours, raw))
        user = dovecot.new_user()
        with server_process("maildir", user.maildir) as port:
            ours, raw = best_rates(
                count, args.runs, lambda: gateway_send(port, composer, letters), lambda: raw_send(port, mails)
            )
        ratios.append(show("to aiosmtpd delivering into a Maildir", ours, raw))

        total = len(user.files())
        print(f"receiving through IMAP from Dovecot ({total} messages in the mailbox, batches of {BATCH})")

        async def nothing(_item: FetchedMail) -> None:
            return None

        asyncio.run(raw_receive(user, dovecot.imap_port))  # warm Dovecot's index and the page cache
        settings = imap(user, dovecot.imap_port)
        ours, raw = best_rates(
            total,
            args.runs,
            lambda: gateway_receive(settings, nothing),
            lambda: raw_receive(user, dovecot.imap_port),
        )
        ratios.append(show("fetch, commit (no-op), flag \\Seen, checkpoint", ours, raw))
        with tempfile.TemporaryDirectory() as folder, Store(data_dir=Path(folder)) as store:

            async def into_store(item: FetchedMail) -> None:
                await asyncio.to_thread(
                    store.accept_inbound, item.raw, channel="mail", process_id=item.dedupe_key, actor="bench"
                )

            stored = rate(total, asyncio.run(timed(gateway_receive(settings, into_store))))
        print(
            f"  {'... committing into Store (SQLite, fsync each)':<44} {stored:8.1f}/s"
            "   (reference: the store's cost)"
        )
    finally:
        remove_dovecot(dovecot)
    missed = [r for r in ratios if r < GOAL]
    print(f"goal: {GOAL} of the library's rate: {'met' if not missed else 'MISSED'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

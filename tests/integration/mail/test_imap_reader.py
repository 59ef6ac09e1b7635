"""``ImapMailboxReader`` against Dovecot on 127.0.0.1: commit before flag or move, checkpoints,
UIDVALIDITY, IDLE where offered and polling where not, TLS both ways, and login failures."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from ecms_adapters.mail.imap_reader import ImapMailboxReader

from ecms_gateway.errors import PermanentMailError, TransientMailError
from ecms_gateway.mail.checkpoint import MemoryCheckpointStore
from ecms_gateway.mail.message_ids import dedupe_key
from ecms_gateway.mail.ports import Checkpoint, Disposal, FetchedMail, MailboxReader
from ecms_gateway.mail.settings import AfterCommit, FirstScan, ImapSettings, TlsMode
from tests.integration.mail.conftest import imap_settings
from tests.integration.mail.servers import Dovecot, MailUser, remove_dovecot, start_dovecot


def _message(n: int) -> bytes:
    return (
        f"From: saraban@sample-peo.example.go.th\r\nTo: gw@example.go.th\r\nSubject: letter {n}\r\n"
        f"Message-ID: <m{n}@sample-peo.example.go.th>\r\nDate: Fri, 20 Nov 2026 09:00:0{n % 10} +0700\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody {n}\r\n"
    ).encode("ascii")


class Journal:
    """A commit callback that records what it was given (and can fail on demand)."""

    def __init__(self, *, fail_on: int | None = None) -> None:
        self.items: list[FetchedMail] = []
        self.fail_on = fail_on

    async def __call__(self, item: FetchedMail) -> None:
        if self.fail_on is not None and item.uid == self.fail_on:
            raise TransientMailError("the store is down")
        self.items.append(item)

    @property
    def subjects(self) -> list[str]:
        return [item.raw.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0].decode() for item in self.items]


async def _one_pass(settings: ImapSettings, commit: Journal, checkpoints: MemoryCheckpointStore) -> int:
    reader: MailboxReader = ImapMailboxReader(
        settings, checkpoints=checkpoints
    )  # mypy: adapter fits the port
    try:
        count: int = await reader.fetch_new(commit)
        return count
    finally:
        await reader.aclose()


def _seen(user: MailUser) -> list[bool]:
    return [
        p.parent.name == "cur" and ":2," in p.name and "S" in p.name.split(":2,")[1] for p in user.files()
    ]


def test_every_message_is_committed_in_uid_order_then_flagged_seen_and_checkpointed(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    for n in range(5):
        mailbox.deliver(_message(n))
    checkpoints = MemoryCheckpointStore()
    settings = imap_settings(dovecot, mailbox, batch_size=2)
    journal = Journal()
    assert asyncio.run(_one_pass(settings, journal, checkpoints)) == 5
    assert journal.subjects == [f"letter {n}" for n in range(5)]
    assert [item.uid for item in journal.items] == [1, 2, 3, 4, 5]
    first = journal.items[0]
    assert first.message_id == "<m0@sample-peo.example.go.th>"
    assert first.dedupe_key == dedupe_key(_message(0))  # the trace headers of delivery do not count
    assert first.raw.endswith(_message(0))
    assert _seen(mailbox) == [True] * 5
    checkpoint = checkpoints.load(settings.checkpoint_key)
    assert checkpoint is not None
    assert checkpoint.last_uid == 5
    again = Journal()
    assert asyncio.run(_one_pass(settings, again, checkpoints)) == 0


def test_a_commit_failure_leaves_the_message_unflagged_and_it_comes_again(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    for n in range(3):
        mailbox.deliver(_message(n))
    checkpoints = MemoryCheckpointStore()
    settings = imap_settings(dovecot, mailbox, batch_size=10)
    failing = Journal(fail_on=2)
    with pytest.raises(TransientMailError, match="store is down"):
        asyncio.run(_one_pass(settings, failing, checkpoints))
    assert failing.subjects == ["letter 0"]
    assert _seen(mailbox) == [False, False, False]  # nothing is flagged before its batch is committed
    assert checkpoints.load(settings.checkpoint_key) is None
    retry = Journal()
    assert asyncio.run(_one_pass(settings, retry, checkpoints)) == 3
    assert retry.subjects == ["letter 0", "letter 1", "letter 2"]  # letter 0 again: the caller dedupes it


def test_move_mode_puts_committed_messages_into_the_processed_folder(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    for n in range(3):
        mailbox.deliver(_message(n))
    settings = imap_settings(dovecot, mailbox, after=AfterCommit.MOVE)
    journal = Journal()
    assert asyncio.run(_one_pass(settings, journal, MemoryCheckpointStore())) == 3
    assert mailbox.files() == []
    assert len(mailbox.files("Processed")) == 3


def test_a_changed_uidvalidity_reads_the_mailbox_again_from_the_start(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    for n in range(2):
        mailbox.deliver(_message(n))
    checkpoints = MemoryCheckpointStore()
    settings = imap_settings(dovecot, mailbox)
    asyncio.run(_one_pass(settings, Journal(), checkpoints))
    stale = checkpoints.load(settings.checkpoint_key)
    assert stale is not None
    checkpoints.save(settings.checkpoint_key, Checkpoint(uidvalidity=stale.uidvalidity + 1, last_uid=99))
    journal = Journal()
    assert asyncio.run(_one_pass(settings, journal, checkpoints)) == 2
    assert journal.subjects == ["letter 0", "letter 1"]


def test_first_scan_unseen_skips_what_people_already_read(dovecot: Dovecot, mailbox: MailUser) -> None:
    for n in range(3):
        mailbox.deliver(_message(n))
    settings = imap_settings(dovecot, mailbox)
    asyncio.run(
        _one_pass(replace(settings, batch_size=1), Journal(), MemoryCheckpointStore())
    )  # all \Seen now
    mailbox.deliver(_message(7))
    journal = Journal()
    asyncio.run(_one_pass(replace(settings, first_scan=FirstScan.UNSEEN), journal, MemoryCheckpointStore()))
    assert journal.subjects == ["letter 7"]


@pytest.mark.parametrize("tls", [TlsMode.IMPLICIT, TlsMode.STARTTLS])
def test_tls_with_the_servers_certificate_checked(dovecot: Dovecot, mailbox: MailUser, tls: TlsMode) -> None:
    mailbox.deliver(_message(1))
    journal = Journal()
    assert (
        asyncio.run(_one_pass(imap_settings(dovecot, mailbox, tls=tls), journal, MemoryCheckpointStore()))
        == 1
    )


@pytest.mark.parametrize("tls", [TlsMode.IMPLICIT, TlsMode.STARTTLS])
def test_an_untrusted_certificate_is_permanent(dovecot: Dovecot, mailbox: MailUser, tls: TlsMode) -> None:
    settings = replace(imap_settings(dovecot, mailbox, tls=tls), ca_file=None)
    with pytest.raises(PermanentMailError, match="certificate is not trusted"):
        asyncio.run(_one_pass(settings, Journal(), MemoryCheckpointStore()))


def test_a_wrong_password_is_permanent_and_says_what_to_check(
    dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Dovecot of its own: after a failed login Dovecot delays every login from the same address.
    own = start_dovecot()
    try:
        monkeypatch.setenv("ECMS_TEST_MAIL_PASSWORD", "wrong")
        with pytest.raises(
            PermanentMailError, match=r"login as .* refused .*check mail\.imap\.username and its password"
        ):
            asyncio.run(_one_pass(imap_settings(own, own.new_user()), Journal(), MemoryCheckpointStore()))
    finally:
        remove_dovecot(own)


def test_selecting_a_folder_that_does_not_exist_is_permanent(dovecot: Dovecot, mailbox: MailUser) -> None:
    settings = replace(imap_settings(dovecot, mailbox), mailbox="NoSuchFolder")
    with pytest.raises(PermanentMailError, match="SELECT NoSuchFolder refused"):
        asyncio.run(_one_pass(settings, Journal(), MemoryCheckpointStore()))


async def _run_until(
    reader: ImapMailboxReader, journal: Journal, want: int, deliver: list[bytes], user: MailUser
) -> float:
    stop = asyncio.Event()
    task = asyncio.create_task(reader.run(journal, stop=stop))
    await asyncio.sleep(0.5)  # the reader is connected and waiting (IDLE or polling)
    started = time.monotonic()
    for raw in deliver:
        user.deliver(raw)
    while len(journal.items) < want and time.monotonic() - started < 10:
        await asyncio.sleep(0.02)
    elapsed = time.monotonic() - started
    stop.set()
    await asyncio.wait_for(task, 10)
    return elapsed


def test_idle_wakes_the_reader_as_soon_as_mail_arrives(dovecot: Dovecot, mailbox: MailUser) -> None:
    settings = replace(imap_settings(dovecot, mailbox), poll_seconds=60)  # polling could not be this fast
    reader = ImapMailboxReader(settings, checkpoints=MemoryCheckpointStore())
    journal = Journal()
    elapsed = asyncio.run(_run_until(reader, journal, 2, [_message(1), _message(2)], mailbox))
    assert journal.subjects == ["letter 1", "letter 2"]
    assert reader.idle_supported is None  # closed after stop
    assert elapsed < 5


def test_a_server_without_idle_is_polled(dovecot: Dovecot, mailbox: MailUser) -> None:
    settings = imap_settings(dovecot, mailbox, idle=False, poll_seconds=0.2)
    reader = ImapMailboxReader(settings, checkpoints=MemoryCheckpointStore())

    async def check() -> bool | None:
        await reader.fetch_new(Journal())
        supported: bool | None = reader.idle_supported
        await reader.aclose()
        return supported

    assert asyncio.run(check()) is False
    journal = Journal()
    asyncio.run(_run_until(reader, journal, 1, [_message(3)], mailbox))
    assert journal.subjects == ["letter 3"]


def test_the_reader_reconnects_when_the_server_drops_it_during_idle(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    reader = ImapMailboxReader(imap_settings(dovecot, mailbox), checkpoints=MemoryCheckpointStore())
    journal = Journal()

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(reader.run(journal, stop=stop))
        await asyncio.sleep(0.5)  # connected and in IDLE
        kicked = await asyncio.to_thread(dovecot.kick, mailbox.name)
        assert kicked
        mailbox.deliver(_message(5))
        started = time.monotonic()
        while not journal.items and time.monotonic() - started < 10:
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    assert journal.subjects == ["letter 5"]


def _flags(user: MailUser, folder: str = "INBOX") -> dict[str, str]:
    """Subject -> the Maildir flags Dovecot keeps in each file's name (S seen, F flagged)."""
    flags = {}
    for path in user.files(folder):
        subject = path.read_bytes().split(b"Subject: ", 1)[1].split(b"\n", 1)[0].decode()
        flags[subject] = path.name.split(":2,")[1] if ":2," in path.name else ""
    return flags


class Sorting(Journal):
    """Answers ``Disposal.FOR_A_PERSON`` for the UIDs given, as the runtime does for mail it cannot use."""

    def __init__(self, for_a_person: set[int]) -> None:
        super().__init__()
        self.for_a_person = for_a_person

    async def __call__(self, item: FetchedMail) -> Disposal:  # type: ignore[override]
        await super().__call__(item)
        return Disposal.FOR_A_PERSON if item.uid in self.for_a_person else Disposal.DONE


@pytest.mark.parametrize("after", [AfterCommit.FLAG_SEEN, AfterCommit.MOVE])
def test_a_message_the_gateway_cannot_use_stays_unread_and_flagged_and_is_not_read_again(
    dovecot: Dovecot, mailbox: MailUser, after: AfterCommit
) -> None:
    for n in range(3):
        mailbox.deliver(_message(n))
    checkpoints = MemoryCheckpointStore()
    settings = imap_settings(dovecot, mailbox, after=after, batch_size=10)
    assert asyncio.run(_one_pass(settings, Sorting({2}), checkpoints)) == 3
    left = _flags(mailbox)
    assert left["letter 1"] == "F"  # unread, flagged, where people read the mailbox
    if after is AfterCommit.MOVE:
        assert set(left) == {"letter 1"}
        assert set(_flags(mailbox, settings.processed_folder)) == {"letter 0", "letter 2"}
    else:
        assert left == {"letter 0": "S", "letter 1": "F", "letter 2": "S"}
    again = Journal()
    assert asyncio.run(_one_pass(settings, again, checkpoints)) == 0
    assert _flags(mailbox)["letter 1"] == "F"


def test_a_refused_login_does_not_stop_the_reader_which_reads_once_the_server_takes_it(
    dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The rest of the gateway runs on: the reader says what to fix and tries again, seldom."""
    own = start_dovecot()  # a Dovecot of its own: a failed login delays later ones from this address
    try:
        user = own.new_user()
        user.deliver(_message(1))
        monkeypatch.setenv("ECMS_TEST_MAIL_PASSWORD", "changed-by-the-operator")
        settings = imap_settings(own, user)
        reader = ImapMailboxReader(settings, checkpoints=MemoryCheckpointStore(), refused_retry_seconds=0.5)
        journal = Journal()

        async def scenario() -> None:
            stop = asyncio.Event()
            task = asyncio.create_task(reader.run(journal, stop=stop))
            deadline = time.monotonic() + 30
            while not any(r.levelname == "ERROR" for r in caplog.records) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert not task.done()  # still running, not failed
            # The mailbox's password is changed on the server to the one configured.
            (own.root / "users" / user.name).write_text(
                f"{user.name}:{{PLAIN}}changed-by-the-operator::::::\n", encoding="utf-8"
            )
            while not journal.items and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            stop.set()
            await task

        with caplog.at_level("ERROR", logger="ecms_adapters.mail.imap_reader"):
            asyncio.run(scenario())
        [refused, *_] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
        assert "check mail.imap.username and its password" in refused
        assert "the mailbox is not read until this is fixed" in refused
        assert journal.subjects == ["letter 1"]
    finally:
        remove_dovecot(own)


def test_implicit_tls_against_a_plain_port_says_to_check_the_tls_mode(
    dovecot: Dovecot, mailbox: MailUser
) -> None:
    settings = replace(imap_settings(dovecot, mailbox), tls=TlsMode.IMPLICIT)  # the plain IMAP port
    with pytest.raises(
        PermanentMailError, match=r"TLS handshake failed .*check mail\.imap\.tls and the port"
    ):
        asyncio.run(_one_pass(settings, Journal(), MemoryCheckpointStore()))


def test_a_plain_start_against_a_tls_port_says_to_set_implicit(dovecot: Dovecot, mailbox: MailUser) -> None:
    """STARTTLS (or none) against an IMAPS port: the server waits for TLS and never greets."""
    settings = replace(
        imap_settings(dovecot, mailbox, timeout=1.0), port=dovecot.imaps_port, tls=TlsMode.STARTTLS
    )
    with pytest.raises(
        TransientMailError, match=r"no greeting within 1 s; .*set mail\.imap\.tls = 'implicit'"
    ):
        asyncio.run(_one_pass(settings, Journal(), MemoryCheckpointStore()))

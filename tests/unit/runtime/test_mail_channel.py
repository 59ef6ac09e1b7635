"""The mail channel of the runtime with in-memory fakes of the MailSender and MailboxReader ports:
A mails a letter to B (B has no e-CMS node), B records it and mails its notifiers back as replies,
A matches them; a server's permanent refusal makes a dead letter with the server's words."""

from __future__ import annotations

import asyncio
import email
import email.header
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from pydantic import BaseModel

from ecms_gateway.codec import OrganizationInfo
from ecms_gateway.config import GatewayConfig, load_config
from ecms_gateway.engine import Direction, LetterState, WorkState
from ecms_gateway.errors import ConfigError, PermanentMailError, TransientMailError
from ecms_gateway.letter.policy import SecrecyPolicy
from ecms_gateway.mail import (
    AfterCommit,
    CommitMail,
    Disposal,
    FetchedMail,
    MailContact,
    MailDirectory,
    MailSettings,
    OutgoingMail,
    SentMail,
    SmtpSettings,
    dedupe_key,
    message_id_of,
)
from ecms_gateway.runtime.gateway import Gateway
from ecms_gateway.runtime.mail import MailInbound, MailParts
from ecms_gateway.runtime.routing import RoutingTable
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.services import clerk
from ecms_gateway.xml.parser import XmlLimits
from tests.unit.mail import corpus

from .support import NODE_URL, ORGS, A, Agency, B, agencies, gateway, letter, running, until

ROOT = Path(__file__).resolve().parents[3]
ADDRESS = {A: "saraban@a.example.go.th", B: "saraban@b.example.go.th"}
DIRECTORY = MailDirectory(
    [
        MailContact(org_id=A, th_name="หน่วยงาน ก", email=ADDRESS[A]),
        MailContact(org_id=B, th_name="หน่วยงาน ข", email=ADDRESS[B]),
    ]
)
B_BY_MAIL = RoutingTable(
    [
        OrganizationInfo(en_name="Agency A", th_name="หน่วยงาน ก", ecms_url=NODE_URL, organization_id=A),
        OrganizationInfo(en_name="Agency B", th_name="หน่วยงาน ข", ecms_url=None, organization_id=B),
    ],
    source="test directory",
)


class PostOffice:
    """Mailboxes by address; a fake sender delivers into them, a fake reader reads one of them."""

    def __init__(self) -> None:
        self.boxes: dict[str, list[bytes]] = defaultdict(list)
        self.sent: list[OutgoingMail] = []
        self.refuse: Exception | None = None
        self.fail_first = 0


class FakeSender:
    def __init__(self, office: PostOffice) -> None:
        self.office = office

    async def send(self, mail: OutgoingMail) -> SentMail:
        if self.office.refuse is not None:
            raise self.office.refuse
        if self.office.fail_first > 0:
            self.office.fail_first -= 1
            raise TransientMailError("451 try again later", server="fake:25", code=451)
        self.office.sent.append(mail)
        for rcpt in mail.recipients:
            self.office.boxes[rcpt].append(mail.data)
        return SentMail(message_id=mail.message_id, reply="250 queued")

    async def aclose(self) -> None:
        return None


class FakeReader:
    def __init__(self, office: PostOffice, address: str) -> None:
        self.office, self.address = office, address
        self.seen = 0

    async def fetch_new(self, commit: CommitMail) -> int:
        box = self.office.boxes[self.address]
        done = 0
        while self.seen < len(box):
            raw = box[self.seen]
            message_id = message_id_of(raw)
            await commit(
                FetchedMail(
                    mailbox="INBOX",
                    uidvalidity=1,
                    uid=self.seen + 1,
                    message_id=message_id,
                    dedupe_key=dedupe_key(raw, message_id),
                    raw=raw,
                )
            )
            self.seen += 1
            done += 1
        return done

    async def wait_for_mail(self, stop: asyncio.Event | None = None) -> None:
        await asyncio.sleep(0.02)

    async def run(self, commit: CommitMail, *, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.fetch_new(commit)
            await self.wait_for_mail(stop)

    async def aclose(self) -> None:
        return None


def mail_gateway(agency: Agency, node: MemoryNode, office: PostOffice) -> Gateway:
    base = gateway(agency, node)
    settings = MailSettings(
        org_id=agency.org_id, address=ADDRESS[agency.org_id], smtp=SmtpSettings(host="localhost")
    )
    mail = MailParts(
        settings=settings,
        directory=DIRECTORY,
        sender=FakeSender(office),
        reader=FakeReader(office, ADDRESS[agency.org_id]),
    )
    return Gateway(replace(base.parts, mail=mail))


def _submit(agency: Agency) -> int:
    submitted = clerk.submit(
        agency.store, letter(1), routing=B_BY_MAIL, secrecy=SecrecyPolicy(), actor="clerk:test"
    )
    assert submitted.route.channel == "mail"
    return submitted.letter_id


def _state(agency: Agency, direction: Direction) -> LetterState | None:
    found = agency.store.find_letter(
        direction=direction, book_no="ศธ 0990/1", letter_date=letter().letter.date
    )
    return None if found is None else found.state


def test_a_letter_goes_by_mail_and_the_notifiers_come_back_as_replies(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node, office = MemoryNode(ORGS), PostOffice()
    office.fail_first = 1  # the first try meets a 451: retried
    letter_id = _submit(a)

    async def exchange() -> None:
        await until("received at B", lambda: _state(b, Direction.IN) is LetterState.RECEIVED or None)
        await until("delivered at A", lambda: _state(a, Direction.OUT) is LetterState.DELIVERED or None)
        inbound = b.store.find_letter(
            direction=Direction.IN, book_no="ศธ 0990/1", letter_date=letter().letter.date
        )
        assert inbound is not None
        assert clerk.register(b.store, inbound.id, actor="clerk:b") == 1
        await until("accepted at A", lambda: _state(a, Direction.OUT) is LetterState.ACCEPTED or None)

    asyncio.run(running([mail_gateway(a, node, office), mail_gateway(b, node, office)], exchange))
    assert a.store.show(letter_id).letter.accept_id == "1"
    letter_mail, *notifiers = office.sent
    assert letter_mail.recipients == (ADDRESS[B],)
    assert [n.recipients for n in notifiers] == [(ADDRESS[A],), (ADDRESS[A],)]
    for notifier in notifiers:  # replies to the letter's mail
        parsed = email.message_from_bytes(notifier.data)
        assert parsed["In-Reply-To"] == letter_mail.message_id
    history = a.store.show(letter_id).history  # the sent Message-ID, to match a bounce with
    assert any(letter_mail.message_id in (entry.reason or "") for entry in history)
    assert node.queued(B) == []  # nothing went by e-CMS


def test_a_wrong_receive_number_goes_back_by_mail_and_is_noted_at_the_receiver(tmp_path: Path) -> None:
    """A letter that went by mail: the queued InvalidAcceptIDNotifier is mailed to the receiver as a
    reply to the letter's mail, and the receiver's mail processor notes it on the letter it received."""
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node, office = MemoryNode(ORGS), PostOffice()
    letter_id = _submit(a)

    async def exchange() -> None:
        await until("received at B", lambda: _state(b, Direction.IN) is LetterState.RECEIVED or None)
        inbound = b.store.find_letter(
            direction=Direction.IN, book_no="ศธ 0990/1", letter_date=letter().letter.date
        )
        assert inbound is not None
        clerk.register(b.store, inbound.id, actor="clerk:b")
        await until("accepted at A", lambda: _state(a, Direction.OUT) is LetterState.ACCEPTED or None)
        clerk.report_wrong_accept_id(a.store, letter_id, reason="เลขรับซ้ำ", actor="clerk:a")

        def noted() -> bool:
            return any(h.action == "notifier.noted" for h in b.store.show(inbound.id).history)

        await until("noted at B", noted)

    asyncio.run(running([mail_gateway(a, node, office), mail_gateway(b, node, office)], exchange))
    letter_mail, report = office.sent[0], office.sent[-1]
    assert report.recipients == (ADDRESS[B],)
    parsed = email.message_from_bytes(report.data)
    assert parsed["In-Reply-To"] == letter_mail.message_id
    assert "เลขทะเบียนรับไม่ถูกต้อง" in str(
        email.header.make_header(email.header.decode_header(parsed["Subject"]))
    )
    assert b.store.unmatched_notifiers() == []
    assert node.queued(B) == []  # nothing went by e-CMS


def test_a_permanent_refusal_makes_a_dead_letter_with_the_servers_words(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a = orgs[A]
    node, office = MemoryNode(ORGS), PostOffice()
    office.refuse = PermanentMailError("550 5.1.1 mailbox unavailable", server="fake:25", code=550)
    _submit(a)

    async def dead() -> None:
        await until("dead", lambda: a.store.queue(work_state=WorkState.DEAD) or None)

    asyncio.run(running([mail_gateway(a, node, office)], dead))
    [row] = a.store.queue(work_state=WorkState.DEAD)
    assert row.channel == "mail"
    assert "550 5.1.1 mailbox unavailable" in (row.last_error or "")
    assert _state(a, Direction.OUT) is LetterState.FAILED


def test_without_mail_parts_the_letter_keeps_waiting_with_the_reason(tmp_path: Path) -> None:
    orgs = agencies(tmp_path)
    a = orgs[A]
    _submit(a)

    async def held() -> None:
        await until("held", lambda: a.store.queue(work_state=WorkState.DEAD) or None)

    asyncio.run(running([gateway(a, MemoryNode(ORGS))], held))
    [row] = a.store.queue(work_state=WorkState.DEAD)
    assert "no saraban mail channel is configured" in (row.last_error or "")


def _inbound(agency: Agency, office: PostOffice) -> MailInbound:
    parts = mail_gateway(agency, MemoryNode(ORGS), office).parts
    assert parts.mail is not None
    return MailInbound(
        store=agency.store,
        verifier=agency.verifier(),
        mail=parts.mail,
        settings=parts.settings,
        limits=XmlLimits(),
    )


def _stored(agency: Agency, raw: bytes) -> int:
    return agency.store.accept_inbound(raw, channel="mail", process_id=dedupe_key(raw), actor="test").id


@dataclass(frozen=True, kw_only=True)
class Mailed:
    """Agency A's letter, mailed to B: what a bounce or a person's reply answers."""

    agency: Agency
    office: PostOffice
    letter_id: int
    mail: OutgoingMail
    inbound: MailInbound


def mailed_letter(tmp_path: Path) -> Mailed:
    """A submits a letter for B's saraban mailbox and its gateway mails it (then stops)."""
    a = agencies(tmp_path)[A]
    office = PostOffice()
    letter_id = _submit(a)

    async def sent() -> None:
        await until("sent", lambda: _state(a, Direction.OUT) is LetterState.SENT or None)

    asyncio.run(running([mail_gateway(a, MemoryNode(ORGS), office)], sent))
    [mail] = office.sent
    return Mailed(agency=a, office=office, letter_id=letter_id, mail=mail, inbound=_inbound(a, office))


def test_a_bounce_is_matched_to_the_letter_by_its_message_id_and_other_mail_is_noted(tmp_path: Path) -> None:
    given = mailed_letter(tmp_path)
    a, letter_id, mailed, inbound = given.agency, given.letter_id, given.mail, given.inbound
    bounce = corpus.dsn_bounce(mailed.message_id)
    note, queued = inbound.process(_stored(a, bounce), bounce, "test")
    assert f"bounce of letter {letter_id} (Message-ID {mailed.message_id})" in note
    assert "User unknown" in note
    assert not queued
    assert _state(a, Direction.OUT) is LetterState.FAILED
    assert "User unknown" in (a.store.show(letter_id).history[-1].reason or "")
    for raw, words in [
        (corpus.outlook_auto_reply(), "automatic reply"),
        (corpus.thunderbird_letter(), "kept for a clerk"),
        (b"not a mail at all", "quarantined"),
    ]:
        note, queued = inbound.process(_stored(a, raw), raw, "test")
        assert words in note, note
        assert not queued


def _config(tmp_path: Path, mail: str) -> GatewayConfig:
    directory = tmp_path / "directory.json"
    directory.write_text('{"organizations": []}', encoding="utf-8")
    path = tmp_path / "gateway.toml"
    path.write_text(
        f'[[organizations]]\nid = "{A}"\n[directory]\nfile = "directory.json"\n{mail}', encoding="utf-8"
    )
    return load_config(path)


def test_the_mail_section_maps_onto_the_mail_settings(tmp_path: Path) -> None:
    assert _config(tmp_path, "").mail_settings() is None
    config = _config(
        tmp_path,
        '[mail]\naddress = "saraban@a.example.go.th"\n'
        '[mail.smtp]\nhost = "127.0.0.1"\nport = 2525\ntls = "none"\n'
        '[mail.imap]\nhost = "127.0.0.1"\nport = 1143\ntls = "none"\nusername = "a"\npassword_env = "X"\n'
        'after_commit = "move"\nprocessed_folder = "Done"\n',
    )
    settings = config.mail_settings()
    assert settings is not None
    assert settings.org_id == A
    assert settings.smtp.port == 2525
    assert settings.smtp.login is None
    assert settings.imap is not None
    assert settings.imap.after_commit is AfterCommit.MOVE
    assert settings.imap.processed_folder == "Done"
    assert settings.imap.checkpoint_file == config.gateway.data_dir / "mail-checkpoint.json"


def test_mail_settings_that_cannot_work_name_the_key(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        '[mail]\naddress = "saraban@a.example.go.th"\n'
        '[mail.smtp]\nhost = "smtp.example.go.th"\ntls = "none"\n',
    )
    with pytest.raises(ConfigError, match=r"mail\.smtp\.tls"):
        config.mail_settings()
    with pytest.raises(ConfigError, match=r"mail\.smtp\.host: is required"):
        _config(tmp_path, '[mail]\naddress = "saraban@a.example.go.th"\n[mail.smtp]\n')


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        inner = getattr(field.annotation, "__args__", ())
        nested = [t for t in (field.annotation, *inner) if isinstance(t, type) and issubclass(t, BaseModel)]
        # a table per organisation ([mail.partners.<org_id>]) is documented under that placeholder
        per_org = ".<org_id>" if getattr(field.annotation, "__origin__", None) is dict else ""
        keys += _keys(nested[0], f"{prefix}{name}{per_org}.") if nested else [f"{prefix}{name}"]
    return keys


def test_every_mail_key_is_documented_in_the_reference_and_the_example() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = (ROOT / "config" / "gateway.example.toml").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([^`]+)`", docs, flags=re.MULTILINE))
    keys = [k for k in _keys(GatewayConfig) if k.startswith("mail.")]
    assert len(keys) > 30
    for key in keys:
        assert key in documented, f"{key} is not in docs/configuration.md"
        assert re.search(rf"^#? ?{re.escape(key.rsplit('.', 1)[-1])} = ", example, flags=re.MULTILINE), key


def test_a_bounced_notifier_is_noted_on_the_letter_it_was_about(tmp_path: Path) -> None:
    """B mailed its ReceiveLetterNotifier to A's address and it came back: B's letter stays received,
    and its history says A was not told, once however often the bounce is processed."""
    orgs = agencies(tmp_path)
    a, b = orgs[A], orgs[B]
    node, office = MemoryNode(ORGS), PostOffice()
    _submit(a)

    async def exchange() -> None:
        await until("delivered at A", lambda: _state(a, Direction.OUT) is LetterState.DELIVERED or None)

    asyncio.run(running([mail_gateway(a, node, office), mail_gateway(b, node, office)], exchange))
    _letter_mail, receipt = office.sent
    day = letter().letter.date
    received = b.store.find_letter(direction=Direction.IN, book_no="ศธ 0990/1", letter_date=day)
    assert received is not None
    bounce = corpus.dsn_bounce(receipt.message_id)
    inbound = _inbound(b, office)
    assert inbound.disposal(bounce) is Disposal.DONE  # the gateway uses it: not left for a person
    assert inbound.disposal(corpus.dsn_bounce("<not-ours@elsewhere>")) is Disposal.FOR_A_PERSON
    note, queued = inbound.process(_stored(b, bounce), bounce, "test")
    assert f"bounce of our receive notifier about letter {received.id}" in note
    assert "its sender was not told" in note
    assert not queued
    again, _ = inbound.process(_stored(b, bounce + b"\r\n"), bounce, "test")
    assert "its sender was not told" in again
    detail = b.store.show(received.id)
    assert detail.letter.state is LetterState.RECEIVED
    bounced = [h for h in detail.history if h.action == "mail.notifier_bounced"]
    assert len(bounced) == 1
    assert "User unknown" in (bounced[0].reason or "")
    assert b.store.mailed_message_id(received.id) is None  # a letter we received was not mailed by us

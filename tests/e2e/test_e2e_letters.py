"""Letters between two agencies through a real node: the happy path with both notifiers, the reject
path with withdraw and resend, the invalid path, and a wrong receive number reported back."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from e2e_cluster import Cluster, letter
from ecms_adapters.runtime.layout import AgencyOptions
from ecms_adapters.runtime.processes import cli_command
from sqlalchemy import select

from ecms_gateway.engine import LetterState, WorkKind
from ecms_gateway.engine.values import NotifierKind
from ecms_gateway.letter.model import FileData, FileRef, LetterPackage
from ecms_gateway.store.tables import INBOX

pytestmark = pytest.mark.e2e


def cli(*args: str) -> str:
    result = subprocess.run(cli_command(*args), capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_letter_001_goes_from_a_to_b_and_both_notifiers_come_back(
    make_cluster: Callable[..., Cluster],
) -> None:
    """Sent with the clerk's `send` command, registered with `register`: A learns B's receive number."""
    cluster = make_cluster().start()
    a, b = cluster.layout["A"], cluster.layout["B"]
    cluster.wait("A's directory cache", (a.data_dir / "directory-cache.json").is_file)
    sample = cluster.layout.root.parent / "letter.json"
    package = letter(1)
    out = cli("send", str(_write(sample, package)), "--config", str(a.config))
    match = re.match(r"letter (\d+) queued for 2099100000 by e-CMS", out)
    assert match, out
    letter_id = int(match.group(1))

    inbound = cluster.wait_received("B", package.letter)
    assert inbound.state is LetterState.RECEIVED
    cluster.wait_state("A", package.letter, LetterState.DELIVERED)
    out = cli("register", str(inbound.id), "--config", str(b.config))
    assert "receive number 1" in out
    cluster.wait_state("A", package.letter, LetterState.ACCEPTED)

    detail = cluster.stores["A"].show(letter_id)
    assert detail.letter.accept_id == "1"
    received = cluster.stores["B"].show(inbound.id)
    assert received.letter.registry_no == 1
    assert received.letter.state is LetterState.REGISTERED
    # The letter as B recorded it is the letter A sent: same files, byte for byte.
    assert [f[3] for f in received.files] == [f.sha256 for f in package.files]
    assert cluster.stores["A"].unmatched_notifiers() == []
    assert cluster.stores["B"].queue() == []  # every notifier was delivered


def test_a_letter_with_a_large_scan_arrives_byte_for_byte_and_is_accepted(
    make_cluster: Callable[..., Cluster],
) -> None:
    """3 MB of file: validated in pieces, encoded in the sending worker's thread, queued at the node
    without its files decoded, and received into the file store (over the 1 MiB kept in the row)."""
    cluster = make_cluster().start()
    scan = FileData(name="scan.pdf", mime="application/pdf", content=b"%PDF-1.7\n" + os.urandom(3_000_000))
    base = letter(7)
    package = replace(
        base,
        letter=base.letter.model_copy(update={"attachments": (FileRef(path=scan.name, mime=scan.mime),)}),
        attachments=(scan,),
    )
    cluster.submit("A", package)
    inbound = cluster.wait_received("B", package.letter)
    received = cluster.stores["B"].show(inbound.id)
    assert [f[3] for f in received.files] == [f.sha256 for f in package.files]  # the same bytes
    with cluster.stores["B"].db.read() as conn:
        kept_in_row = conn.execute(select(INBOX.c.raw.is_not(None)).where(INBOX.c.raw_size > 4_000_000))
        assert kept_in_row.scalars().all() == [False]  # the received item went to the file store
    cli("register", str(inbound.id), "--config", str(cluster.layout["B"].config))
    accepted = cluster.wait_state("A", package.letter, LetterState.ACCEPTED)
    assert cluster.stores["A"].show(accepted.id).letter.accept_id == "1"


def test_rejected_letter_is_withdrawn_and_the_corrected_one_accepted(
    make_cluster: Callable[..., Cluster],
) -> None:
    cluster = make_cluster().start()
    a, b = cluster.stores["A"], cluster.stores["B"]
    first = letter(2)
    first_id = cluster.submit("A", first)
    inbound = cluster.wait_received("B", first.letter)
    cli(
        "reject",
        str(inbound.id),
        "--reason",
        "ผิดเรื่อง: wrong subject",
        "--config",
        str(cluster.layout["B"].config),
    )
    cluster.wait_state("A", first.letter, LetterState.REJECTED)
    history = a.show(first_id).history
    [rejected] = [h for h in history if h.action == "letter.reject_notified"]
    assert rejected.reason == "ผิดเรื่อง: wrong subject"  # the receiver's reason reaches the sender

    cli("withdraw", str(first_id), "--config", str(cluster.layout["A"].config))
    cluster.wait(
        "the withdrawal to reach the node",
        lambda: any(x.kind is WorkKind.WITHDRAW and x.outcome == "done" for x in a.show(first_id).attempts),
    )
    corrected = letter(2, subject="ขอเชิญประชุม (corrected)")
    corrected_file = _write(cluster.layout.root.parent / "corrected.json", corrected)
    out = cli(
        "resend", str(first_id), "--letter", str(corrected_file), "--config", str(cluster.layout["A"].config)
    )
    assert f"(resend of letter {first_id})" in out
    second = cluster.wait(
        "the corrected letter at B",
        lambda: next(
            (r for r in [cluster.received("B", corrected.letter)] if r is not None and r.id != inbound.id),
            None,
        ),
    )
    cli("register", str(second.id), "--config", str(cluster.layout["B"].config))
    accepted = cluster.wait_state("A", corrected.letter, LetterState.ACCEPTED)
    assert accepted.id != first_id
    assert a.show(first_id).letter.state is LetterState.WITHDRAWN
    assert b.show(inbound.id).letter.state is LetterState.REJECTED
    assert b.show(second.id).letter.registry_no == 1  # the rejected one took no receive number


def test_letter_marked_invalid_reaches_the_sender_as_invalid(make_cluster: Callable[..., Cluster]) -> None:
    cluster = make_cluster().start()
    package = letter(3)
    letter_id = cluster.submit("A", package)
    inbound = cluster.wait_received("B", package.letter)
    cli("invalid", str(inbound.id), "--reason", "ส่งผิดหน่วยงาน", "--config", str(cluster.layout["B"].config))
    cluster.wait_state("A", package.letter, LetterState.INVALID)
    history = cluster.stores["A"].show(letter_id).history
    assert [h.action for h in history if h.action.startswith("letter.invalid")] == ["letter.invalid_notified"]
    # The receiver said why; it travelled in the notifier and is on record at B.
    reasons = [
        h.reason for h in cluster.stores["B"].show(inbound.id).history if h.action == "letter.mark_invalid"
    ]
    assert reasons == ["ส่งผิดหน่วยงาน"]
    assert [h.reason for h in history if h.action == "letter.invalid_notified"] == ["ส่งผิดหน่วยงาน"]


def test_wrong_receive_number_is_reported_to_the_receiver(make_cluster: Callable[..., Cluster]) -> None:
    """`invalid-accept-id` queues the report and wakes A's running gateway, whose worker sends the
    InvalidAcceptIDNotifier; B notes it on the letter it registered, which stays registered."""
    cluster = make_cluster(agencies=_auto_register_b()).start()
    package = letter(4)
    letter_id = cluster.submit("A", package)
    cluster.wait_state("A", package.letter, LetterState.ACCEPTED)
    inbound = cluster.received("B", package.letter)
    assert inbound is not None
    out = cli(
        "invalid-accept-id",
        str(letter_id),
        "--reason",
        "เลขรับซ้ำ",
        "--config",
        str(cluster.layout["A"].config),
    )
    match = re.match(
        r"letter \d+: receive number 1 reported wrong; InvalidAcceptIDNotifier queued \(work (\d+)\)", out
    )
    assert match, out
    work_id = int(match.group(1))
    assert "no gateway runs" not in out  # A's gateway was woken, not left to its next poll

    def noted() -> list[str]:
        history = cluster.stores["B"].show(inbound.id).history
        return [h.detail for h in history if h.action == "notifier.noted"]

    details = cluster.wait("B to note the InvalidAcceptIDNotifier on its letter", noted)
    assert NotifierKind.INVALID_ACCEPT_ID.value in details[0]
    assert cluster.stores["B"].unmatched_notifiers() == []
    assert cluster.stores["B"].show(inbound.id).letter.state is LetterState.REGISTERED

    def sent() -> list[WorkKind]:
        attempts = cluster.stores["A"].show(letter_id).attempts
        return [a.kind for a in attempts if a.work_id == work_id and a.outcome == "done"]

    assert cluster.wait("A to record the notifier as sent", sent) == [WorkKind.NOTIFY_INVALID_ACCEPT_ID]
    [report] = [
        h for h in cluster.stores["A"].show(letter_id).history if h.action == "letter.invalid_accept_id"
    ]
    assert report.reason == "เลขรับซ้ำ"


def _auto_register_b() -> tuple[AgencyOptions, ...]:
    return (
        AgencyOptions(name="A", org_id="2099000000"),
        AgencyOptions(name="B", org_id="2099100000", auto_register=True),
    )


def _write(path: Path, package: LetterPackage) -> Path:
    """Write ``package`` as letter JSON with its files next to it."""
    for data in package.files:
        (path.parent / data.name).write_bytes(data.content)
    path.write_text(json.dumps(package.letter.to_json_dict(), ensure_ascii=False), encoding="utf-8")
    return path

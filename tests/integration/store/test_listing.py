"""Letter lists (filters, order, pages), the registry books, one file, and the dashboard's figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from store_support import RECEIVER, SENDER, FakeClock, encode_raw, make_package

from ecms_gateway.engine import (
    Direction,
    LetterOrder,
    LetterQuery,
    LetterState,
    SignatureMark,
    Store,
    WorkKind,
    WorkState,
)
from ecms_gateway.errors import InputError, NotFound, PermanentFailure
from ecms_gateway.letter.codes import Speed
from ecms_gateway.letter.follow_up import FollowUpPolicy
from ecms_gateway.letter.model import LetterPackage

OTHER = "2099200000"


def _with(package: LetterPackage, **changes: object) -> LetterPackage:
    return LetterPackage(
        letter=package.letter.model_copy(update=changes), main=package.main, attachments=package.attachments
    )


def _inbound(store: Store, i: int, **changes: object) -> int:
    package = _with(make_package(i, sender=RECEIVER, receiver=SENDER), **changes)
    item = store.accept_inbound(encode_raw(package), channel="ecms", process_id=f"p{i}", actor="t")
    return store.record_inbound_letter(item.id, package, actor="t", signature=SignatureMark.VERIFIED).id


def _send_done(store: Store, clock: FakeClock) -> None:
    claim = store.claim("ecms", "w", kinds=(WorkKind.SEND,))
    assert claim is not None
    clock.advance(seconds=90)
    store.complete(claim.work_id, worker="w")


def test_filters_combine_and_total_counts_every_match(store: Store, clock: FakeClock) -> None:
    out_a = store.accept_outbound(make_package(1), actor="t", channel="ecms")
    clock.advance(minutes=1)
    out_b = store.accept_outbound(make_package(2, receiver=OTHER), actor="t", channel="mail")
    clock.advance(minutes=1)
    in_c = _inbound(store, 3)

    everything = store.letters(LetterQuery())
    assert [s.id for s in everything.items] == [in_c, out_b, out_a]  # newest first
    assert everything.total == 3
    assert [s.id for s in store.letters(LetterQuery(direction=Direction.OUT)).items] == [out_b, out_a]
    assert [s.id for s in store.letters(LetterQuery(org=OTHER)).items] == [out_b]
    received = store.letters(LetterQuery(states=(LetterState.RECEIVED,)))
    assert [s.id for s in received.items] == [in_c]
    assert received.items[0].speed is Speed.NORMAL


def test_text_matches_book_numbers_in_thai_or_arabic_digits_and_subjects(store: Store) -> None:
    first = store.accept_outbound(make_package(1, book_no="ศธ ๐๙๙๐/๑๒๓"), actor="t", channel="ecms")
    second = store.accept_outbound(make_package(2, subject="ขอเชิญประชุม 50%"), actor="t", channel="ecms")
    assert [s.id for s in store.letters(LetterQuery(text="0990/123")).items] == [first]
    assert [s.id for s in store.letters(LetterQuery(text="๐๙๙๐/๑๒๓")).items] == [first]
    assert [s.id for s in store.letters(LetterQuery(text="ประชุม")).items] == [second]
    assert [s.id for s in store.letters(LetterQuery(text="50%")).items] == [second]
    assert store.letters(LetterQuery(text="%")).total == 1  # a wildcard is text, not a pattern


def test_date_range_is_inclusive_and_a_reversed_one_is_refused(store: Store) -> None:
    days = [date(2026, 11, d) for d in (1, 10, 20)]
    ids = [
        store.accept_outbound(make_package(i, day=d), actor="t", channel="ecms") for i, d in enumerate(days)
    ]
    page = store.letters(LetterQuery(date_from=days[1], date_to=days[2]))
    assert sorted(s.id for s in page.items) == ids[1:]
    with pytest.raises(InputError, match="reversed"):
        store.letters(LetterQuery(date_from=days[2], date_to=days[0]))


def test_urgent_order_puts_most_urgent_first_then_oldest(store: Store, clock: FakeClock) -> None:
    ids = {}
    for i, speed in enumerate([Speed.NORMAL, Speed.MOST_URGENT, Speed.URGENT, Speed.MOST_URGENT]):
        ids[i] = _inbound(store, i, speed=speed)
        clock.advance(minutes=1)
    page = store.letters(LetterQuery(direction=Direction.IN, order=LetterOrder.URGENT))
    assert [s.id for s in page.items] == [ids[1], ids[3], ids[2], ids[0]]


def test_oldest_order_puts_the_first_accepted_first(store: Store, clock: FakeClock) -> None:
    made = []
    for i in range(3):
        made.append(store.accept_outbound(make_package(i), actor="t", channel="ecms"))
        clock.advance(minutes=1)
    assert [s.id for s in store.letters(LetterQuery(order=LetterOrder.OLDEST)).items] == made
    assert [s.id for s in store.letters(LetterQuery(order=LetterOrder.NEWEST)).items] == made[::-1]


def test_letters_due_for_follow_up_are_those_waiting_longer_than_their_speed_gives(
    store: Store, clock: FakeClock
) -> None:
    """In its state since its speed's cutoff or before; the longest waiting first."""
    policy = FollowUpPolicy()  # most urgent 4 h, normal 120 h
    ids = {}
    for i, speed in enumerate([Speed.NORMAL, Speed.MOST_URGENT, Speed.NORMAL]):
        ids[i] = _inbound(store, i, speed=speed)
        clock.advance(hours=3)
    clock.advance(hours=118)  # letter 0 waited 127 h, letter 1 124 h, letter 2 121 h
    now = clock()
    due = LetterQuery(direction=Direction.IN, waiting_before=policy.cutoffs(now), order=LetterOrder.WAITING)
    assert [s.id for s in store.letters(due).items] == [ids[0], ids[1], ids[2]]
    earlier = LetterQuery(direction=Direction.IN, waiting_before=policy.cutoffs(now - timedelta(hours=6)))
    assert sorted(s.id for s in store.letters(earlier).items) == [ids[0], ids[1]]  # letter 2: 115 h of 120
    assert store.letters(LetterQuery(waiting_before=policy.cutoffs(now - timedelta(days=30)))).total == 0


def test_pages_cover_every_letter_once(store: Store, clock: FakeClock) -> None:
    made = []
    for i in range(7):
        made.append(store.accept_outbound(make_package(i), actor="t", channel="ecms"))
        clock.advance(seconds=1)
    seen = []
    for offset in range(0, 7, 3):
        page = store.letters(LetterQuery(), offset=offset, limit=3)
        assert page.total == 7
        seen += [s.id for s in page.items]
    assert sorted(seen) == sorted(made)
    assert len(seen) == 7
    with pytest.raises(InputError, match="limit"):
        store.letters(LetterQuery(), limit=0)


def test_receive_book_lists_registered_letters_by_thai_day_in_number_order(
    store: Store, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 20, 16, 59, tzinfo=UTC)  # 23:59 on the 20th in Thailand
    first = _inbound(store, 1)
    store.register_inbound(first, actor="t")
    clock.now = datetime(2026, 11, 20, 17, 1, tzinfo=UTC)  # 00:01 on the 21st in Thailand
    second = _inbound(store, 2)
    store.register_inbound(second, actor="t")
    _inbound(store, 3)  # received, not registered: not in the book

    book_20 = store.registry_book(
        Direction.IN, org=SENDER, date_from=date(2026, 11, 20), date_to=date(2026, 11, 20)
    )
    book_21 = store.registry_book(
        Direction.IN, org=SENDER, date_from=date(2026, 11, 21), date_to=date(2026, 11, 21)
    )
    assert [(s.id, s.registry_no) for s in book_20] == [(first, 1)]
    assert [(s.id, s.registry_no) for s in book_21] == [(second, 2)]
    assert book_21[0].registered_at == clock.now


def test_send_book_lists_our_letters_with_their_send_numbers(store: Store) -> None:
    ids = [store.accept_outbound(make_package(i), actor="t", channel="ecms") for i in range(3)]
    book = store.registry_book(
        Direction.OUT, org=SENDER, date_from=date(2026, 11, 20), date_to=date(2026, 11, 20)
    )
    assert [(s.id, s.registry_no) for s in book] == list(zip(ids, [1, 2, 3], strict=True))
    assert (
        store.registry_book(
            Direction.OUT, org=OTHER, date_from=date(2026, 11, 20), date_to=date(2026, 11, 20)
        )
        == []
    )


def test_load_file_returns_each_file_and_names_a_missing_one(store: Store) -> None:
    letter_id = store.accept_outbound(make_package(1, attachment=b"attached"), actor="t", channel="ecms")
    assert store.load_file(letter_id, 0).content.startswith(b"%PDF")
    assert store.load_file(letter_id, 1).content == b"attached"
    with pytest.raises(NotFound, match="main file is 0"):
        store.load_file(letter_id, 2)


def test_queue_stats_and_letter_counts_group_what_is_waiting(store: Store, clock: FakeClock) -> None:
    start = clock.now
    for i in range(3):
        store.accept_outbound(make_package(i), actor="t", channel="ecms")
        clock.advance(minutes=5)
    store.accept_outbound(make_package(9, receiver=OTHER), actor="t", channel="mail")
    stats = {(s.state, s.channel, s.kind): s for s in store.queue_stats()}
    ready = stats[(WorkState.READY, "ecms", WorkKind.SEND)]
    assert (ready.count, ready.oldest_at) == (3, start)
    assert stats[(WorkState.READY, "mail", WorkKind.SEND)].count == 1
    counts = store.letter_counts()
    assert counts[(Direction.OUT, LetterState.QUEUED, "ecms")] == 3
    assert counts[(Direction.OUT, LetterState.QUEUED, "mail")] == 1


def test_activity_counts_per_hour_with_send_latency(store: Store, clock: FakeClock) -> None:
    since = clock.now - timedelta(hours=2)
    store.accept_outbound(make_package(1), actor="t", channel="ecms")
    _send_done(store, clock)  # 90 s after acceptance
    _inbound(store, 2)
    store.accept_outbound(make_package(3), actor="t", channel="ecms")
    claim = store.claim("ecms", "w", kinds=(WorkKind.SEND,))
    assert claim is not None
    store.fail(claim.work_id, worker="w", error=PermanentFailure("refused"))

    hours = store.activity(since=since)
    assert [h.hour for h in hours] == [since + timedelta(hours=n) for n in range(3)]
    now_hour = hours[-1]
    assert (now_hour.sent, now_hour.received, now_hour.failed) == (1, 1, 1)
    assert now_hour.latency_p50_s == now_hour.latency_p95_s == 90.0
    assert all(h.sent == 0 and h.latency_p50_s is None for h in hours[:-1])

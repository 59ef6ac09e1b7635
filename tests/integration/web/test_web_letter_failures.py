"""The letter page says why a try failed and why delivery gave up: the page's own words (Thai by
default), then the error as it was stored, quoted (often the node's English); never a Python class."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from ecms_adapters.web.i18n import translate

from ecms_gateway.engine import RetryPolicies, RetryPolicy, Store
from ecms_gateway.engine.mail_bounces import MailedNotifier
from ecms_gateway.errors import PermanentFailure, PermanentTransportError, TransientTransportError
from tests.integration.web.live import LiveWeb, sample
from tests.unit.webhooks.support import receive

NODE = "http://127.0.0.1:9/ecms"


@contextmanager
def _worker_store(
    live: LiveWeb, *, max_attempts: int = 12, max_age: timedelta = timedelta(days=3)
) -> Iterator[Store]:
    """The store a worker uses, on the page's database: a try that fails is due again at once."""
    policy = RetryPolicy(max_attempts=max_attempts, max_age=max_age, rand=lambda: 0.0)
    store = Store(data_dir=live.root / "data", policies=RetryPolicies(default=policy))
    try:
        yield store
    finally:
        store.close()


def _fail(store: Store, *errors: Exception) -> None:
    for error in errors:
        claim = store.claim("ecms", "w1")
        assert claim is not None
        store.fail(claim.work_id, worker="w1", error=error)


def _quoted(words: str) -> str:
    """The error as the page quotes it: in ``<q>``, marked as English, the browser adds the marks."""
    return f'<q class="system-words" lang="en">{words}</q>'


def _timeline(live: LiveWeb, letter_id: int, lang: str = "th") -> str:
    client = live.logged_in("clerk")
    if lang != "th":
        client.get("/lang", params={"to": lang, "next": "/"})
    page = client.get(f"/letters/{letter_id}")
    assert page.status_code == 200
    return html.unescape(page.text.split('id="timeline"')[1].split("</ol>")[0])


def test_a_failed_try_and_giving_up_after_the_last_say_why(live: LiveWeb) -> None:
    letter_id = live.store.accept_outbound(sample(), actor="test", channel="ecms")
    busy = TransientTransportError("HTTP 503 Service Unavailable; the node may be busy", endpoint=NODE)
    down = TransientTransportError("cannot connect: connection refused", endpoint=NODE)
    with _worker_store(live, max_attempts=2) as store:
        _fail(store, busy, down)
    steps = _timeline(live, letter_id)
    assert translate("th", "tl.why.try", n=1) in steps
    assert _quoted(f"e-CMS node ({NODE}): HTTP 503 Service Unavailable; the node may be busy") in steps
    assert translate("th", "tl.why.attempts", n=2) in steps
    assert _quoted(f"e-CMS node ({NODE}): cannot connect: connection refused") in steps
    assert "gave up after" not in steps  # said in the page's words, not the stored English frame
    assert "TransportError" not in steps


def test_giving_up_after_trying_too_long_says_so_and_quotes_the_last_error(live: LiveWeb) -> None:
    letter_id = live.store.accept_outbound(sample(), actor="test", channel="ecms")
    down = TransientTransportError("cannot connect: connection refused", endpoint=NODE)
    with _worker_store(live, max_age=timedelta(microseconds=1)) as store:
        _fail(store, down)
        [dead] = store.queue()
        assert dead.last_error is not None
        assert dead.last_error.startswith("gave up after trying for 0s; last error: ")  # not 0:00:00.000123
    steps = _timeline(live, letter_id)
    assert translate("th", "tl.why.too_long") in steps
    assert _quoted(f"e-CMS node ({NODE}): cannot connect: connection refused") in steps
    assert "gave up after" not in steps


def test_a_refusal_for_good_says_sending_again_cannot_help_and_quotes_the_node(live: LiveWeb) -> None:
    letter_id = live.store.accept_outbound(sample(), actor="test", channel="ecms")
    refused = PermanentTransportError("Receiver 9999999999 is unknown", endpoint=NODE, error_code="E201")
    with _worker_store(live) as store:
        _fail(store, refused)
    steps = _timeline(live, letter_id)
    assert translate("th", "tl.why.permanent") in steps
    assert _quoted(f"e-CMS node ({NODE}) [E201]: Receiver 9999999999 is unknown") in steps
    assert "permanent failure" not in steps
    english = _timeline(live, letter_id, "en")
    assert translate("en", "tl.why.permanent") in english


def test_a_reason_an_older_version_stored_with_a_class_name_shows_without_it(live: LiveWeb) -> None:
    letter_id = live.store.accept_outbound(sample(), actor="test", channel="ecms")
    with _worker_store(live) as store:
        _fail(store, PermanentFailure(f"PermanentTransportError: e-CMS node ({NODE}): HTTP 404 Not Found"))
    steps = _timeline(live, letter_id)
    assert _quoted(f"e-CMS node ({NODE}): HTTP 404 Not Found") in steps
    assert "PermanentTransportError" not in steps


def test_a_bounced_notifier_tells_the_clerk_the_sender_does_not_know(live: LiveWeb) -> None:
    letter_id = receive(live.store, 1)
    notifier = MailedNotifier(letter_id=letter_id, what="notifier:receive")
    said = "550 5.1.1 <saraban@a.example.go.th>: Recipient address rejected: User unknown"
    assert live.store.record_notifier_bounce(notifier, message_id="<n1@b>", reason=said, actor="w")
    assert not live.store.record_notifier_bounce(notifier, message_id="<n1@b>", reason=said, actor="w")
    thai = _timeline(live, letter_id)
    assert "อีเมลแจ้งว่าได้รับหนังสือถึงผู้ส่งตีกลับ ผู้ส่งจึงยังไม่ทราบ" in thai
    assert f"ระบบอีเมลปลายทางแจ้งว่า: {_quoted(said)}" in thai
    english = _timeline(live, letter_id, "en")
    assert "Our receipt mail to the sender bounced: they have not been told" in english


def test_the_give_up_is_recorded_as_data_the_page_words_in_its_own_language(live: LiveWeb) -> None:
    letter_id = live.store.accept_outbound(sample(), actor="test", channel="ecms")
    down = TransientTransportError("cannot connect: connection refused", endpoint=NODE)
    with _worker_store(live, max_attempts=1) as store:
        _fail(store, down)
    [entry] = [h for h in live.store.show(letter_id).history if h.action == "letter.give_up"]
    detail = json.loads(entry.detail)
    said = f"e-CMS node ({NODE}): cannot connect: connection refused"
    assert {k: detail[k] for k in ("give_up", "attempts", "said")} == {
        "give_up": "attempts",
        "attempts": 1,
        "said": said,
    }
    assert entry.reason == f"gave up after 1 attempts; last error: {said}"  # the CLI's and API's words
    assert f"{translate('th', 'tl.why.attempts', n=1)} {_quoted(said)}" in _timeline(live, letter_id)

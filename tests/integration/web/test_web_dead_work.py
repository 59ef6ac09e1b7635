"""The dashboard's dead letters and failing routes: the reason stored with the try is what happened
(it no longer carries the command line's "then `ecms-gateway retry`"), and the page says what to do
in its own words, its buttons; a reason an older version stored with the command in it still shows."""

from __future__ import annotations

import html

from ecms_adapters.web.i18n import translate

from ecms_gateway.errors import PermanentFailure, TransientTransportError
from tests.integration.web.live import LiveWeb, sample

FACT = "cannot sign: the private key keys/a.key.pem cannot be read"


def _dead(live: LiveWeb, error: Exception) -> int:
    live.store.accept_outbound(sample(), actor="test", channel="ecms")
    claim = live.store.claim("ecms", "w1")
    assert claim is not None
    live.store.fail(claim.work_id, worker="w1", error=error)
    return claim.work_id


def test_a_dead_letter_shows_what_happened_and_the_page_says_to_fix_it_and_press_redrive(
    live: LiveWeb,
) -> None:
    _dead(live, PermanentFailure(FACT, cli_hint="fix the key, then `ecms-gateway retry`"))
    page = html.unescape(live.logged_in("operator").get("/dashboard").text)
    dead = page.split('id="dead"')[1]
    assert FACT in dead
    assert "`ecms-gateway" not in page  # (the title names the program)
    assert translate("th", "dash.dead_hint") in dead
    assert translate("th", "dash.redrive") in translate("th", "dash.dead_hint")  # the button it names
    assert translate("th", "dash.failing_hint") in page.split('id="dead"')[0]


def test_a_reason_stored_by_an_older_version_shows_as_it_was(live: LiveWeb) -> None:
    _dead(live, PermanentFailure(f"{FACT}; fix the key, then `ecms-gateway retry`"))
    answer = live.logged_in("operator").get("/dashboard")
    assert answer.status_code == 200
    assert f"{FACT}; fix the key, then `ecms-gateway retry`" in html.unescape(answer.text)


def _dead_after(live: LiveWeb, tries: int) -> None:
    """A letter given up on after ``tries`` failed tries, by a worker whose policy allows that many."""
    from datetime import timedelta  # noqa: PLC0415 - only these tests need it

    from ecms_gateway.engine import RetryPolicies, RetryPolicy, Store  # noqa: PLC0415

    live.store.accept_outbound(sample(), actor="test", channel="ecms")
    policy = RetryPolicy(max_attempts=tries, max_age=timedelta(days=3), rand=lambda: 0.0)
    store = Store(data_dir=live.root / "data", policies=RetryPolicies(default=policy))
    try:
        for _ in range(tries):
            claim = store.claim("ecms", "w1")
            assert claim is not None
            store.fail(claim.work_id, worker="w1", error=TransientTransportError(DOWN, endpoint=NODE))
    finally:
        store.close()


NODE = "http://127.0.0.1:9/ecms"
DOWN = "cannot connect: connection refused"


def test_a_give_up_reads_in_the_pages_language_with_the_error_quoted(live: LiveWeb) -> None:
    _dead_after(live, 2)
    operator = live.logged_in("operator")
    thai = html.unescape(operator.get("/dashboard").text)
    said = f'<q class="system-words" lang="en">e-CMS node ({NODE}): {DOWN}</q>'
    dead = thai.split('id="dead"')[1]
    assert f"{translate('th', 'tl.why.attempts', n=2)} {said}" in dead
    failing = thai.split('id="fail-title"')[1].split('id="dead"')[0]
    assert f"{translate('th', 'tl.why.attempts', n=2)} {said}" in failing
    assert "gave up after" not in thai  # the stored English frame is not shown on a Thai page
    operator.get("/lang", params={"to": "en", "next": "/dashboard"})
    english = html.unescape(operator.get("/dashboard").text).split('id="dead"')[1]
    assert f"{translate('en', 'tl.why.attempts', n=2)} {said}" in english


def test_a_refusal_for_good_on_the_dashboard_says_so_in_thai(live: LiveWeb) -> None:
    _dead(live, PermanentFailure(FACT))
    dead = html.unescape(live.logged_in("operator").get("/dashboard").text).split('id="dead"')[1]
    assert f'{translate("th", "tl.why.permanent")} <q class="system-words" lang="en">{FACT}</q>' in dead
    assert "permanent failure" not in dead

"""The dashboard's dead letters and failing routes: the reason stored with the try is what happened
(it no longer carries the command line's "then `ecms-gateway retry`"), and the page says what to do
in its own words, its buttons; a reason an older version stored with the command in it still shows."""

from __future__ import annotations

import html

from ecms_adapters.web.i18n import translate

from ecms_gateway.errors import PermanentFailure
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

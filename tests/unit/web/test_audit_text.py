"""Every action the gateway writes to the audit log has a name in both languages, so the audit page
never shows a Thai operator a code like ``letter.give_up``."""

from __future__ import annotations

from ecms_adapters.web.audit_text import action_name
from ecms_adapters.web.i18n import CATALOGUE

from ecms_gateway.cli.store_cmds import DOWNGRADED
from ecms_gateway.engine.accept_id import ACTION as INVALID_ACCEPT_ID
from ecms_gateway.engine.events import INTAKE_ACTIONS, RECEIVED_AGAIN, RESENT
from ecms_gateway.engine.mail_bounces import NOTIFIER_BOUNCED
from ecms_gateway.engine.mail_replies import MAIL_REPLY
from ecms_gateway.engine.reasons import FAILURE_ACTIONS
from ecms_gateway.engine.sent import ARCHIVED
from ecms_gateway.engine.states import Event

WRITTEN = {
    *(f"letter.{event.value}" for event in Event),
    *INTAKE_ACTIONS,
    *FAILURE_ACTIONS,
    RESENT,
    RECEIVED_AGAIN,
    INVALID_ACCEPT_ID,
    NOTIFIER_BOUNCED,
    MAIL_REPLY,
    ARCHIVED,
    "letter.refused",
    "inbox.received",
    "notifier.noted",
    "notifier.unmatched",
    "work.done",
    "work.released",
    "work.redriven",
    "work.taken_over",
    "mail_letter.pending",
    "mail_letter.confirmed",
    "mail_letter.dismissed",
    "access.user_added",
    "access.user_disabled",
    "access.password_set",
    "access.key_added",
    "access.key_revoked",
    "webhook.added",
    "webhook.changed",
    "webhook.removed",
    "webhook.retried",
    DOWNGRADED,
}


def test_every_audit_action_has_a_thai_and_an_english_name() -> None:
    missing = sorted(code for code in WRITTEN if f"act.{code}" not in CATALOGUE)
    assert missing == []
    for code in WRITTEN:
        thai, english = CATALOGUE[f"act.{code}"]
        assert thai, code
        assert english, code


def test_an_action_without_a_name_shows_its_code() -> None:
    assert action_name("th", "something.new") == "something.new"
    assert action_name("th", "letter.give_up") == CATALOGUE["act.letter.give_up"][0]

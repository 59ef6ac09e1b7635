"""Migration 0003 fills ``mail_sent`` from the audit notes of letters mailed before it, so their bounces
still find them."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from ecms_gateway.engine import Store
from ecms_gateway.store import Database, resolve_url, upgrade


def test_letters_mailed_before_the_migration_are_found_by_their_message_id(tmp_path: Path) -> None:
    db = Database(resolve_url(data_dir=tmp_path))
    try:
        upgrade(db, "0001")
        with db.write() as conn:
            conn.execute(
                text(
                    "INSERT INTO letter (id, direction, state, channel, sender_org, sender_dept, "
                    "receiver_org, book_no, book_key, letter_date, subject, letter_json, content_digest, "
                    "created_at, "
                    "updated_at) VALUES (7, 'out', 'sent', 'mail', '2099000000', '20990', '2099100000', "
                    "'ศธ 0990/1', 'ศธ 0990/1', '2026-11-20', 's', '{}', 'd', '2026-11-20 00:00:00', "
                    "'2026-11-20 00:00:00')"
                )
            )
            notes = [(1, 7, "mailed Message-ID <letter.abc@gw.test>; server: 250 ok"), (2, 7, "sent")]
            notes.append((3, 99, "mailed Message-ID <letter.gone@gw.test>"))  # no such letter: skipped
            for seq, letter_id, reason in notes:
                conn.execute(
                    text(
                        "INSERT INTO audit_entry (seq, at, actor, action, letter_id, reason, detail, "
                        "prev_hash, hash) VALUES (:seq, '2026-11-20 00:00:00', 'w', 'letter.sent', :letter, "
                        ":reason, '{}', 'x', 'y')"
                    ),
                    {"seq": seq, "letter": letter_id, "reason": reason},
                )
        upgrade(db)
    finally:
        db.dispose()
    with Store(data_dir=tmp_path) as store:
        with store.db.read() as conn:
            rows = conn.execute(text("SELECT message_id, letter_id FROM mail_sent")).all()
        assert [tuple(r) for r in rows] == [("<letter.abc@gw.test>", 7)]

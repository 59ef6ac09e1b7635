"""A removed webhook's id is never given to another one: receivers keep ``X-Ecms-Webhook-Id`` and
integrators keep ``/api/v1/webhooks/{id}``. SQLite reused the highest id after its row was removed;
migration 0009 fixes databases made before it, its deliveries kept, counting on from every id in use
or named as removed by the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from ecms_gateway.engine import Store, audit
from ecms_gateway.store import Database, resolve_url, upgrade
from ecms_gateway.webhooks.subscriptions import Webhooks


def test_the_id_of_a_removed_webhook_is_not_given_to_the_next(store: Store) -> None:
    hooks = Webhooks(store)
    first = hooks.add("http://127.0.0.1:9/a", actor="test").subscription.id
    newest = hooks.add("http://127.0.0.1:9/b", actor="test").subscription.id
    hooks.remove(newest, actor="test")
    after = hooks.add("http://127.0.0.1:9/c", actor="test").subscription.id
    assert newest > first
    assert after > newest


def _seed_0008(db: Database) -> None:
    """Two webhooks (ids 1 and 3) with a delivery each, and id 5 removed, as 0008's code left them."""
    hook = (
        "INSERT INTO webhook_subscription (id, url, secret, events, state, cursor_seq, created_at,"
        " created_by, attempts, next_try_at) VALUES (:id, :url, 's', 'letter.received', 'active', 0,"
        " '2026-11-20 03:00:00+00:00', 'test', 0, '2026-11-20 03:00:00+00:00')"
    )
    delivery = (
        "INSERT INTO webhook_delivery (id, subscription_id, event_id, event_seq, attempt, at, status, ok,"
        " error, duration_ms) VALUES (:id, :sub, :event, 1, 1, '2026-11-20 03:00:01+00:00', 200, 1, NULL, 7)"
    )
    with db.write() as conn:
        for hook_id in (1, 3):
            conn.execute(text(hook), {"id": hook_id, "url": f"http://127.0.0.1:9/{hook_id}"})
            conn.execute(text(delivery), {"id": hook_id * 10, "sub": hook_id, "event": f"e{hook_id}"})
        at = datetime(2026, 11, 20, 3, tzinfo=UTC)
        audit.append(conn, at=at, actor="test", action="webhook.removed", detail={"id": 5, "url": "x"})


def test_migration_0009_keeps_webhooks_and_deliveries_and_counts_past_removed_ids(tmp_path: Path) -> None:
    db = Database(resolve_url(data_dir=tmp_path))
    try:
        upgrade(db, "0008")
        _seed_0008(db)
        upgrade(db)
        with db.read() as conn:
            hooks = conn.execute(text("SELECT id, url FROM webhook_subscription ORDER BY id")).all()
            deliveries = conn.execute(
                text("SELECT id, subscription_id, event_id, status, ok FROM webhook_delivery ORDER BY id")
            ).all()
            ddl = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'webhook_subscription'")
            ).scalar_one()
            keys = conn.execute(text("PRAGMA foreign_key_list(webhook_delivery)")).all()
        assert [tuple(h) for h in hooks] == [(1, "http://127.0.0.1:9/1"), (3, "http://127.0.0.1:9/3")]
        assert [tuple(d) for d in deliveries] == [(10, 1, "e1", 200, 1), (30, 3, "e3", 200, 1)]
        assert "AUTOINCREMENT" in ddl
        assert [(k[2], k[3], k[4]) for k in keys] == [("webhook_subscription", "subscription_id", "id")]
    finally:
        db.dispose()
    with Store(data_dir=tmp_path) as store:
        added = Webhooks(store).add("http://127.0.0.1:9/new", actor="test").subscription.id
    assert added == 6  # past 5, which the audit log names as removed, not 4

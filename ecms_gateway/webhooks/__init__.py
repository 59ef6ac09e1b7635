"""Webhooks: letter events POSTed to office systems' URLs, signed (HMAC-SHA256), in order, at least
once, retried with backoff, with their health visible (see docs/integration.md).

The service the CLI and the REST API use is ``Webhooks``; the runtime's delivery is ``Deliverer``,
over the ``WebhookPoster`` port (``ecms_adapters.webhooks.HttpxPoster``).
"""

from typing import TYPE_CHECKING

from ecms_gateway.lazy import exports

if TYPE_CHECKING:
    from ecms_gateway.webhooks.delivery import Deliverer
    from ecms_gateway.webhooks.events import ALL_TYPES, EventType, encode, event_id, payload
    from ecms_gateway.webhooks.ports import PostResult, WebhookPoster
    from ecms_gateway.webhooks.signature import SIGNATURE_HEADER, new_secret, sign, verify
    from ecms_gateway.webhooks.subscriptions import Webhooks, check_secret, check_url
    from ecms_gateway.webhooks.values import Delivery, NewSubscription, Subscription, SubscriptionState

__all__ = [
    "ALL_TYPES",
    "SIGNATURE_HEADER",
    "Deliverer",
    "Delivery",
    "EventType",
    "NewSubscription",
    "PostResult",
    "Subscription",
    "SubscriptionState",
    "WebhookPoster",
    "Webhooks",
    "check_secret",
    "check_url",
    "encode",
    "event_id",
    "new_secret",
    "payload",
    "sign",
    "verify",
]

# Each name loads its module when first used: the package's light modules stay light.
__getattr__ = exports(
    __name__,
    {
        "Deliverer": "delivery",
        "ALL_TYPES": "events",
        "EventType": "events",
        "encode": "events",
        "event_id": "events",
        "payload": "events",
        "PostResult": "ports",
        "WebhookPoster": "ports",
        "SIGNATURE_HEADER": "signature",
        "new_secret": "signature",
        "sign": "signature",
        "verify": "signature",
        "Webhooks": "subscriptions",
        "check_secret": "subscriptions",
        "check_url": "subscriptions",
        "Delivery": "values",
        "NewSubscription": "values",
        "Subscription": "values",
        "SubscriptionState": "values",
    },
)

"""The webhook delivery's HTTP client (``WebhookPoster`` port of ``ecms_gateway.webhooks``)."""

from ecms_adapters.webhooks.poster import HttpxPoster, PosterSettings

__all__ = ["HttpxPoster", "PosterSettings"]

"""The REST API served by ``ecms-gateway run`` (FastAPI): letters, clerk actions, the queue."""

from ecms_adapters.api.app import API_PREFIX, AppHook, create_app

__all__ = ["API_PREFIX", "AppHook", "create_app"]

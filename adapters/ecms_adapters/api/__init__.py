"""The REST API served by ``ecms-gateway run`` (FastAPI): letters, clerk actions, the queue."""

from ecms_adapters.api.app import AppHook, create_app
from ecms_adapters.api.deps import API_PREFIX
from ecms_adapters.api.mail_letters import mail_channel

__all__ = ["API_PREFIX", "AppHook", "create_app", "mail_channel"]

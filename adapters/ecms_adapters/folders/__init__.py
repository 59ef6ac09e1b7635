"""Watched folders for file-based back-office systems: an outbox folder the gateway takes letters
from, and an inbox folder it writes received letters to (see docs/integration.md)."""

from ecms_adapters.folders.inbox import InboxExport, folder_name
from ecms_adapters.folders.outbox import FolderHooks, Outbox, Outcome
from ecms_adapters.folders.report import error_text, thai_line
from ecms_adapters.folders.watcher import FolderWatcher

__all__ = [
    "FolderHooks",
    "FolderWatcher",
    "InboxExport",
    "Outbox",
    "Outcome",
    "error_text",
    "folder_name",
    "thai_line",
]

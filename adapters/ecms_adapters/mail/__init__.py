"""The saraban mail edge: ``SmtpSender`` (aiosmtplib) and ``ImapMailboxReader`` (aioimaplib), the
implementations of ``ecms_gateway.mail.ports``."""

from ecms_adapters.mail.imap_reader import ImapMailboxReader, PauseHook
from ecms_adapters.mail.smtp import SmtpSender, translate_smtp_error

__all__ = ["ImapMailboxReader", "PauseHook", "SmtpSender", "translate_smtp_error"]

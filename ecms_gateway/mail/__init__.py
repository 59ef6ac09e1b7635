"""The saraban mail channel's core, pure of sockets: compose outgoing mail, classify and read incoming
mail, the settings, and the ports the SMTP/IMAP adapters implement (docs/mail-channel.md).
"""

from ecms_gateway.mail.checkpoint import FileCheckpointStore, MemoryCheckpointStore
from ecms_gateway.mail.classify import classify
from ecms_gateway.mail.compose import Mailbox, OutgoingMail, compose_letter, compose_notifier
from ecms_gateway.mail.directory import MailContact, MailDirectory, directory_from_json, load_mail_directory
from ecms_gateway.mail.inbound import (
    AutoReply,
    Bounce,
    Classified,
    HumanLetter,
    LetterMail,
    LetterSummary,
    MailClass,
    MailInfo,
    NotifierMail,
    PersonReply,
    Quarantined,
)
from ecms_gateway.mail.ingest import (
    VerifiedLetter,
    VerifiedNotifier,
    verify_letter_mail,
    verify_notifier_mail,
)
from ecms_gateway.mail.message_ids import dedupe_key, letter_message_id, message_id_of, notifier_message_id
from ecms_gateway.mail.outbound import MailComposer, letter_document_xml, notifier_document_xml
from ecms_gateway.mail.ports import (
    Checkpoint,
    CheckpointStore,
    CommitMail,
    FetchedMail,
    MailboxReader,
    MailSender,
    SentMail,
)
from ecms_gateway.mail.settings import (
    AfterCommit,
    FirstScan,
    ImapSettings,
    MailPartner,
    MailSettings,
    ServerLogin,
    SmtpSettings,
    TlsMode,
)
from ecms_gateway.mail.smime import SmimeSigner

__all__ = [
    "AfterCommit",
    "AutoReply",
    "Bounce",
    "Checkpoint",
    "CheckpointStore",
    "Classified",
    "CommitMail",
    "FetchedMail",
    "FileCheckpointStore",
    "FirstScan",
    "HumanLetter",
    "ImapSettings",
    "LetterMail",
    "LetterSummary",
    "MailClass",
    "MailComposer",
    "MailContact",
    "MailDirectory",
    "MailInfo",
    "MailPartner",
    "MailSender",
    "MailSettings",
    "Mailbox",
    "MailboxReader",
    "MemoryCheckpointStore",
    "NotifierMail",
    "OutgoingMail",
    "PersonReply",
    "Quarantined",
    "SentMail",
    "ServerLogin",
    "SmimeSigner",
    "SmtpSettings",
    "TlsMode",
    "VerifiedLetter",
    "VerifiedNotifier",
    "classify",
    "compose_letter",
    "compose_notifier",
    "dedupe_key",
    "directory_from_json",
    "letter_document_xml",
    "letter_message_id",
    "load_mail_directory",
    "message_id_of",
    "notifier_document_xml",
    "notifier_message_id",
    "verify_letter_mail",
    "verify_notifier_mail",
]

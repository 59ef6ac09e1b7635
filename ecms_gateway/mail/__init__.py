"""The saraban mail channel's core, pure of sockets: compose outgoing mail, classify and read incoming
mail, the settings, and the ports the SMTP/IMAP adapters implement (docs/mail-channel.md).
"""

from typing import TYPE_CHECKING

from ecms_gateway.lazy import exports

if TYPE_CHECKING:
    from ecms_gateway.mail.checkpoint import (
        FileCheckpointStore,
        MemoryCheckpointStore,
    )
    from ecms_gateway.mail.classifier import classify
    from ecms_gateway.mail.compose import (
        Mailbox,
        OutgoingMail,
        compose_letter,
        compose_notifier,
    )
    from ecms_gateway.mail.directory import (
        MailContact,
        MailDirectory,
        directory_from_json,
        load_mail_directory,
    )
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
    from ecms_gateway.mail.message_ids import (
        dedupe_key,
        letter_message_id,
        message_id_of,
        notifier_message_id,
    )
    from ecms_gateway.mail.outbound import (
        MailComposer,
        letter_document_xml,
        notifier_document_xml,
    )
    from ecms_gateway.mail.ports import (
        Checkpoint,
        CheckpointStore,
        CommitMail,
        Disposal,
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
    "Disposal",
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

# Each other name loads its module when first used: the configuration needs ``mail.settings`` only, not
# the composer, S/MIME or the ports (docs/operations.md, "Command start-up").
__getattr__ = exports(
    __name__,
    {
        "classify": "classifier",
        "FileCheckpointStore": "checkpoint",
        "MemoryCheckpointStore": "checkpoint",
        "Mailbox": "compose",
        "OutgoingMail": "compose",
        "compose_letter": "compose",
        "compose_notifier": "compose",
        "MailContact": "directory",
        "MailDirectory": "directory",
        "directory_from_json": "directory",
        "load_mail_directory": "directory",
        "AutoReply": "inbound",
        "Bounce": "inbound",
        "Classified": "inbound",
        "HumanLetter": "inbound",
        "LetterMail": "inbound",
        "LetterSummary": "inbound",
        "MailClass": "inbound",
        "MailInfo": "inbound",
        "NotifierMail": "inbound",
        "PersonReply": "inbound",
        "Quarantined": "inbound",
        "VerifiedLetter": "ingest",
        "VerifiedNotifier": "ingest",
        "verify_letter_mail": "ingest",
        "verify_notifier_mail": "ingest",
        "dedupe_key": "message_ids",
        "letter_message_id": "message_ids",
        "message_id_of": "message_ids",
        "notifier_message_id": "message_ids",
        "MailComposer": "outbound",
        "letter_document_xml": "outbound",
        "notifier_document_xml": "outbound",
        "Checkpoint": "ports",
        "CheckpointStore": "ports",
        "CommitMail": "ports",
        "Disposal": "ports",
        "FetchedMail": "ports",
        "MailboxReader": "ports",
        "MailSender": "ports",
        "SentMail": "ports",
        "AfterCommit": "settings",
        "FirstScan": "settings",
        "ImapSettings": "settings",
        "MailPartner": "settings",
        "MailSettings": "settings",
        "ServerLogin": "settings",
        "SmtpSettings": "settings",
        "TlsMode": "settings",
        "SmimeSigner": "smime",
    },
)

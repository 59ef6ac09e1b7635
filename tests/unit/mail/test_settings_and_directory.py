"""Mail settings refuse what cannot work; the directory finds organisations both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecms_gateway.errors import ConfigError
from ecms_gateway.mail.directory import MailDirectory, directory_from_json
from ecms_gateway.mail.settings import (
    ImapSettings,
    MailPartner,
    MailSettings,
    ServerLogin,
    SmtpSettings,
    TlsMode,
)


def test_plaintext_to_a_remote_server_is_refused_unless_explicitly_allowed() -> None:
    with pytest.raises(ConfigError, match="clear text"):
        SmtpSettings(host="smtp.example.go.th", tls=TlsMode.NONE).check()
    SmtpSettings(host="127.0.0.1", tls=TlsMode.NONE).check()
    SmtpSettings(host="smtp.example.go.th", tls=TlsMode.NONE, allow_insecure=True).check()


def test_imap_settings_need_a_positive_batch_and_a_folder_to_move_to() -> None:
    login = ServerLogin(username="saraban")
    with pytest.raises(ConfigError, match="batch_size"):
        ImapSettings(host="imap.example.go.th", login=login, batch_size=0).check()
    assert (
        ImapSettings(host="imap.example.go.th", login=login).checkpoint_key
        == "saraban@imap.example.go.th:993/INBOX"
    )


def test_smime_for_a_partner_needs_a_key() -> None:
    settings = MailSettings(
        org_id="2099000000",
        address="saraban@example.go.th",
        smtp=SmtpSettings(host="127.0.0.1", tls=TlsMode.NONE),
        partners={"2099100000": MailPartner(smime=True)},
    )
    with pytest.raises(ConfigError, match="2099100000"):
        settings.check()
    assert settings.domain == "example.go.th"


def test_passwords_come_from_a_file_or_a_variable_never_from_the_settings(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    assert ServerLogin(username="u", password_file=secret).password() == "s3cret"
    assert ServerLogin(username="u", password_env="MAIL_PW").password({"MAIL_PW": "abc"}) == "abc"
    with pytest.raises(ConfigError, match="MAIL_PW"):
        ServerLogin(username="u", password_env="MAIL_PW").password({})


def test_directory_finds_organisations_by_id_department_and_address(directory: MailDirectory) -> None:
    assert directory.address_of("2099100000") == "saraban@sample-peo.example.go.th"
    assert directory.contact("20991") == directory.contact("2099100000")
    contact = directory.by_address("Someone <SARABAN@Sample-PEO.example.go.th>")
    assert contact is not None
    assert contact.org_id == "2099100000"
    assert directory.by_address("nobody@example.com") is None


def test_directory_without_an_address_for_an_organisation_says_what_to_add() -> None:
    data = b'{"organizations": [{"id": "2099000000", "th_name": "\xe0\xb8\x81", "email": null}]}'
    with pytest.raises(ConfigError, match="has no e-mail address"):
        directory_from_json(data).address_of("2099000000")
    with pytest.raises(ConfigError, match="10-digit"):
        directory_from_json(b'{"organizations": [{"id": "12", "th_name": "x"}]}')


def test_a_missing_password_names_the_section_and_its_keys(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"^mail\.smtp: .*ECMS_SMTP_PW \(mail\.smtp\.password_env\) is not set"
    ):
        ServerLogin(username="gw", password_env="ECMS_SMTP_PW").password({}, section="mail.smtp")
    with pytest.raises(ConfigError, match=r"neither mail\.imap\.password_file nor mail\.imap\.password_env"):
        ServerLogin(username="gw").password({}, section="mail.imap")
    empty = tmp_path / "pw"
    empty.write_text("\n")
    with pytest.raises(ConfigError, match=r"mail\.imap\.password_file .* is empty; write the password in it"):
        ServerLogin(username="gw", password_file=empty).password(section="mail.imap")
    with pytest.raises(ConfigError, match=r"cannot be read from mail\.imap\.password_file"):
        ServerLogin(username="gw", password_file=tmp_path / "none").password(section="mail.imap")

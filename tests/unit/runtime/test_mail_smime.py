"""S/MIME per partner, from the configuration to the message the runtime sends."""

from __future__ import annotations

import asyncio
import email
from dataclasses import replace
from pathlib import Path

import pytest

from ecms_gateway.engine import Direction, LetterState
from ecms_gateway.errors import ConfigError
from ecms_gateway.mail import SmimeSigner
from ecms_gateway.runtime.gateway import Gateway
from ecms_gateway.runtime.mail import MailParts
from ecms_gateway.runtime.testing import MemoryNode
from ecms_gateway.signing.newkeys import write_new_key

from .support import ORGS, A, B, agencies, gateway, running, until
from .test_mail_channel import DIRECTORY, FakeSender, PostOffice, _config, _state, _submit

SMIME_FOR_B = (
    '[mail]\naddress = "saraban@a.example.go.th"\n'
    '[mail.smtp]\nhost = "127.0.0.1"\nport = 2525\ntls = "none"\n'
    '[mail.smime_key]\nkey = "keys/2099000000.key.pem"\ncert = "keys/2099000000.cert.pem"\n'
    f"[mail.partners.{B}]\nsmime = true\n"
)


def test_the_smime_keys_map_onto_the_mail_settings(tmp_path: Path) -> None:
    write_new_key(A, tmp_path / "keys")
    settings = _config(tmp_path, SMIME_FOR_B).mail_settings()
    assert settings is not None
    assert settings.partner(B).smime
    assert not settings.partner("2199000000").smime
    assert settings.smime_key is not None
    assert settings.smime_key.key == tmp_path / "keys" / "2099000000.key.pem"


def test_a_missing_smime_key_file_is_named_by_its_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"mail\.smime_key\.key: file .* does not exist"):
        _config(tmp_path, SMIME_FOR_B)


def test_mail_to_a_partner_that_asks_for_smime_goes_out_signed(tmp_path: Path) -> None:
    write_new_key(A, tmp_path / "keys")
    settings = _config(tmp_path, SMIME_FOR_B).mail_settings()
    assert settings is not None
    assert settings.smime_key is not None
    a = agencies(tmp_path / "agencies")[A]
    office = PostOffice()
    mail = MailParts(
        settings=settings,
        directory=DIRECTORY,
        sender=FakeSender(office),
        reader=None,
        smime=SmimeSigner.from_key_ref(settings.smime_key),
    )
    _submit(a)

    async def sent() -> None:
        await until("sent", lambda: _state(a, Direction.OUT) is LetterState.SENT or None)

    base = gateway(a, MemoryNode(ORGS))
    asyncio.run(running([Gateway(replace(base.parts, mail=mail))], sent))
    [letter_mail] = office.sent
    message = email.message_from_bytes(letter_mail.data)
    assert message.get_content_type() == "multipart/signed"
    assert message.get_param("protocol") == "application/pkcs7-signature"

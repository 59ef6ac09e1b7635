"""``ecms-gateway sign`` and ``ecms-gateway verify``: XML-DSig for letters and notifiers from files."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from ecms_gateway.cli.main import EXIT_OK, EXIT_USAGE
from ecms_gateway.cli.output import say_missing, warn, writing
from ecms_gateway.cli.settings import add_config_option, config_from_args
from ecms_gateway.errors import InputError
from ecms_gateway.fileio import write_atomic
from ecms_gateway.signing.names import PASSPHRASE_ENV


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sign = subparsers.add_parser(
        "sign",
        help="sign a GovernmentDocument or notifier XML (bare or in a SOAP envelope)",
        description="Sign FILE with RSA-SHA256 or ECDSA-SHA256 (after the key), SHA-256 digests and "
        "exclusive C14N; the certificate file (signer first, then intermediates) goes into KeyInfo. "
        'A letter is signed in ram:GovernmentSignature (URI="#Letter"), a notifier with an enveloped '
        f'signature (URI=""). An encrypted key\'s passphrase comes from {PASSPHRASE_ENV} or '
        "--passphrase-file, never from the command line.",
    )
    sign.add_argument("file", type=Path, metavar="FILE")
    sign.add_argument("--key", required=True, type=Path, help="PEM private key")
    sign.add_argument("--cert", required=True, type=Path, help="PEM certificate (then its intermediates)")
    sign.add_argument(
        "--passphrase-file", type=Path, metavar="FILE", help="file holding the key's passphrase"
    )
    sign.add_argument(
        "-o", "--output", type=Path, metavar="OUT", help="write here (default: standard output)"
    )
    sign.add_argument("--force", action="store_true", help="overwrite OUT if it exists (e.g. sign in place)")
    sign.set_defaults(func=run_sign)

    verify = subparsers.add_parser(
        "verify",
        help="verify the signature of a GovernmentDocument or notifier XML",
        description="Verify FILE's signature and that its signer is trusted for the sending organisation "
        "(the letter's SenderParty, or --org for a notifier). Exit 0 when valid, 1 with the reason when "
        "not; warnings go to standard error.",
    )
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument("--trust", type=Path, metavar="DIR", help="trust store folder (ca/, orgs/<org_id>/)")
    verify.add_argument(
        "--legacy",
        action="store_true",
        help="also accept rsa-sha1, sha1, C14N with comments, pinned RSAKeyValue",
    )
    verify.add_argument("--org", metavar="ORG_ID", help="the sending organisation (required for a notifier)")
    add_config_option(verify)
    verify.set_defaults(func=run_verify)


def run_sign(args: argparse.Namespace) -> int:
    from lxml import etree  # noqa: PLC0415 - the parser imports this module

    from ecms_gateway.codec.document import DOCUMENT  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.signing.keys import load_key_files, read_passphrase  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.signing.signer import sign_document, sign_notifier  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.xml.parser import parse_xml_file  # noqa: PLC0415 - the parser imports this module

    if not args.file.is_file():
        say_missing(args.file, "*.xml")
        return EXIT_USAGE
    if args.output is not None and args.output.exists() and not args.force:
        raise InputError(f"would overwrite {args.output}; choose another output with -o or pass --force")
    passphrase = read_passphrase(file=args.passphrase_file, env_name=PASSPHRASE_ENV, environ=os.environ)
    key = load_key_files(
        key=args.key,
        cert=args.cert,
        passphrase=passphrase,
        passphrase_hint=f"give it in the environment variable {PASSPHRASE_ENV} or with --passphrase-file",
    )
    for message in key.warnings:
        warn(message)
    root = parse_xml_file(args.file)
    if next(root.iter(DOCUMENT), None) is not None:
        sign_document(root, key)
    else:
        root = sign_notifier(root, key).getroottree().getroot()
    data = etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8")
    if args.output is None:
        sys.stdout.buffer.write(data)
    else:
        with writing(args.output):
            write_atomic(args.output, data, private=False)
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    from ecms_gateway.signing.config import PartnerPolicy  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.signing.trust import TrustStore  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.signing.verifier import Verifier  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.xml.parser import parse_xml_file  # noqa: PLC0415 - the parser imports this module

    if not args.file.is_file():
        say_missing(args.file, "*.xml")
        return EXIT_USAGE
    signing = config_from_args(args).signing_config()
    folder = args.trust if args.trust is not None else signing.trust_dir
    trust = TrustStore.from_folder(folder) if folder is not None else TrustStore()
    # --legacy opens the legacy profile for this check; otherwise each partner's configured policy applies.
    verifier = Verifier(trust, PartnerPolicy(legacy=True) if args.legacy else signing.partner)
    result = verifier.verify_message(parse_xml_file(args.file), org_id=args.org)
    for message in result.warnings:
        warn(message)
    signer = result.signer
    assert signer is not None  # noqa: S101 - the CLI's policy rejects unsigned input
    who = signer.subject or "a pinned public key"
    print(
        f"{args.file}: valid signature by {who} for organisation {result.org_id} "
        f"(trusted: {signer.method.value}, profile: {result.profile})"
    )
    for message in trust.expiry_warnings(datetime.now(UTC)):
        warn(message)
    return EXIT_OK

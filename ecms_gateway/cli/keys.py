"""``ecms-gateway keys new``: a key and a self-signed certificate for trials and tests.

Production certificates come from a CA; the gateway only loads them.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import get_args

from ecms_gateway.cli.arguments import whole_number
from ecms_gateway.cli.main import EXIT_OK
from ecms_gateway.signing.names import PASSPHRASE_ENV, KeyType

DEFAULT_OUT = Path("keys")
MAX_DAYS = 36500  # a hundred years: a trial certificate needs no more, and the date stays representable


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = subparsers.add_parser("keys", help="make signing keys for trials and tests")
    commands = keys.add_subparsers(title="keys commands", metavar="COMMAND", required=True)
    new = commands.add_parser(
        "new",
        help="write a private key and a self-signed certificate for one organisation",
        description="Write ORG_ID.key.pem and ORG_ID.cert.pem into DIR (default ./keys, as the example "
        "configuration's signing.keys name them); existing files are never overwritten. The certificate "
        "names the organisation in organizationIdentifier and OU, so partners can pin it in "
        "trust/orgs/ORG_ID/. "
        f"The key is encrypted when a passphrase is given in {PASSPHRASE_ENV} or --passphrase-file. "
        "For trials and tests only: production certificates come from a CA.",
    )
    new.add_argument("--org", required=True, metavar="ORG_ID", help="the 10-digit organisation ID")
    new.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="folder for the two files (default keys)"
    )
    new.add_argument(
        "--type", default="rsa2048", choices=get_args(KeyType), help="key type (default rsa2048)"
    )
    new.add_argument(
        "--days",
        type=whole_number(1, MAX_DAYS, what="the validity in days"),
        default=365,
        help=f"validity of the certificate in days, 1 to {MAX_DAYS} (default 365)",
    )
    new.add_argument(
        "--passphrase-file", type=Path, metavar="FILE", help="encrypt the key with the passphrase in FILE"
    )
    new.set_defaults(func=run_new)


def run_new(args: argparse.Namespace) -> int:
    from ecms_gateway.signing.certs import fingerprint  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.signing.keys import read_passphrase  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.signing.newkeys import write_new_key  # noqa: PLC0415 - the parser imports this module

    passphrase = read_passphrase(file=args.passphrase_file, env_name=PASSPHRASE_ENV, environ=os.environ)
    files = write_new_key(args.org, args.out, key_type=args.type, days=args.days, passphrase=passphrase)
    state = "encrypted" if passphrase else "NOT encrypted"
    print(f"private key: {files.key} ({state}, readable by you only)")
    print(f"certificate: {files.cert}")
    print(f"  subject: {files.certificate.subject.rfc4514_string()}")
    print(f"  SHA-256: {fingerprint(files.certificate)}")
    print(f"  valid until: {files.certificate.not_valid_after_utc:%Y-%m-%d}")
    print(f"partners trust it by copying the certificate into trust/orgs/{args.org}/")
    return EXIT_OK

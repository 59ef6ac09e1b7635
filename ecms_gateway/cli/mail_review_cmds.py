"""``ecms-gateway mail pending | show | confirm | dismiss``: a clerk's work on letters people sent by mail.

``pending`` lists what waits, with what could not be read (and mail that could not be taken in as a
letter at all, with why: read it, deal with it, dismiss it); ``show ID`` shows one (``--save DIR``
writes its files and the mail as received out to be read); ``confirm ID [--book-no ... --date ...]``
records it as a received letter and prints the letter's id (``register ID`` then gives the receive
number and mails it back to the sender); ``dismiss ID --reason R`` sets aside a mail that is not a letter.
"""

from __future__ import annotations

import argparse
import getpass
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ecms_gateway.cli.arguments import record_id
from ecms_gateway.cli.nudge import wake_or_say
from ecms_gateway.cli.output import human_size, writing
from ecms_gateway.cli.settings import add_config_option, config_from_args
from ecms_gateway.errors import LetterInvalid
from ecms_gateway.fileio import write_atomic
from ecms_gateway.letter.codes import Secrecy, Speed
from ecms_gateway.letter.thai import format_thai_date

if TYPE_CHECKING:
    from ecms_gateway.config import GatewayConfig
    from ecms_gateway.engine import Store
    from ecms_gateway.engine.mail_values import MailLetterView

EXIT_OK, EXIT_INVALID = 0, 1
OPTION_OF = {
    "book_no": "--book-no",
    "letter_date": "--date",
    "subject": "--subject",
    "sender_org": "--sender",
    "receiver_org": "--receiver",
    "speed": "--speed",
    "secrecy": "--secrecy",
}


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add pending, show, confirm and dismiss to the ``mail`` command group."""
    common = argparse.ArgumentParser(add_help=False)
    add_config_option(common)
    common.add_argument("--as", dest="actor", metavar="NAME", help="who does it (default: your login)")

    pending = commands.add_parser(
        "pending", parents=[common], help="list letters people sent by mail that wait for a clerk"
    )
    pending.set_defaults(func=_pending)

    show = commands.add_parser("show", parents=[common], help="show one letter sent by mail, with its files")
    show.add_argument("record_id", type=record_id, metavar="ID", help="its id (from `mail pending`)")
    show.add_argument(
        "--save", type=Path, metavar="DIR", help="write its files and the mail as received (.eml) into DIR"
    )
    show.set_defaults(func=_show)

    confirm = commands.add_parser(
        "confirm",
        parents=[common],
        help="record a letter sent by mail as a received letter (prints the letter's id)",
        description="Complete or correct the fields read from the mail and record the letter as received "
        "(channel mail). Every missing or wrong field is listed at once. Then `ecms-gateway register ID` "
        "gives its receive number, which is mailed back to the address the letter came from.",
    )
    confirm.add_argument("record_id", type=record_id, metavar="ID", help="its id (from `mail pending`)")
    confirm.add_argument("--book-no", help="เลขที่หนังสือ, e.g. 'ศธ 0206/1234' (Thai or Arabic digits)")
    confirm.add_argument(
        "--date", help="ลงวันที่: 20 พฤศจิกายน 2569, 20/11/2569, ๒๐/๑๑/๒๕๖๙ or 2026-11-20 (พ.ศ. or ค.ศ.)"
    )
    confirm.add_argument("--subject", help="เรื่อง")
    confirm.add_argument("--sender", metavar="ORG", help="the sending organisation's 10-digit id")
    confirm.add_argument("--receiver", metavar="ORG", help="which of our organisations receives it")
    confirm.add_argument("--speed", help=_choices(Speed))
    confirm.add_argument("--secrecy", help=_choices(Secrecy))
    confirm.add_argument(
        "--allow-repeat",
        action="store_true",
        help="เป็นหนังสือคนละฉบับ: confirm although a letter with this book number and date was received "
        "already (without it, such a mail is refused naming that letter)",
    )
    confirm.set_defaults(func=_confirm)

    dismiss = commands.add_parser(
        "dismiss", parents=[common], help="set aside a mail that is not a letter (nothing is sent)"
    )
    dismiss.add_argument("record_id", type=record_id, metavar="ID", help="its id (from `mail pending`)")
    dismiss.add_argument("--reason", required=True, help="why (kept in its history)")
    dismiss.set_defaults(func=_dismiss)


def _choices(kind: type[Speed] | type[Secrecy]) -> str:
    return ", ".join(f"{v.value} ({v.thai})" for v in kind)


def _actor(args: argparse.Namespace) -> str:
    if args.actor:
        return f"clerk:{args.actor}"
    try:
        return f"clerk:{getpass.getuser()}"
    except (KeyError, OSError):
        return "clerk"


def _with_store(args: argparse.Namespace, body: Callable[[Store, GatewayConfig], int]) -> int:
    """Run ``body`` on the store, which must exist: every command here works on mail already received."""
    from ecms_gateway.cli.stores import open_store  # noqa: PLC0415 - the parser imports this module

    config = config_from_args(args)
    with open_store(
        database_url=config.database_url,
        data_dir=config.gateway.data_dir,
        policies=config.retry_policies(),
        create=False,
        role=args.command,
    ) as store:
        return body(store, config)


def _pending(args: argparse.Namespace) -> int:
    from ecms_gateway.services import mail_letters  # noqa: PLC0415 - the parser imports this module

    def body(store: Store, _config: GatewayConfig) -> int:
        records = mail_letters.pending_mail_letters(store)
        if not records:
            print("ไม่มีหนังสือทางอีเมลที่รอยืนยัน (no mail letters wait for a clerk)")
            return EXIT_OK
        print(f"{'ID':>4}  {'RECEIVED':16}  {'FROM':30}  {'BOOK NO':18}  {'DATE':10}  SUBJECT / MISSING")
        for r in records:
            f = r.fields
            state = "" if r.state.value == "pending" else f" [{r.state.value}]"
            print(
                f"{r.id:>4}  {r.created_at.strftime('%Y-%m-%d %H:%M'):16}  {r.from_address[:30]:30}  "
                f"{(f.book_no or '?')[:18]:18}  {f.letter_date.isoformat() if f.letter_date else '?':10}  "
                f"{f.subject or '?'}{state}"
            )
            if r.unreadable is not None:
                print(f"{'':4}  รับเป็นหนังสือไม่ได้ (not a letter; read it, then dismiss it): {r.unreadable}")
                continue
            missing = ", ".join(OPTION_OF.get(m.field, m.field) for m in r.not_found)
            if missing:
                print(f"{'':4}  ไม่พบ (missing): {missing}")
        return EXIT_OK

    return _with_store(args, body)


def _show(args: argparse.Namespace) -> int:
    from ecms_gateway.services import mail_letters  # noqa: PLC0415 - the parser imports this module

    def body(store: Store, _config: GatewayConfig) -> int:
        shown = mail_letters.mail_letter(store, args.record_id)
        for line in describe(shown.record):
            print(line)
        for text in mail_letters.mail_texts(store, shown.record):
            heading = f"forwarded inside it ({text.heading})" if text.heading else "what the mail says"
            print(f"  {heading}:")
            print(textwrap.indent(text.text.strip(), "    | ", lambda _line: True))
        if args.save is not None:
            raw = store.load_raw(shown.record.inbox_id)
            with writing(args.save):
                args.save.mkdir(parents=True, exist_ok=True)
                for data in shown.files:
                    write_atomic(args.save / data.name, data.content, private=False)
                write_atomic(args.save / f"mail-{args.record_id}.eml", raw, private=False)
            print(f"files and the mail as received (mail-{args.record_id}.eml) written to {args.save}")
        return EXIT_OK

    return _with_store(args, body)


def describe(r: MailLetterView) -> list[str]:
    """The lines ``mail show`` prints: the state, the mail, every field (or why it is missing), files."""
    from ecms_gateway.services.mail_review import LABELS  # noqa: PLC0415 - the parser imports this module

    f = r.fields
    lines = [
        f"mail letter {r.id}: {r.state.value}" + (f" -> letter {r.letter_id}" if r.letter_id else ""),
        f"  from          {r.from_name + ' ' if r.from_name else ''}<{r.from_address}>",
        f"  mail subject  {r.mail_subject}",
        f"  received      {r.created_at.isoformat(timespec='seconds')} (inbox item {r.inbox_id})",
    ]
    if r.acted_by:
        when = r.acted_at.isoformat(timespec="seconds") if r.acted_at else "-"
        lines.append(f"  by            {r.acted_by} at {when}")
    if r.reason:
        lines.append(f"  reason        {r.reason}")
    if r.unreadable is not None:
        lines.append(f"  รับเป็นหนังสือไม่ได้ (not a letter): {r.unreadable}")
        lines += [f"  หมายเหตุ: {note}" for note in r.notes]
        lines.append(
            f"  read the mail (its text follows; `ecms-gateway mail show {r.id} --save DIR` writes it "
            "whole), deal with it, then "
            f'`ecms-gateway mail dismiss {r.id} --reason "what was done"`'
        )
        return lines
    date_text = f"{format_thai_date(f.letter_date)} ({f.letter_date.isoformat()})" if f.letter_date else None
    values = {
        "book_no": f.book_no,
        "letter_date": date_text,
        "subject": f.subject,
        "sender_org": f.sender_org,
        "receiver_org": f.receiver_org,
        "speed": f.speed,
        "secrecy": f.secrecy,
    }
    missing = {m.field: m.message for m in r.not_found}
    for name, value in values.items():
        shown = value if value is not None else f"ไม่พบ: {missing.get(name, 'ปกติ (ไม่ระบุ)')}"
        lines.append(f"  {LABELS[name]:<20} {OPTION_OF[name]:<12} {shown}")
    lines += [f"  หมายเหตุ: {note}" for note in r.notes]
    lines += [
        f"  file {d.position}{' (main)' if not d.position else ''}: {d.name} ({d.mime}, {human_size(d.size)})"
        for d in r.files
    ]
    return lines


def _confirm(args: argparse.Namespace) -> int:
    from ecms_gateway.engine.mail_values import MailLetterFields  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.letter.dates import parse_clerk_date  # noqa: PLC0415 - the parser imports this module
    from ecms_gateway.services import mail_letters  # noqa: PLC0415 - the parser imports this module

    corrections = MailLetterFields(
        book_no=args.book_no,
        subject=args.subject,
        letter_date=parse_clerk_date(args.date) if args.date else None,
        sender_org=args.sender,
        receiver_org=args.receiver,
        speed=args.speed,
        secrecy=args.secrecy,
    )

    def body(store: Store, config: GatewayConfig) -> int:
        served = [org.id for org in config.organizations]
        try:
            done = mail_letters.confirm_mail_letter(
                store,
                args.record_id,
                corrections=corrections,
                served=served,
                actor=_actor(args),
                allow_repeat=args.allow_repeat,
            )
        except LetterInvalid as exc:
            print(f"ยืนยันหนังสือทางอีเมลรายการที่ {args.record_id} ไม่ได้ (cannot confirm):", file=sys.stderr)
            for fault in exc.faults:
                option = OPTION_OF.get(fault.where, fault.where)
                print(f"  {option}: {fault.problem}", file=sys.stderr)
            return EXIT_INVALID
        again = "" if done.created else " (already recorded before)"
        print(
            f"mail letter {args.record_id} confirmed as letter {done.letter_id}{again}, state received; "
            f"register it: ecms-gateway register {done.letter_id}"
        )
        data_dir, url = config.gateway.data_dir, config.database_url
        wake_or_say(data_dir=data_dir, database_url=url, role=args.command, then="mails the receipt")
        return EXIT_OK

    return _with_store(args, body)


def _dismiss(args: argparse.Namespace) -> int:
    from ecms_gateway.services import mail_letters  # noqa: PLC0415 - the parser imports this module

    def body(store: Store, _config: GatewayConfig) -> int:
        mail_letters.dismiss_mail_letter(store, args.record_id, reason=args.reason, actor=_actor(args))
        print(f"mail letter {args.record_id} dismissed: {args.reason}")
        return EXIT_OK

    return _with_store(args, body)

"""Couriers' parcel events: `hubctl parcel record` (tokens only unless --raw)."""

from __future__ import annotations

import argparse
import re

from hubctl import output
from hubctl.client.base import checked_uuid
from hubctl.commands.base import EXIT_OK, client_for, command, explained, local
from hubctl.commands.sellers import CATEGORIES, IDENTIFIERS_HELP
from hubctl.inputs import InputError, seller_from_pairs

KINDS = ("seized", "refused", "returned", "customs_hold")
_REGION = re.compile(r"[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register `parcel` and its `record` action."""
    parcel = commands.add_parser(
        "parcel",
        help="Record what became of a parcel (couriers).",
        description="Record what became of a parcel (couriers).",
    )
    actions = parcel.add_subparsers(dest="parcel_action", metavar="ACTION", required=True)
    parser = command(
        actions,
        "record",
        "Record a parcel seized, refused, returned or held at customs, with its sender's identifiers.",
        f"{IDENTIFIERS_HELP.split(chr(10) + chr(10))[0]}\n\n"
        "Give at least one sender identifier besides the waybill: a waybill alone never matches.\n"
        "Others see only counts of parcel events per kind, never yours.\n\n"
        "example:\n  hubctl parcel record --kind refused --occurred-at 2026-11-30T09:15:00+08:00 \\\n"
        "    --origin CN-GD --category counterfeit courier_sender_account=sf:gang01 \\\n"
        "    waybill=sf:SF1234567890123 --check-id 0b9c7b1e-3d8e-4c1f-9a47-2f6f2c8d5e10",
    )
    parser.add_argument(
        "identifiers", nargs="+", metavar="TYPE=VALUE", help="a sender identifier or the waybill"
    )
    parser.add_argument("--kind", required=True, choices=KINDS, help="what became of the parcel")
    parser.add_argument(
        "--occurred-at", required=True, metavar="WHEN", help="when, ISO 8601 (e.g. 2026-11-30T09:15:00+08:00)"
    )
    parser.add_argument(
        "--origin", required=True, type=_region, metavar="REGION", help="where it came from: CN or CN-GD"
    )
    parser.add_argument("--category", required=True, choices=CATEGORIES, help="the kind of goods")
    toward = parser.add_mutually_exclusive_group()
    toward.add_argument(
        "--report-id", metavar="ID", help="one of your reports this parcel is evidence toward"
    )
    toward.add_argument(
        "--check-id", metavar="ID", help="your check that matched the sender (feedback on a hit)"
    )
    parser.add_argument("--raw", action="store_true", help="send raw values and let the hub tokenise them")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_record)


def _region(text: str) -> str:
    """argparse type of --origin: a country or a subdivision code, upper-cased (the hub checks it exists)."""
    if not _REGION.fullmatch(text.strip()):
        raise argparse.ArgumentTypeError("give ISO 3166-1 (e.g. CN) or ISO 3166-2 (e.g. CN-GD)")
    return text.strip().upper()


def _run_record(args: argparse.Namespace) -> int:
    """Record one parcel event; print its id, kind and identifier types."""
    sender = seller_from_pairs(args.identifiers)
    if not sender.identifiers:
        raise InputError("give at least one TYPE=VALUE argument (see --help).")
    # A malformed id is bad usage before anything is sent (tokenising asks the hub first).
    if args.report_id:
        local(lambda: checked_uuid(args.report_id, "report"))
    if args.check_id:
        local(lambda: checked_uuid(args.check_id, "check"))
    client = client_for(args)
    event = explained(
        sender,
        lambda: local(
            lambda: client.parcel_event(
                sender.identifiers,
                kind=args.kind,
                occurred_at=args.occurred_at,
                origin_region=args.origin,
                category=args.category,
                report_id=args.report_id,
                check_id=args.check_id,
                raw=args.raw,
                default_country=args.country,
            )
        ),
    )
    print(output.as_json(event) if args.json else output.parcel_event_text(event, tokens_only=not args.raw))
    return EXIT_OK

"""Commands about one's own sellers: tokenise, check, report, report-status and watch."""

from __future__ import annotations

import argparse
import sys
import textwrap
from functools import partial
from pathlib import Path

from hubctl import output
from hubctl.client import HubClient
from hubctl.client.sellers import ReportedRight
from hubctl.commands.base import EXIT_OK, add_purpose_argument, client_for, command, explained
from hubctl.errors import HubError
from hubctl.inputs import KNOWN_TYPES, CsvInput, InputError, Seller, read_csv, seller_from_pairs

IP_TYPES = ("trademark", "copyright", "patent", "other")
CATEGORIES = ("counterfeit", "piracy", "design_copy", "grey_market", "other")
VERIFICATION_LEVELS = (
    "self_declared",
    "rights_owner_verified",
    "platform_enforcement",
    "administrative_decision",
    "court_judgment",
)

IDENTIFIERS_HELP = f"""\
identifiers:
  TYPE=VALUE, e.g. phone="+86 138 0013 8000" email=seller@example.com
{textwrap.fill(KNOWN_TYPES, 78, initial_indent="  types: ", subsequent_indent="         ")}
  Composite types take one argument per field, e.g.
  person.full_name="张伟" person.date_of_birth=1985-03-02 (one person per seller), or
  registered_address.street_address=... registered_address.postcode=... registered_address.country=CN
  Values are normalised as the hub does; numbers without a country use --country,
  else your organisation's country (asked of the hub, which sees no identifier).

CSV files (--csv FILE, UTF-8, header row required):
  type,value[,country]            one seller, one identifier per row
  ref,<type>,<type>...[,country]  one seller per row; ref is your own reference,
                                  empty cells are skipped; a composite takes
                                  one column per field (person.full_name, ...)"""


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register tokenise, check, report, report-status and watch."""
    _add_tokenise_command(commands)
    _add_check_command(commands)
    _add_report_command(commands)
    _add_report_status_command(commands)
    _add_watch_command(commands)


def _add_identifier_arguments(parser: argparse.ArgumentParser, *, raw_help: str) -> None:
    """TYPE=VALUE arguments or --csv, plus --raw and --json."""
    parser.add_argument("identifiers", nargs="*", metavar="TYPE=VALUE", help="one identifier of the seller")
    parser.add_argument("--csv", metavar="FILE", help="read identifiers from a CSV file instead (see below)")
    parser.add_argument("--raw", action="store_true", help=raw_help)
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")


def _add_tokenise_command(commands: argparse._SubParsersAction) -> None:
    """The tokenise subcommand."""
    parser = command(
        commands,
        "tokenise",
        "Derive identifier tokens obliviously and print them.",
        f"{IDENTIFIERS_HELP}\n\noutput: CSV lines type,token,key_version (ref first for a ref CSV)\n\n"
        "example:\n  hubctl tokenise phone=+8613800138000 email=seller@example.com",
    )
    parser.add_argument("identifiers", nargs="*", metavar="TYPE=VALUE", help="an identifier to tokenise")
    parser.add_argument("--csv", metavar="FILE", help="read identifiers from a CSV file instead (see below)")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of CSV")
    parser.set_defaults(run=_run_tokenise)


def _add_check_command(commands: argparse._SubParsersAction) -> None:
    """The check subcommand."""
    parser = command(
        commands,
        "check",
        "Check one seller (or one per row of a ref CSV) against the hub.",
        f"{IDENTIFIERS_HELP}\n\n"
        "A ref CSV runs one check per row and prints ref,level,risk,matched_types.\n\n"
        "examples:\n  hubctl check --purpose seller_onboarding phone=+8613800138000 "
        "store_url=https://shop123456.taobao.com/\n"
        "  hubctl check --purpose listing_review --csv sellers.csv --json",
    )
    _add_identifier_arguments(parser, raw_help="send raw values and let the hub tokenise them")
    add_purpose_argument(parser)
    parser.add_argument(
        "--batch",
        type=_batch_size,
        nargs="?",
        const=BATCH_DEFAULT,
        metavar="N",
        help=(
            f"with a ref CSV, send the rows as batch checks of up to N sellers each (default {BATCH_DEFAULT}, "
            "the hub's default HUB_CHECK_BATCH_MAX_SELLERS), fewer when they would pass 1000 identifiers "
            "(HUB_CHECK_BATCH_MAX_IDENTIFIERS); each row is still a check of its own"
        ),
    )
    parser.set_defaults(run=_run_check)


BATCH_DEFAULT = 100
# Identifiers a batch may name in all, its sellers together (the hub's default HUB_CHECK_BATCH_MAX_IDENTIFIERS):
# a batch of wide rows is cut shorter than N sellers rather than refused.
BATCH_IDENTIFIERS = 1000


def _batch_size(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("give a whole number of sellers, at least 1")
    return int(text)


def _add_report_command(commands: argparse._SubParsersAction) -> None:
    """The report subcommand."""
    parser = command(
        commands,
        "report",
        "Report one infringing seller, with evidence.",
        f"{IDENTIFIERS_HELP}\n\nA report takes one seller: TYPE=VALUE arguments or a type,value CSV.\n\n"
        "example:\n  hubctl report phone=+8613800138000 --ip-type trademark --category counterfeit \\\n"
        "    --verification-level rights_owner_verified --statement-file statement.txt \\\n"
        "    --evidence order.pdf --evidence photo.jpg --right-number 12345678 --right-territory CN \\\n"
        "    --guarantee-authentic",
    )
    _add_identifier_arguments(parser, raw_help="send raw values (the hub seals them) instead of tokens only")
    parser.add_argument("--ip-type", required=True, choices=IP_TYPES, help="the right infringed")
    parser.add_argument("--category", required=True, choices=CATEGORIES, help="the kind of infringement")
    parser.add_argument(
        "--verification-level",
        required=True,
        choices=VERIFICATION_LEVELS,
        help="how the infringement was established",
    )
    statement = parser.add_mutually_exclusive_group(required=True)
    statement.add_argument("--statement", metavar="TEXT", help="what you found, in your words")
    statement.add_argument(
        "--statement-file", metavar="FILE", help="read the statement from FILE ('-' for stdin)"
    )
    parser.add_argument(
        "--evidence", metavar="FILE", action="append", default=[], help="attach an evidence file (repeatable)"
    )
    right = parser.add_argument_group("the right the notice rests on, and the guarantee a valid notice gives")
    right.add_argument("--right-number", default="", metavar="NUMBER", help="the right's registration number")
    right.add_argument("--right-territory", default="", metavar="CC", help="where it is registered (e.g. CN)")
    right.add_argument("--right-holder", default="", metavar="NAME", help="who holds it, as registered")
    right.add_argument(
        "--guarantee-authentic",
        action="store_true",
        required=True,
        help="your written guarantee that the notice is authentic: the right is yours, the evidence genuine "
        "and the information true (required)",
    )
    parser.set_defaults(run=_run_report)


def _add_watch_command(commands: argparse._SubParsersAction) -> None:
    """The watch subcommand."""
    parser = command(
        commands,
        "watch",
        "Watch your own seller: get a webhook when it is linked to a reported subject.",
        f"{IDENTIFIERS_HELP}\n\nA ref CSV watches one seller per row under its ref.\n\n"
        "examples:\n  hubctl watch --purpose listing_review --ref seller-77 "
        "store_url=https://mall.jd.com/index-1000004123.html "
        "bank_account=DE89370400440532013000\n  hubctl watch --purpose listing_review --csv sellers.csv",
    )
    _add_identifier_arguments(parser, raw_help="send raw values and let the hub tokenise them")
    add_purpose_argument(parser)
    parser.add_argument("--ref", help="your own reference for the seller (required without a ref CSV)")
    parser.set_defaults(run=_run_watch)


def _add_report_status_command(commands: argparse._SubParsersAction) -> None:
    """The report-status subcommand."""
    parser = command(
        commands,
        "report-status",
        "Show one of your organisation's reports.",
        "example:\n  hubctl report-status 0b9c6a1e-4f7e-4a51-9d5e-0d3c2b1a9f88",
    )
    parser.add_argument(
        "report_id", metavar="REPORT_ID", help="the report's id, as printed by 'hubctl report'"
    )
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_report_status)


# -- commands -------------------------------------------------------------------------------


def _run_tokenise(args: argparse.Namespace) -> int:
    """Print the tokens of every identifier given, derived in one oblivious batch."""
    given = _sellers(args)
    client = client_for(args)
    merged = _merged(given.sellers)
    tokens = explained(merged, lambda: client.tokenise(merged.identifiers, default_country=args.country))
    refs = [seller.ref for seller in given.sellers for _ in seller.identifiers]
    if given.wide:
        tokens = [{"ref": ref, **token} for ref, token in zip(refs, tokens)]
    print(output.as_json(tokens) if args.json else output.tokens_csv(tokens, with_ref=given.wide))
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    """Check one seller, or each row of a ref CSV."""
    given = _sellers(args)
    client = client_for(args)
    if not given.wide:
        seller = given.sellers[0]
        result = explained(
            seller,
            lambda: client.check(
                seller.identifiers, purpose=args.purpose, raw=args.raw, default_country=args.country
            ),
        )
        print(output.as_json(result) if args.json else output.check_text(result))
        return EXIT_OK
    results = _check_rows(
        client, given.sellers, raw=args.raw, country=args.country, purpose=args.purpose, batch=args.batch
    )
    if args.json:
        print(output.as_json([{"ref": ref, **result} for ref, result in results]))
    else:
        print(output.checks_csv(results))
    return EXIT_OK


def _check_rows(
    client: HubClient,
    sellers: list[Seller],
    *,
    raw: bool,
    country: str | None,
    purpose: str,
    batch: int | None = None,
) -> list[tuple[str | None, dict]]:
    """One check per seller (sent one by one, or `batch` sellers a request); every row is validated
    (and, tokens-only, tokenised) before the first check."""
    if raw:
        merged = _merged(sellers)
        explained(merged, lambda: client.canonicalise(merged.identifiers, default_country=country))
        items: list[list[dict]] = [[] for _ in sellers]  # unused: a raw check sends the identifiers
    else:
        items = tokenise_each(client, sellers, country)
    if batch:
        return _check_batches(client, sellers, items, raw=raw, country=country, purpose=purpose, size=batch)
    results = []
    for seller, tokens_of_seller in zip(sellers, items):
        try:
            result = (
                client.check(seller.identifiers, purpose=purpose, raw=True, default_country=country)
                if raw
                else client.check_tokens(tokens_of_seller, purpose=purpose)
            )
        except HubError:
            print(f"hubctl: the check of the seller at {seller.labels[0]} failed", file=sys.stderr)
            raise
        results.append((seller.ref, result))
    return results


def _check_batches(
    client: HubClient,
    sellers: list[Seller],
    items: list[list[dict]],
    *,
    raw: bool,
    country: str | None,
    purpose: str,
    size: int,
) -> list[tuple[str | None, dict]]:
    """The rows as batch checks of up to `size` sellers and BATCH_IDENTIFIERS identifiers; refs stay here
    (the hub gets none: answers keep order)."""
    results: list[tuple[str | None, dict]] = []
    every = [
        client.raw_items(seller.identifiers, default_country=country) if raw else client.token_items(tokens)
        for seller, tokens in zip(sellers, items)
    ]
    for start, end in _batch_bounds([len(body) for body in every], size=size):
        chunk, bodies = sellers[start:end], every[start:end]
        try:
            answers = client.check_batch(bodies, purpose=purpose)
        except HubError:
            print(
                f"hubctl: the batch check of the sellers at {chunk[0].labels[0]} to {chunk[-1].labels[0]} failed",
                file=sys.stderr,
            )
            raise
        results.extend((seller.ref, answer) for seller, answer in zip(chunk, answers, strict=True))
    return results


def _batch_bounds(counts: list[int], *, size: int) -> list[tuple[int, int]]:
    """(start, end) of each batch: sellers in order, a new batch when one more would pass either limit."""
    bounds: list[tuple[int, int]] = []
    start, identifiers = 0, 0
    for index, count in enumerate(counts):
        if index > start and (index - start == size or identifiers + count > BATCH_IDENTIFIERS):
            bounds.append((start, index))
            start, identifiers = index, 0
        identifiers += count
    if counts:
        bounds.append((start, len(counts)))
    return bounds


def _run_report(args: argparse.Namespace) -> int:
    """Submit one report; print its id and status."""
    given = _sellers(args)
    if given.wide:
        raise InputError("a report takes one seller: give TYPE=VALUE arguments or a type,value CSV.")
    statement = _statement(args)
    missing = [path for path in args.evidence if not Path(path).is_file()]
    if missing:
        raise InputError(f"evidence file not found or not a file: {missing[0]}")
    client = client_for(args)
    seller = given.sellers[0]
    report = explained(
        seller,
        lambda: client.report(
            seller.identifiers,
            ip_type=args.ip_type,
            category=args.category,
            verification_level=args.verification_level,
            statement=statement,
            evidence_paths=args.evidence,
            right=ReportedRight(args.right_number, args.right_territory, args.right_holder),
            authenticity_guaranteed=args.guarantee_authentic,
            raw=args.raw,
            default_country=args.country,
        ),
    )
    print(output.as_json(report) if args.json else output.report_text(report, tokens_only=not args.raw))
    return EXIT_OK


def _run_watch(args: argparse.Namespace) -> int:
    """Put each seller on the organisation's watchlist; print how many entries the hub keeps."""
    given = _sellers(args)
    if not given.wide and not args.ref:
        raise InputError("give --ref (your reference for the seller), or a CSV with a ref column.")
    client = client_for(args)
    answers = []
    for seller in given.sellers:
        ref = seller.ref or args.ref
        answers.append(
            explained(
                seller,
                partial(
                    client.watch,
                    seller.identifiers,
                    ref=ref,
                    purpose=args.purpose,
                    raw=args.raw,
                    default_country=args.country,
                ),
            )
        )
    if args.json:
        print(output.as_json(answers))
    else:
        print(
            f"watching {len(given.sellers)} seller(s): {sum(len(a.get('entries', [])) for a in answers)} identifiers"
        )
    return EXIT_OK


def _run_report_status(args: argparse.Namespace) -> int:
    """Print one report."""
    client = client_for(args)
    try:
        report = client.report_get(args.report_id)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    print(output.as_json(report) if args.json else output.report_text(report))
    return EXIT_OK


# -- helpers --------------------------------------------------------------------------------


def tokenise_each(client: HubClient, sellers: list[Seller], country: str | None) -> list[list[dict]]:
    """Each seller's tokens, all derived in one oblivious batch (and so under one key version)."""
    merged = _merged(sellers)
    tokens = explained(merged, lambda: client.tokenise(merged.identifiers, default_country=country))
    runs, start = [], 0
    for seller in sellers:
        runs.append(tokens[start : start + len(seller.identifiers)])
        start += len(seller.identifiers)
    return runs


def _merged(sellers: list[Seller]) -> Seller:
    """All sellers' identifiers as one labelled list, so one oblivious batch serves them all."""
    merged = Seller()
    for seller in sellers:
        merged.identifiers += seller.identifiers
        merged.labels += seller.labels
    return merged


def _sellers(args: argparse.Namespace) -> CsvInput:
    """The sellers named by TYPE=VALUE arguments or by --csv, not both."""
    if args.csv and args.identifiers:
        raise InputError("give TYPE=VALUE arguments or --csv FILE, not both.")
    if args.csv:
        return read_csv(args.csv)
    if not args.identifiers:
        raise InputError("give at least one TYPE=VALUE argument or --csv FILE (see --help).")
    return CsvInput([seller_from_pairs(args.identifiers)], wide=False)


def _statement(args: argparse.Namespace) -> str:
    """The statement text, from --statement or --statement-file ('-' reads stdin)."""
    if args.statement is not None:
        text = args.statement
    elif args.statement_file == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(args.statement_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the statement file {args.statement_file}: {exc}") from None
    if not text.strip():
        raise InputError("the statement is empty.")
    return text

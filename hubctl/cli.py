"""The hubctl command: tokenise, check and report sellers, by default without showing the hub a raw value.

Exit status: 0 done, 1 the hub refused or could not be reached (or a package does not verify),
2 bad usage or input.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from hubctl import audit, output, package
from hubctl.client import HubClient, hub_signing_key
from hubctl.errors import HubError, IdentifierError
from hubctl.inputs import KNOWN_TYPES, CsvInput, InputError, Seller, read_csv, seller_from_pairs

DEFAULT_HUB = "http://127.0.0.1:8000"
IP_TYPES = ("trademark", "copyright", "patent", "other")
CATEGORIES = ("counterfeit", "piracy", "design_copy", "grey_market", "other")
VERIFICATION_LEVELS = ("self_declared", "rights_owner_verified", "platform_enforcement",
                       "administrative_decision", "court_judgment")
DISCLOSURE_FIELDS = ("identifiers", "statement", "evidence", "reporter")
EXIT_OK, EXIT_HUB, EXIT_USAGE = 0, 1, 2
EXIT_INVALID = 1  # a package that does not verify, or could not be unpacked whole

T = TypeVar("T")

DESCRIPTION = """\
Client of the Infringer Intelligence Hub.

By default hubctl never shows the hub a raw identifier: it normalises each value
locally, blinds it, has the hub evaluate only the blinded element (RFC 9497 OPRF),
finalises the token locally and sends checks and reports as tokens. --raw sends
raw values instead and lets the hub tokenise them; both give the same tokens."""

IDENTIFIERS_HELP = f"""\
identifiers:
  TYPE=VALUE, e.g. phone="+86 138 0013 8000" email=seller@example.com
{textwrap.fill(KNOWN_TYPES, 78, initial_indent="  types: ", subsequent_indent="         ")}
  Values are normalised as the hub does; numbers without a country use --country,
  else your organisation's country (asked of the hub, which sees no identifier).

CSV files (--csv FILE, UTF-8, header row required):
  type,value[,country]            one seller, one identifier per row
  ref,<type>,<type>...[,country]  one seller per row; ref is your own reference,
                                  empty cells are skipped"""


def main(argv: list[str] | None = None) -> int:
    """Run hubctl; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as exc:
        print(f"hubctl: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except HubError as exc:
        _print_hub_error(exc)
        return EXIT_HUB
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: connection options, then one subcommand."""
    parser = argparse.ArgumentParser(prog="hubctl", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="Run 'hubctl COMMAND --help' for a command's options.")
    _add_connection_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_tokenise_command(commands)
    _add_check_command(commands)
    _add_report_command(commands)
    _add_report_status_command(commands)
    _add_watch_command(commands)
    _add_register_key_command(commands)
    _add_disclosure_request_command(commands)
    _add_disclosure_status_command(commands)
    _add_disclosure_approve_command(commands)
    _add_download_package_command(commands)
    _add_verify_package_command(commands)
    _add_audit_command(commands)
    from hubctl.bulk import add_bulk_commands  # here: hubctl.bulk builds on this module's helpers

    add_bulk_commands(commands)
    return parser


# -- parser construction ----------------------------------------------------------------


def _add_connection_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """--hub, --api-key, --country, --timeout; on subcommands too, so they may follow the command."""
    # A subcommand's default would overwrite a value given before the command; SUPPRESS keeps it.
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("hub connection")
    group.add_argument("--hub", metavar="URL", default=default,
                       help=f"hub base URL (default: $HUB_URL or {DEFAULT_HUB})")
    group.add_argument("--api-key", metavar="KEY", default=default,
                       help="your API key (default: $HUB_API_KEY; prefer the variable, arguments show in ps)")
    group.add_argument("--country", metavar="CC", type=_country, default=default,
                       help="ISO 3166-1 country for identifiers without one (default: your organisation's)")
    group.add_argument("--timeout", metavar="SECONDS", type=float, default=argparse.SUPPRESS if suppress else 30.0,
                       help="network timeout per request (default: 30)")


def _command(commands: argparse._SubParsersAction, name: str, summary: str, epilog: str) -> argparse.ArgumentParser:
    """A subcommand parser that keeps the layout of its description and examples."""
    parser = commands.add_parser(name, help=summary, description=summary, epilog=epilog,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_connection_options(parser, suppress=True)
    return parser


def _add_identifier_arguments(parser: argparse.ArgumentParser, *, raw_help: str) -> None:
    """TYPE=VALUE arguments or --csv, plus --raw and --json."""
    parser.add_argument("identifiers", nargs="*", metavar="TYPE=VALUE", help="one identifier of the seller")
    parser.add_argument("--csv", metavar="FILE", help="read identifiers from a CSV file instead (see below)")
    parser.add_argument("--raw", action="store_true", help=raw_help)
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")


def _add_tokenise_command(commands: argparse._SubParsersAction) -> None:
    """The tokenise subcommand."""
    parser = _command(commands, "tokenise", "Derive identifier tokens obliviously and print them.",
                      f"{IDENTIFIERS_HELP}\n\noutput: CSV lines type,token,key_version (ref first for a ref CSV)\n\n"
                      "example:\n  hubctl tokenise phone=+8613800138000 email=seller@example.com")
    parser.add_argument("identifiers", nargs="*", metavar="TYPE=VALUE", help="an identifier to tokenise")
    parser.add_argument("--csv", metavar="FILE", help="read identifiers from a CSV file instead (see below)")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead of CSV")
    parser.set_defaults(run=_run_tokenise)


def _add_check_command(commands: argparse._SubParsersAction) -> None:
    """The check subcommand."""
    parser = _command(commands, "check", "Check one seller (or one per row of a ref CSV) against the hub.",
                      f"{IDENTIFIERS_HELP}\n\n"
                      "A ref CSV runs one check per row and prints ref,level,risk,matched_types.\n\n"
                      "examples:\n  hubctl check phone=+8613800138000 store_url=https://shop123456.taobao.com/\n"
                      "  hubctl check --csv sellers.csv --json")
    _add_identifier_arguments(parser, raw_help="send raw values and let the hub tokenise them")
    parser.set_defaults(run=_run_check)


def _add_report_command(commands: argparse._SubParsersAction) -> None:
    """The report subcommand."""
    parser = _command(commands, "report", "Report one infringing seller, with evidence.",
                      f"{IDENTIFIERS_HELP}\n\nA report takes one seller: TYPE=VALUE arguments or a type,value CSV.\n\n"
                      "example:\n  hubctl report phone=+8613800138000 --ip-type trademark --category counterfeit \\\n"
                      "    --verification-level rights_owner_verified --statement-file statement.txt \\\n"
                      "    --evidence order.pdf --evidence photo.jpg")
    _add_identifier_arguments(parser, raw_help="send raw values (the hub seals them) instead of tokens only")
    parser.add_argument("--ip-type", required=True, choices=IP_TYPES, help="the right infringed")
    parser.add_argument("--category", required=True, choices=CATEGORIES, help="the kind of infringement")
    parser.add_argument("--verification-level", required=True, choices=VERIFICATION_LEVELS,
                        help="how the infringement was established")
    statement = parser.add_mutually_exclusive_group(required=True)
    statement.add_argument("--statement", metavar="TEXT", help="what you found, in your words")
    statement.add_argument("--statement-file", metavar="FILE", help="read the statement from FILE ('-' for stdin)")
    parser.add_argument("--evidence", metavar="FILE", action="append", default=[],
                        help="attach an evidence file (repeatable)")
    parser.set_defaults(run=_run_report)


def _add_watch_command(commands: argparse._SubParsersAction) -> None:
    """The watch subcommand."""
    parser = _command(commands, "watch", "Watch your own seller: get a webhook when it is linked to a reported subject.",
                      f"{IDENTIFIERS_HELP}\n\nA ref CSV watches one seller per row under its ref.\n\n"
                      "examples:\n  hubctl watch --ref seller-77 store_url=https://mall.jd.com/index-1000004123.html "
                      "bank_account=DE89370400440532013000\n  hubctl watch --csv sellers.csv")
    _add_identifier_arguments(parser, raw_help="send raw values and let the hub tokenise them")
    parser.add_argument("--ref", help="your own reference for the seller (required without a ref CSV)")
    parser.set_defaults(run=_run_watch)


def _add_report_status_command(commands: argparse._SubParsersAction) -> None:
    """The report-status subcommand."""
    parser = _command(commands, "report-status", "Show one of your organisation's reports.",
                      "example:\n  hubctl report-status 0b9c6a1e-4f7e-4a51-9d5e-0d3c2b1a9f88")
    parser.add_argument("report_id", metavar="REPORT_ID", help="the report's id, as printed by 'hubctl report'")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_report_status)


def _add_register_key_command(commands: argparse._SubParsersAction) -> None:
    """The register-key subcommand (court clerks)."""
    parser = _command(commands, "register-key", "Register your court's X25519 public key for disclosure packages.",
                      "The key file is PEM: a PKCS#8 private key (only its public half is sent) or a public key.\n"
                      f"An encrypted private key is opened with the password in ${package.KEY_PASSWORD_VARIABLE}.\n\n"
                      "example (make a key with OpenSSL, keep court.pem offline and private):\n"
                      "  openssl genpkey -algorithm X25519 -out court.pem\n"
                      "  hubctl register-key --key court.pem")
    parser.add_argument("--key", required=True, metavar="PEM", help="the court's X25519 key file (private or public)")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_register_key)


def _add_disclosure_request_command(commands: argparse._SubParsersAction) -> None:
    """The disclosure-request subcommand (court clerks)."""
    parser = _command(commands, "disclosure-request", "File a court order for disclosure of restricted report data.",
                      "Name at least one report, subject, token or identifier. Identifiers are sent raw;\n"
                      "the hub keeps only their tokens. Two operator disclosure officers must approve.\n\n"
                      "example:\n  hubctl disclosure-request --case-number '(2026) Hu 0115 Min Chu 1234' \\\n"
                      "    --issuing-court \"Shanghai Pudong New Area People's Court\" --legal-basis 'CPL art. 67' \\\n"
                      "    --report 0b9c6a1e-4f7e-4a51-9d5e-0d3c2b1a9f88 --fields identifiers,statement,evidence \\\n"
                      "    --deadline 2026-09-30T17:00:00+08:00 --order-document order.pdf")
    parser.add_argument("--case-number", required=True, help="the case number of the order")
    parser.add_argument("--issuing-court", required=True, help="the court that issued the order")
    parser.add_argument("--legal-basis", required=True, help="the legal basis of the order")
    parser.add_argument("--report", metavar="ID", nargs="+", action="extend", default=[], help="a report in scope")
    parser.add_argument("--subject", metavar="ID", nargs="+", action="extend", default=[], help="a subject in scope")
    parser.add_argument("--token", metavar="HEX", nargs="+", action="extend", default=[], help="a token in scope")
    parser.add_argument("--identifier", metavar="TYPE=VALUE", nargs="+", action="extend", default=[],
                        help=f"an identifier in scope (types: {KNOWN_TYPES})")
    parser.add_argument("--fields", required=True, metavar="LIST", type=_fields,
                        help=f"comma-separated fields to disclose: {','.join(DISCLOSURE_FIELDS)}")
    parser.add_argument("--deadline", required=True, metavar="ISO", type=_deadline,
                        help="ISO 8601 date and time (local time when no offset is given)")
    parser.add_argument("--order-document", required=True, metavar="FILE", help="the signed order (e.g. a PDF)")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_disclosure_request)


def _add_disclosure_status_command(commands: argparse._SubParsersAction) -> None:
    """The disclosure-status subcommand."""
    parser = _command(commands, "disclosure-status", "Show one disclosure request and its state.",
                      "statuses: submitted, under_review, approved, package_ready, delivered, rejected, ...\n\n"
                      "example:\n  hubctl disclosure-status 5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c")
    parser.add_argument("request_id", metavar="ID", help="the disclosure request's id")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_disclosure_status)


def _add_disclosure_approve_command(commands: argparse._SubParsersAction) -> None:
    """The disclosure-approve subcommand (operator disclosure officers)."""
    parser = _command(commands, "disclosure-approve", "Approve a disclosure request (disclosure officers).",
                      "The second distinct officer's approval approves the order; the hub then builds the package.\n\n"
                      "example:\n  hubctl disclosure-approve 5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c")
    parser.add_argument("request_id", metavar="ID", help="the disclosure request's id")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_disclosure_approve)


def _add_download_package_command(commands: argparse._SubParsersAction) -> None:
    """The download-package subcommand (court clerks)."""
    parser = _command(commands, "download-package", "Download a disclosure package, still sealed, to a file.",
                      "Each download counts against the order's maximum; the file is saved exactly as sent.\n\n"
                      "example:\n  hubctl download-package 5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c --out package.json")
    parser.add_argument("request_id", metavar="ID", help="the disclosure request's id")
    parser.add_argument("--out", required=True, metavar="FILE", help="where to save the package")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(run=_run_download_package)


def _add_verify_package_command(commands: argparse._SubParsersAction) -> None:
    """The verify-package subcommand (offline, but for fetching the hub's key)."""
    parser = _command(commands, "verify-package", "Decrypt and verify a disclosure package; optionally unpack it.",
                      "Checks the hub's Ed25519 signature and every file against the signed manifest.\n"
                      "Without --hub-key the hub's key is fetched from GET /api/v1/keys (no API key needed);\n"
                      "give --hub-key (from a trusted source) to verify fully offline.\n"
                      f"An encrypted private key is opened with the password in ${package.KEY_PASSWORD_VARIABLE}.\n\n"
                      "exit status: 0 verified (and unpacked whole), 1 does not verify (or a file name would\n"
                      "leave DIR and was not written), 2 bad usage (missing file, unusable key)\n\n"
                      "example:\n  hubctl verify-package package.json --key court.pem --out disclosed/")
    parser.add_argument("package_file", metavar="PACKAGE_FILE", help="the package, as saved by download-package")
    parser.add_argument("--key", required=True, metavar="PEM", help="the court's X25519 private key (PKCS#8 PEM)")
    parser.add_argument("--hub-key", metavar="HEX", help="the hub's Ed25519 public key (64 hex digits)")
    parser.add_argument("--out", metavar="DIR", help="write the package's files into DIR")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(run=_run_verify_package)


AUDIT_EPILOG = """\
The hub's audit log is an RFC 9162 Merkle tree of its events; the hub signs the tree's size
and root hash into checkpoints (C2SP signed notes). Keep the checkpoints you fetch: an inclusion
proof shows that an event is in a checkpoint's tree, a consistency proof that a newer checkpoint
extends an older one, i.e. that no event recorded before the older one was changed or removed.

Fetching needs an API key with the audit scope (operator or auditor members). Checking is done
here; the hub's Ed25519 key is --hub-key (64 hex digits, from a trusted source) or, without it,
fetched from GET /api/v1/keys. With --hub-key and --proof files nothing is fetched at all.

exit status: 0 verified, 1 does not verify (or the hub failed), 2 bad usage

workflow:
  hubctl audit checkpoint --save monday.note
  hubctl audit checkpoint --save friday.note
  hubctl audit verify-consistency --old monday.note --new friday.note
  hubctl audit verify-inclusion --checkpoint friday.note --index 1234 --leaf-hash HEX"""


def _add_audit_command(commands: argparse._SubParsersAction) -> None:
    """The audit command and its subcommands (operators, auditors)."""
    parser = _command(commands, "audit", "Verify the hub's audit log: signed checkpoints and Merkle proofs.",
                      AUDIT_EPILOG + "\n\nRun 'hubctl audit COMMAND --help' for a command's options.")
    audit_commands = parser.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    _add_audit_checkpoint_command(audit_commands)
    _add_audit_verify_inclusion_command(audit_commands)
    _add_audit_verify_consistency_command(audit_commands)
    _add_audit_proof_command(audit_commands)


def _add_verifier_options(parser: argparse.ArgumentParser) -> None:
    """--hub-key and --json, common to the audit subcommands that verify."""
    parser.add_argument("--hub-key", metavar="HEX",
                        help="the hub's Ed25519 public key, 64 hex digits (default: fetched from GET /api/v1/keys)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")


def _add_audit_checkpoint_command(commands: argparse._SubParsersAction) -> None:
    """The audit checkpoint subcommand."""
    parser = _command(commands, "checkpoint", "Fetch the latest signed checkpoint, verify it and save it.",
                      "The note is saved exactly as the hub signed it, only when its signature verifies;\n"
                      "later proofs are checked against it.\n\n"
                      "exit status: 0 verified and saved, 1 does not verify (nothing saved) or the hub failed,\n"
                      "2 bad usage\n\n"
                      "example:\n  hubctl audit checkpoint --save checkpoints/2026-04-12.note --hub-key HEX")
    parser.add_argument("--save", required=True, metavar="FILE", help="save the signed note to FILE")
    _add_verifier_options(parser)
    parser.set_defaults(run=_run_audit_checkpoint)


def _add_audit_verify_inclusion_command(commands: argparse._SubParsersAction) -> None:
    """The audit verify-inclusion subcommand."""
    parser = _command(commands, "verify-inclusion", "Prove that an event is in a saved checkpoint's tree.",
                      "Verifies the note's signature, then an RFC 9162 inclusion proof of event INDEX (its seq\n"
                      "in GET /api/v1/audit, from 0) against the note's root hash. The proof is fetched for the\n"
                      "note's size, or read from --proof (saved by 'hubctl audit proof --index I --size N').\n"
                      "--leaf-hash (the event's leaf_hash) requires the proof to be of that very event.\n\n"
                      "exit status: 0 included, 1 not included or does not verify (or the hub failed), 2 bad usage\n\n"
                      "example:\n  hubctl audit verify-inclusion --checkpoint friday.note --index 1234 --leaf-hash HEX")
    parser.add_argument("--checkpoint", required=True, metavar="FILE", help="a note saved by 'hubctl audit checkpoint'")
    parser.add_argument("--index", required=True, metavar="I", type=_natural, help="the event's position (seq), from 0")
    parser.add_argument("--leaf-hash", metavar="HEX", type=_leaf_hash, help="the event's leaf hash, 64 hex digits")
    parser.add_argument("--proof", metavar="FILE", help="read the proof from FILE instead of fetching it")
    _add_verifier_options(parser)
    parser.set_defaults(run=_run_audit_verify_inclusion)


def _add_audit_verify_consistency_command(commands: argparse._SubParsersAction) -> None:
    """The audit verify-consistency subcommand."""
    parser = _command(commands, "verify-consistency", "Prove that a newer checkpoint extends an older one.",
                      "Verifies both notes' signatures, then an RFC 9162 consistency proof between their sizes:\n"
                      "the newer tree must start with exactly the older one's events. The proof is fetched, or\n"
                      "read from --proof (saved by 'hubctl audit proof --first M --second N').\n\n"
                      "exit status: 0 consistent, 1 not consistent (history was rewritten) or does not verify\n"
                      "(or the hub failed), 2 bad usage\n\n"
                      "example:\n  hubctl audit verify-consistency --old monday.note --new friday.note")
    parser.add_argument("--old", required=True, metavar="FILE", help="the older saved note")
    parser.add_argument("--new", required=True, metavar="FILE", help="the newer saved note")
    parser.add_argument("--proof", metavar="FILE", help="read the proof from FILE instead of fetching it")
    _add_verifier_options(parser)
    parser.set_defaults(run=_run_audit_verify_consistency)


def _add_audit_proof_command(commands: argparse._SubParsersAction) -> None:
    """The audit proof subcommand."""
    parser = _command(commands, "proof", "Save an inclusion or a consistency proof for offline verification.",
                      "--index I --size N: the inclusion proof of event I in the tree of the first N events;\n"
                      "--first M --second N: the consistency proof between the trees of sizes M and N.\n"
                      "The file is the hub's JSON answer with the positions it was made for.\n\n"
                      "examples:\n  hubctl audit proof --index 1234 --size 5000 --out event-1234.proof.json\n"
                      "  hubctl audit proof --first 4000 --second 5000 --out 4000-5000.proof.json")
    parser.add_argument("--index", metavar="I", type=_natural, help="the event's position (seq), from 0")
    parser.add_argument("--size", metavar="N", type=_positive, help="the size of the tree the event is proven in")
    parser.add_argument("--first", metavar="M", type=_positive, help="the older tree's size")
    parser.add_argument("--second", metavar="N", type=_positive, help="the newer tree's size")
    parser.add_argument("--out", required=True, metavar="FILE", help="save the proof to FILE")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(run=_run_audit_proof)


def _natural(text: str) -> int:
    """argparse type of a position: a whole number from 0."""
    if not re.fullmatch(r"[0-9]{1,19}", text.strip()):
        raise argparse.ArgumentTypeError("give a whole number from 0")
    return int(text)


def _positive(text: str) -> int:
    """argparse type of a tree size: a whole number from 1."""
    if not re.fullmatch(r"[0-9]{1,19}", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError("give a whole number from 1")
    return int(text)


def _leaf_hash(text: str) -> bytes:
    """argparse type of --leaf-hash: a SHA-256 hash as 64 hexadecimal digits."""
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text.strip()):
        raise argparse.ArgumentTypeError("give the event's leaf hash as 64 hexadecimal digits")
    return bytes.fromhex(text.strip())


def _fields(text: str) -> list[str]:
    """argparse type of --fields: known field names, comma-separated."""
    fields = sorted({part.strip().lower() for part in text.split(",") if part.strip()})
    unknown = [field for field in fields if field not in DISCLOSURE_FIELDS]
    if not fields or unknown:
        raise argparse.ArgumentTypeError(f"give a comma-separated list of {', '.join(DISCLOSURE_FIELDS)}")
    return fields


def _deadline(text: str) -> str:
    """argparse type of --deadline: an ISO 8601 date and time, local time without an offset."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("give an ISO 8601 date and time, e.g. 2026-09-30T17:00:00+08:00") from None
    return (moment if moment.tzinfo else moment.astimezone()).isoformat()


def _country(text: str) -> str:
    """argparse type of --country: two letters, upper-cased."""
    if not re.fullmatch(r"[A-Za-z]{2}", text.strip()):
        raise argparse.ArgumentTypeError("give a two-letter ISO 3166-1 code, e.g. CN")
    return text.strip().upper()


# -- commands -------------------------------------------------------------------------------


def _run_tokenise(args: argparse.Namespace) -> int:
    """Print the tokens of every identifier given, derived in one oblivious batch."""
    given = _sellers(args)
    client = _client(args)
    merged = _merged(given.sellers)
    tokens = _explained(merged, lambda: client.tokenise(merged.identifiers, default_country=args.country))
    refs = [seller.ref for seller in given.sellers for _ in seller.identifiers]
    if given.wide:
        tokens = [{"ref": ref, **token} for ref, token in zip(refs, tokens)]
    print(output.as_json(tokens) if args.json else output.tokens_csv(tokens, with_ref=given.wide))
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    """Check one seller, or each row of a ref CSV."""
    given = _sellers(args)
    client = _client(args)
    if not given.wide:
        seller = given.sellers[0]
        result = _explained(seller, lambda: client.check(seller.identifiers, raw=args.raw,
                                                         default_country=args.country))
        print(output.as_json(result) if args.json else output.check_text(result))
        return EXIT_OK
    results = _check_rows(client, given.sellers, raw=args.raw, country=args.country)
    if args.json:
        print(output.as_json([{"ref": ref, **result} for ref, result in results]))
    else:
        print(output.checks_csv(results))
    return EXIT_OK


def _check_rows(client: HubClient, sellers: list[Seller], *, raw: bool,
                country: str | None) -> list[tuple[str | None, dict]]:
    """One check per seller; every row is validated (and, tokens-only, tokenised) before the first check."""
    merged = _merged(sellers)
    if raw:
        _explained(merged, lambda: client.canonicalise(merged.identifiers, default_country=country))
        items = [None] * len(sellers)
    else:
        tokens = _explained(merged, lambda: client.tokenise(merged.identifiers, default_country=country))
        items = _split(tokens, [len(seller.identifiers) for seller in sellers])
    results = []
    for seller, tokens_of_seller in zip(sellers, items):
        try:
            result = (client.check(seller.identifiers, raw=True, default_country=country) if raw
                      else client.check_tokens(tokens_of_seller))
        except HubError:
            print(f"hubctl: the check of the seller at {seller.labels[0]} failed", file=sys.stderr)
            raise
        results.append((seller.ref, result))
    return results


def _run_report(args: argparse.Namespace) -> int:
    """Submit one report; print its id and status."""
    given = _sellers(args)
    if given.wide:
        raise InputError("a report takes one seller: give TYPE=VALUE arguments or a type,value CSV.")
    statement = _statement(args)
    missing = [path for path in args.evidence if not Path(path).is_file()]
    if missing:
        raise InputError(f"evidence file not found or not a file: {missing[0]}")
    client = _client(args)
    seller = given.sellers[0]
    report = _explained(seller, lambda: client.report(
        seller.identifiers, ip_type=args.ip_type, category=args.category, verification_level=args.verification_level,
        statement=statement, evidence_paths=args.evidence, raw=args.raw, default_country=args.country))
    print(output.as_json(report) if args.json else output.report_text(report, tokens_only=not args.raw))
    return EXIT_OK


def _run_watch(args: argparse.Namespace) -> int:
    """Put each seller on the organisation's watchlist; print how many entries the hub keeps."""
    given = _sellers(args)
    if not given.wide and not args.ref:
        raise InputError("give --ref (your reference for the seller), or a CSV with a ref column.")
    client = _client(args)
    answers = []
    for seller in given.sellers:
        ref = seller.ref or args.ref
        answers.append(_explained(seller, lambda: client.watch(seller.identifiers, ref=ref, raw=args.raw,
                                                               default_country=args.country)))
    if args.json:
        print(output.as_json(answers))
    else:
        print(f"watching {len(given.sellers)} seller(s): {sum(len(a.get('entries', [])) for a in answers)} identifiers")
    return EXIT_OK


def _run_report_status(args: argparse.Namespace) -> int:
    """Print one report."""
    client = _client(args)
    try:
        report = client.report_get(args.report_id)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    print(output.as_json(report) if args.json else output.report_text(report))
    return EXIT_OK


def _run_register_key(args: argparse.Namespace) -> int:
    """Register the public half of the court's key."""
    public_key = package.public_key_load(args.key)
    organisation = _client(args).encryption_key_set(public_key)
    if args.json:
        print(output.as_json(organisation))
    else:
        print(f"registered X25519 public key {public_key.hex()} for {organisation.get('name')}")
    return EXIT_OK


def _run_disclosure_request(args: argparse.Namespace) -> int:
    """File a disclosure request; print it."""
    if not Path(args.order_document).is_file():
        raise InputError(f"order document not found or not a file: {args.order_document}")
    if not (args.report or args.subject or args.token or args.identifier):
        raise InputError("name at least one --report, --subject, --token or --identifier.")
    seller = seller_from_pairs(args.identifier) if args.identifier else Seller()
    client = _client(args)
    scope = _explained(seller, lambda: _local(lambda: client.disclosure_scope(
        fields=args.fields, reports=args.report, subjects=args.subject, tokens=args.token,
        identifiers=seller.identifiers, default_country=args.country)))
    created = client.disclosure_request(case_number=args.case_number, issuing_court=args.issuing_court,
                                        legal_basis=args.legal_basis, scope=scope, deadline=args.deadline,
                                        order_document=args.order_document)
    print(output.as_json(created) if args.json else output.disclosure_text(created))
    return EXIT_OK


def _run_disclosure_status(args: argparse.Namespace) -> int:
    """Print one disclosure request."""
    client = _client(args)
    found = _local(lambda: client.disclosure_get(args.request_id))
    print(output.as_json(found) if args.json else output.disclosure_text(found))
    return EXIT_OK


def _run_disclosure_approve(args: argparse.Namespace) -> int:
    """Approve a disclosure request; print its new state."""
    client = _client(args)
    approved = _local(lambda: client.disclosure_approve(args.request_id))
    print(output.as_json(approved) if args.json else output.disclosure_text(approved))
    return EXIT_OK


def _run_download_package(args: argparse.Namespace) -> int:
    """Download the sealed package and save it exactly as sent."""
    target = _out_file(args.out, "--out")
    client = _client(args)
    envelope = _local(lambda: client.package_download(args.request_id))
    _save_private(target, envelope)
    summary = {"request": args.request_id, "file": str(target), "bytes": len(envelope),
               "sha256": hashlib.sha256(envelope).hexdigest()}
    print(output.as_json(summary) if args.json else
          f"saved the package of request {args.request_id} ({len(envelope)} bytes) to {target}\n"
          f"verify it with: hubctl verify-package {target} --key COURT_KEY.pem")
    return EXIT_OK


def _run_verify_package(args: argparse.Namespace) -> int:
    """Verify a package, print its summary, and unpack it into --out if given."""
    envelope = package.package_read(args.package_file)
    court_key = package.private_key_load(args.key)
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise InputError(f"--out must name a directory: {args.out}")
    hub_key, source = _hub_key(args)
    try:
        opened = package.package_verify(envelope, court_key=court_key, hub_key=hub_key)
    except package.PackageError as exc:
        if args.json:
            print(output.as_json({"valid": False, "error": str(exc)}))
        print(f"hubctl: the package does not verify: {exc}", file=sys.stderr)
        return EXIT_INVALID
    summary = {**opened.summary(), "hub_key": hub_key.hex(), "hub_key_source": source}
    refused: list[str] = []
    if args.out:
        written, refused = package.package_write(opened.files, args.out)
        summary |= {"written_to": args.out, "written": written, "refused": refused}
    print(output.as_json(summary) if args.json else output.package_text(summary))
    for name in refused:
        print(f"hubctl: refused to write {name!r}: the name would leave {args.out}", file=sys.stderr)
    return EXIT_INVALID if refused else EXIT_OK


def _run_audit_checkpoint(args: argparse.Namespace) -> int:
    """Fetch the latest checkpoint, verify its note, save the note exactly as signed."""
    target = _out_file(args.save, "--save")
    client = _client(args)
    hub_key, source = _hub_key(args)
    answer = client.audit_checkpoint_latest()
    note = answer.get("note")
    if not isinstance(note, str):
        raise HubError(None, "bad_response", "The hub's checkpoint answer holds no note.")
    try:
        checkpoint = audit.checkpoint_verify(note.encode("utf-8"), hub_key, "the hub's latest checkpoint")
        audit.checkpoint_matches(answer, checkpoint)
    except audit.AuditError as exc:
        return _unverified(args, "the checkpoint does not verify and was not saved", exc)
    _save_private(target, note.encode("utf-8"), "the checkpoint")
    summary = {"valid": True, **checkpoint.summary(), "saved_to": str(target),
               "hub_key": hub_key.hex(), "hub_key_source": source}
    print(output.as_json(summary) if args.json else output.checkpoint_text(summary))
    return EXIT_OK


def _run_audit_verify_inclusion(args: argparse.Namespace) -> int:
    """Verify a saved checkpoint, then that event --index is in its tree."""
    note = audit.file_read(args.checkpoint, "checkpoint")
    saved = audit.file_read(args.proof, "proof file") if args.proof else None
    client = None if args.proof else _client(args)
    hub_key, source = _hub_key(args)
    try:
        checkpoint = audit.checkpoint_verify(note, hub_key, args.checkpoint)
        audit.index_within(checkpoint, args.index)
        answer = (audit.proof_parse(saved, {"index": args.index, "size": checkpoint.size}) if saved is not None
                  else client.audit_inclusion_proof(args.index, checkpoint.size))
        leaf = audit.inclusion_verify(checkpoint, args.index, answer, args.leaf_hash)
    except audit.AuditError as exc:
        return _unverified(args, "not included", exc)
    summary = {"valid": True, "included": True, "index": args.index, "leaf_hash": leaf.hex(),
               "checkpoint": args.checkpoint, **checkpoint.summary(), "proof": args.proof or "fetched from the hub",
               "hub_key": hub_key.hex(), "hub_key_source": source}
    print(output.as_json(summary) if args.json else output.inclusion_text(summary))
    return EXIT_OK


def _run_audit_verify_consistency(args: argparse.Namespace) -> int:
    """Verify two saved checkpoints, then that the newer one's tree extends the older one's."""
    notes = audit.file_read(args.old, "checkpoint"), audit.file_read(args.new, "checkpoint")
    saved = audit.file_read(args.proof, "proof file") if args.proof else None
    client = None if args.proof else _client(args)
    hub_key, source = _hub_key(args)
    try:
        old = audit.checkpoint_verify(notes[0], hub_key, f"--old {args.old}")
        new = audit.checkpoint_verify(notes[1], hub_key, f"--new {args.new}")
        audit.consistency_comparable(old, new)
        audit.consistency_verify(old, new, _consistency_answer(client, saved, old, new))
    except audit.AuditError as exc:
        return _unverified(args, "not consistent", exc)
    summary = {"valid": True, "consistent": True, "origin": old.origin,
               "old": {"file": args.old, **old.summary()}, "new": {"file": args.new, **new.summary()},
               "proof": args.proof or "fetched from the hub", "hub_key": hub_key.hex(), "hub_key_source": source}
    print(output.as_json(summary) if args.json else output.consistency_text(summary))
    return EXIT_OK


def _consistency_answer(client: HubClient | None, saved: bytes | None, old: audit.Checkpoint,
                        new: audit.Checkpoint) -> dict:
    """The consistency proof: read from --proof, else fetched (none is needed from an empty or equal tree)."""
    if saved is not None:
        return audit.proof_parse(saved, {"first": old.size, "second": new.size})
    if not audit.consistency_needs_proof(old, new):
        return {"path": []}
    return client.audit_consistency_proof(old.size, new.size)


def _run_audit_proof(args: argparse.Namespace) -> int:
    """Fetch an inclusion or a consistency proof; save it with the positions it was made for."""
    positions = _proof_positions(args)
    target = _out_file(args.out, "--out")
    client = _client(args)
    inclusion = "index" in positions
    answer = (client.audit_inclusion_proof(args.index, args.size) if inclusion
              else client.audit_consistency_proof(args.first, args.second))
    try:
        hashes = audit.proof_hashes(answer)
        proof = {**positions, "leaf_hash": audit.hash_parse(answer.get("leaf_hash")).hex()} if inclusion else positions
    except audit.AuditError as exc:
        raise HubError(None, "bad_response", f"The hub's proof is malformed: {exc}.") from None
    proof = {**proof, "path": [h.hex() for h in hashes]}
    _save_private(target, (output.as_json(proof) + "\n").encode("utf-8"), "the proof")
    summary = {**positions, "hashes": len(hashes), "saved_to": str(target)}
    print(output.as_json(summary) if args.json else output.proof_text(summary))
    return EXIT_OK


def _proof_positions(args: argparse.Namespace) -> dict[str, int]:
    """--index and --size (an inclusion proof) or --first and --second (a consistency proof), checked."""
    kinds = [{"index": args.index, "size": args.size}, {"first": args.first, "second": args.second}]
    given = [kind for kind in kinds if any(value is not None for value in kind.values())]
    if len(given) != 1 or None in given[0].values():
        raise InputError("give --index and --size (an inclusion proof) or --first and --second (a consistency proof).")
    if args.index is not None and args.index >= args.size:
        raise InputError("--index must be below --size (events are numbered from 0).")
    if args.first is not None and args.first > args.second:
        raise InputError("--first must not be larger than --second.")
    return given[0]


# -- helpers --------------------------------------------------------------------------------


def _out_file(path: str, option: str) -> Path:
    """An output file's path: a file in an existing directory, else a usage error naming the option."""
    target = Path(path)
    if target.is_dir() or not target.parent.is_dir():
        raise InputError(f"{option} must name a file in an existing directory: {path}")
    return target


def _unverified(args: argparse.Namespace, verdict: str, exc: audit.AuditError) -> int:
    """Report what did not verify (and {"valid": false} with --json); the exit status 1."""
    if args.json:
        print(output.as_json({"valid": False, "error": str(exc)}))
    print(f"hubctl: {verdict}: {exc}", file=sys.stderr)
    return EXIT_INVALID


def _client(args: argparse.Namespace) -> HubClient:
    """A client from the options, falling back to $HUB_URL and $HUB_API_KEY."""
    api_key = args.api_key or os.environ.get("HUB_API_KEY", "")
    if not api_key:
        raise InputError("no API key: set HUB_API_KEY or pass --api-key.")
    return _local(lambda: HubClient(_hub_url(args), api_key, timeout=args.timeout))


def _hub_url(args: argparse.Namespace) -> str:
    """--hub, else $HUB_URL, else the default."""
    return args.hub or os.environ.get("HUB_URL") or DEFAULT_HUB


def _local(call: Callable[[], T]) -> T:
    """Run a call whose ValueError is bad local input (a malformed id or URL): exit status 2."""
    try:
        return call()
    except IdentifierError:
        raise
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _hub_key(args: argparse.Namespace) -> tuple[bytes, str]:
    """The hub's signing key and where it came from: --hub-key, else the hub's GET /api/v1/keys."""
    if args.hub_key:
        return package.hub_key_parse(args.hub_key), "given with --hub-key"
    url = _hub_url(args)
    key = _local(lambda: hub_signing_key(url, timeout=args.timeout))
    return key, f"fetched from {url.rstrip('/')}/api/v1/keys"


def _save_private(target: Path, data: bytes, what: str = "the package") -> None:
    """Write data to target atomically (a temporary file renamed), readable by its owner only."""
    temporary = None
    try:
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except OSError as exc:
        if temporary:
            Path(temporary).unlink(missing_ok=True)
        raise InputError(f"{what} was downloaded but cannot be saved to {target}: {exc.strerror or exc}") from None


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


def _merged(sellers: list[Seller]) -> Seller:
    """All sellers' identifiers as one labelled list, so one oblivious batch serves them all."""
    merged = Seller()
    for seller in sellers:
        merged.identifiers += seller.identifiers
        merged.labels += seller.labels
    return merged


def _split(items: list[T], sizes: list[int]) -> list[list[T]]:
    """Cut a flat list back into consecutive runs of the given sizes."""
    runs, start = [], 0
    for size in sizes:
        runs.append(items[start:start + size])
        start += size
    return runs


def _explained(seller: Seller, call: Callable[[], T]) -> T:
    """Run a client call, restating local identifier errors with the seller's argument or line labels."""
    try:
        return call()
    except IdentifierError as exc:
        raise seller.explain(exc) from None


def _print_hub_error(exc: HubError) -> None:
    """The hub's message and per-field messages (identifiers are numbered from 0 as given)."""
    print(f"hubctl: hub error: {exc.summary()}", file=sys.stderr)
    for line in exc.field_messages():
        print(f"  {line}", file=sys.stderr)
    if exc.request_id:
        print(f"  request id: {exc.request_id}", file=sys.stderr)

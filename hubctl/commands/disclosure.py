"""Court disclosure commands: register-key, age-identity, disclosure-request, -status, -approve,
download- and verify-package."""

from __future__ import annotations

import argparse
import hashlib
import sys
from datetime import datetime
from pathlib import Path

from hubcore.packages import age_recipient
from hubctl import output, package
from hubctl.commands.base import EXIT_INVALID, EXIT_OK, client_for, command, explained, hub_key_for, local
from hubctl.commands.files import out_file, save_private
from hubctl.inputs import KNOWN_TYPES, InputError, Seller, seller_from_pairs

DISCLOSURE_FIELDS = ("identifiers", "statement", "evidence", "reporter")


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Register register-key, age-identity, the disclosure-* commands, download- and verify-package."""
    _add_register_key_command(commands)
    _add_age_identity_command(commands)
    _add_disclosure_request_command(commands)
    _add_disclosure_status_command(commands)
    _add_disclosure_approve_command(commands)
    _add_download_package_command(commands)
    _add_verify_package_command(commands)


def _add_register_key_command(commands: argparse._SubParsersAction) -> None:
    """The register-key subcommand (court clerks)."""
    parser = command(
        commands,
        "register-key",
        "Register your court's X25519 public key for disclosure packages.",
        "The key file is an age identity (age-keygen's output; only its public half is sent), a file\n"
        "holding an age recipient (age1...), or PEM: a PKCS#8 private key or a public key.\n"
        f"An encrypted PEM private key is opened with the password in ${package.KEY_PASSWORD_VARIABLE}.\n\n"
        "example (make a key with age-keygen, keep court.key offline and private; packages then\n"
        "open with `age -d -i court.key`, see docs/formats.md):\n"
        "  age-keygen -o court.key\n"
        "  hubctl register-key --key court.key",
    )
    parser.add_argument(
        "--key",
        required=True,
        metavar="FILE",
        help="the court's X25519 key: age identity or recipient file, or PEM (private or public)",
    )
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_register_key)


def _add_disclosure_request_command(commands: argparse._SubParsersAction) -> None:
    """The disclosure-request subcommand (court clerks)."""
    parser = command(
        commands,
        "disclosure-request",
        "File a court order for disclosure of restricted report data.",
        "Name at least one report, subject, token or identifier. Identifiers are sent raw;\n"
        "the hub keeps only their tokens. Two operator disclosure officers must approve.\n\n"
        "example:\n  hubctl disclosure-request --case-number '(2026) Hu 0115 Min Chu 1234' \\\n"
        "    --issuing-court \"Shanghai Pudong New Area People's Court\" --legal-basis 'CPL art. 67' \\\n"
        "    --report 0b9c6a1e-4f7e-4a51-9d5e-0d3c2b1a9f88 --fields identifiers,statement,evidence \\\n"
        "    --deadline 2026-09-30T17:00:00+08:00 --order-document order.pdf",
    )
    parser.add_argument("--case-number", required=True, help="the case number of the order")
    parser.add_argument("--issuing-court", required=True, help="the court that issued the order")
    parser.add_argument("--legal-basis", required=True, help="the legal basis of the order")
    parser.add_argument(
        "--report", metavar="ID", nargs="+", action="extend", default=[], help="a report in scope"
    )
    parser.add_argument(
        "--subject", metavar="ID", nargs="+", action="extend", default=[], help="a subject in scope"
    )
    parser.add_argument(
        "--token", metavar="HEX", nargs="+", action="extend", default=[], help="a token in scope"
    )
    parser.add_argument(
        "--identifier",
        metavar="TYPE=VALUE",
        nargs="+",
        action="extend",
        default=[],
        help=f"an identifier in scope (types: {KNOWN_TYPES})",
    )
    parser.add_argument(
        "--fields",
        required=True,
        metavar="LIST",
        type=_fields,
        help=f"comma-separated fields to disclose: {','.join(DISCLOSURE_FIELDS)}",
    )
    parser.add_argument(
        "--deadline",
        required=True,
        metavar="ISO",
        type=_deadline,
        help="ISO 8601 date and time (local time when no offset is given)",
    )
    parser.add_argument(
        "--order-document", required=True, metavar="FILE", help="the signed order (e.g. a PDF)"
    )
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_disclosure_request)


def _add_disclosure_status_command(commands: argparse._SubParsersAction) -> None:
    """The disclosure-status subcommand."""
    parser = command(
        commands,
        "disclosure-status",
        "Show one disclosure request and its state.",
        "statuses: submitted, under_review, approved, package_ready, delivered, rejected, ...\n\n"
        "example:\n  hubctl disclosure-status 5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c",
    )
    parser.add_argument("request_id", metavar="ID", help="the disclosure request's id")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_disclosure_status)


def _add_disclosure_approve_command(commands: argparse._SubParsersAction) -> None:
    """The disclosure-approve subcommand (operator disclosure officers)."""
    parser = command(
        commands,
        "disclosure-approve",
        "Approve a disclosure request (disclosure officers).",
        "The second distinct officer's approval approves the order; the hub then builds the package.\n\n"
        "example:\n  hubctl disclosure-approve 5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c",
    )
    parser.add_argument("request_id", metavar="ID", help="the disclosure request's id")
    parser.add_argument("--json", action="store_true", help="print the hub's JSON answer")
    parser.set_defaults(run=_run_disclosure_approve)


def _add_download_package_command(commands: argparse._SubParsersAction) -> None:
    """The download-package subcommand (court clerks)."""
    parser = command(
        commands,
        "download-package",
        "Download a disclosure package, still sealed, to a file.",
        "Each download counts against the order's maximum; the file is saved exactly as sent.\n\n"
        "example:\n  hubctl download-package 5f0c3b1e-2a8d-4c6e-9b7a-1d2e3f4a5b6c --out package.zip.age",
    )
    parser.add_argument("request_id", metavar="ID", help="the disclosure request's id")
    parser.add_argument("--out", required=True, metavar="FILE", help="where to save the package")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(run=_run_download_package)


def _add_verify_package_command(commands: argparse._SubParsersAction) -> None:
    """The verify-package subcommand (offline, but for fetching the hub's key)."""
    parser = command(
        commands,
        "verify-package",
        "Decrypt and verify a disclosure package; optionally unpack it.",
        "Checks the hub's Ed25519 signature and every file against the signed manifest, for packages\n"
        "of format 2 (age, docs/formats.md) and of the older format 1 (JSON envelopes).\n"
        "Without --hub-key the hub's key is fetched from GET /api/v1/keys (no API key needed)\n"
        "and hubctl warns: that key comes from the hub being verified. Pin it: give --hub-key\n"
        "(from a trusted source) to verify against a key you trust, fully offline.\n"
        f"An encrypted PEM private key is opened with the password in ${package.KEY_PASSWORD_VARIABLE}.\n\n"
        "exit status: 0 verified (and unpacked whole), 1 does not verify (or a file name would\n"
        "leave DIR and was not written), 2 bad usage (missing file, unusable key)\n\n"
        "example:\n  hubctl verify-package package.zip.age --key court.key --out disclosed/",
    )
    parser.add_argument(
        "package_file", metavar="PACKAGE_FILE", help="the package, as saved by download-package"
    )
    parser.add_argument(
        "--key", required=True, metavar="FILE", help="the court's X25519 private key (age identity or PEM)"
    )
    parser.add_argument(
        "--hub-key",
        metavar="KEY",
        help="the hub's Ed25519 public key (64 hex digits or 'ssh-ed25519 AAAA...')",
    )
    parser.add_argument("--out", metavar="DIR", help="write the package's files into DIR")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.set_defaults(run=_run_verify_package)


def _add_age_identity_command(commands: argparse._SubParsersAction) -> None:
    """The age-identity subcommand (offline): a PEM court key in the form the age tool reads."""
    parser = command(
        commands,
        "age-identity",
        "Write the court's PEM X25519 private key as an age identity file (for `age -d -i`).",
        "For courts that registered a PEM key: packages of format 2 are age files that the stock\n"
        "`age` tool opens with this identity file. Offline; the file is written owner-only.\n"
        f"An encrypted PEM key is opened with the password in ${package.KEY_PASSWORD_VARIABLE}.\n\n"
        "example:\n  hubctl age-identity --key court.pem --out court.key",
    )
    parser.add_argument("--key", required=True, metavar="PEM", help="the court's X25519 private key (PEM)")
    parser.add_argument("--out", required=True, metavar="FILE", help="where to write the age identity")
    parser.set_defaults(run=_run_age_identity)


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
        raise argparse.ArgumentTypeError(
            "give an ISO 8601 date and time, e.g. 2026-09-30T17:00:00+08:00"
        ) from None
    return (moment if moment.tzinfo else moment.astimezone()).isoformat()


# -- commands -------------------------------------------------------------------------------


def _run_register_key(args: argparse.Namespace) -> int:
    """Register the public half of the court's key."""
    public_key = package.public_key_load(args.key)
    organisation = client_for(args).encryption_key_set(public_key)
    if args.json:
        print(output.as_json(organisation))
    else:
        print(
            f"registered X25519 public key {public_key.hex()} (age recipient {age_recipient(public_key)}) "
            f"for {organisation.get('name')}"
        )
    return EXIT_OK


def _run_age_identity(args: argparse.Namespace) -> int:
    """Write the court's key as an age identity file."""
    key = package.private_key_load(args.key)
    target = out_file(args.out, "--out")
    package.identity_write(target, key)
    print(f"wrote the age identity of {args.key} to {target}: open packages with age -d -i {target}")
    return EXIT_OK


def _run_disclosure_request(args: argparse.Namespace) -> int:
    """File a disclosure request; print it."""
    if not Path(args.order_document).is_file():
        raise InputError(f"order document not found or not a file: {args.order_document}")
    if not (args.report or args.subject or args.token or args.identifier):
        raise InputError("name at least one --report, --subject, --token or --identifier.")
    seller = seller_from_pairs(args.identifier) if args.identifier else Seller()
    client = client_for(args)
    scope = explained(
        seller,
        lambda: local(
            lambda: client.disclosure_scope(
                fields=args.fields,
                reports=args.report,
                subjects=args.subject,
                tokens=args.token,
                identifiers=seller.identifiers,
                default_country=args.country,
            )
        ),
    )
    created = client.disclosure_request(
        case_number=args.case_number,
        issuing_court=args.issuing_court,
        legal_basis=args.legal_basis,
        scope=scope,
        deadline=args.deadline,
        order_document=args.order_document,
    )
    print(output.as_json(created) if args.json else output.disclosure_text(created))
    return EXIT_OK


def _run_disclosure_status(args: argparse.Namespace) -> int:
    """Print one disclosure request."""
    client = client_for(args)
    found = local(lambda: client.disclosure_get(args.request_id))
    print(output.as_json(found) if args.json else output.disclosure_text(found))
    return EXIT_OK


def _run_disclosure_approve(args: argparse.Namespace) -> int:
    """Approve a disclosure request; print its new state."""
    client = client_for(args)
    approved = local(lambda: client.disclosure_approve(args.request_id))
    print(output.as_json(approved) if args.json else output.disclosure_text(approved))
    return EXIT_OK


def _run_download_package(args: argparse.Namespace) -> int:
    """Download the sealed package and save it exactly as sent."""
    target = out_file(args.out, "--out")
    client = client_for(args)
    envelope = local(lambda: client.package_download(args.request_id))
    save_private(target, envelope)
    summary = {
        "request": args.request_id,
        "file": str(target),
        "bytes": len(envelope),
        "sha256": hashlib.sha256(envelope).hexdigest(),
    }
    print(
        output.as_json(summary)
        if args.json
        else f"saved the package of request {args.request_id} ({len(envelope)} bytes) to {target}\n"
        f"verify it with: hubctl verify-package {target} --key COURT_KEY (or stock tools: docs/formats.md)"
    )
    return EXIT_OK


def _run_verify_package(args: argparse.Namespace) -> int:
    """Verify a package, print its summary, and unpack it into --out if given."""
    envelope = package.package_read(args.package_file)
    court_key = package.private_key_load(args.key)
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise InputError(f"--out must name a directory: {args.out}")
    hub_key, source = hub_key_for(args)
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

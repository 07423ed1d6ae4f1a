"""What every subcommand shares: its parser's connection options, the client they make, exit statuses."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from typing import TypeVar

from hubctl import package
from hubctl.client import HubClient, hub_signing_key
from hubctl.errors import IdentifierError
from hubctl.inputs import InputError, Seller

DEFAULT_HUB = "http://127.0.0.1:8000"
EXIT_OK, EXIT_HUB, EXIT_USAGE = 0, 1, 2
EXIT_INVALID = 1  # a package or an audit proof that does not verify, or a package not unpacked whole

T = TypeVar("T")


def add_connection_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """--hub, --api-key, --country, --timeout; on subcommands too, so they may follow the command."""
    # A subcommand's default would overwrite a value given before the command; SUPPRESS keeps it.
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("hub connection")
    group.add_argument(
        "--hub", metavar="URL", default=default, help=f"hub base URL (default: $HUB_URL or {DEFAULT_HUB})"
    )
    group.add_argument(
        "--api-key",
        metavar="KEY",
        default=default,
        help="your API key (default: $HUB_API_KEY; prefer the variable, arguments show in ps)",
    )
    group.add_argument(
        "--country",
        metavar="CC",
        type=_country,
        default=default,
        help="ISO 3166-1 country for identifiers without one (default: your organisation's)",
    )
    group.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=argparse.SUPPRESS if suppress else 30.0,
        help="network timeout per request (default: 30)",
    )


def command(
    commands: argparse._SubParsersAction, name: str, summary: str, epilog: str
) -> argparse.ArgumentParser:
    """A subcommand parser that keeps the layout of its description and examples."""
    parser = commands.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_options(parser, suppress=True)
    return parser


def _country(text: str) -> str:
    """argparse type of --country: two letters, upper-cased."""
    if not re.fullmatch(r"[A-Za-z]{2}", text.strip()):
        raise argparse.ArgumentTypeError("give a two-letter ISO 3166-1 code, e.g. CN")
    return text.strip().upper()


def client_for(args: argparse.Namespace) -> HubClient:
    """A client from the options, falling back to $HUB_URL and $HUB_API_KEY."""
    api_key = args.api_key or os.environ.get("HUB_API_KEY", "")
    if not api_key:
        raise InputError("no API key: set HUB_API_KEY or pass --api-key.")
    return local(lambda: HubClient(_hub_url(args), api_key, timeout=args.timeout))


def _hub_url(args: argparse.Namespace) -> str:
    """--hub, else $HUB_URL, else the default."""
    return args.hub or os.environ.get("HUB_URL") or DEFAULT_HUB


def hub_key_for(args: argparse.Namespace) -> tuple[bytes, str]:
    """The hub's signing key and where it came from: --hub-key, else the hub's GET /api/v1/keys."""
    if args.hub_key:
        return package.hub_key_parse(args.hub_key), "given with --hub-key"
    url = _hub_url(args)
    key = local(lambda: hub_signing_key(url, timeout=args.timeout))
    source = f"fetched from {url.rstrip('/')}/api/v1/keys"
    print(unpinned_key_warning(source, key), file=sys.stderr)
    return key, source


def unpinned_key_warning(source: str, key: bytes) -> str:
    """Why a key fetched from the hub proves less than a pinned one, and how to pin it."""
    return (
        f"hubctl: warning: the hub's signing key was {source}, from the very hub whose signature is being\n"
        "  checked: a hub (or anyone between you and it) that forged the signature can serve its own key.\n"
        f"  Pin the key instead: compare {key.hex()} with the hub's key from a trusted source\n"
        "  (the operator, a published fingerprint) and pass it as --hub-key HEX."
    )


def local(call: Callable[[], T]) -> T:
    """Run a call whose ValueError is bad local input (a malformed id or URL): exit status 2."""
    try:
        return call()
    except IdentifierError:
        raise
    except ValueError as exc:
        raise InputError(str(exc)) from None


def explained(seller: Seller, call: Callable[[], T]) -> T:
    """Run a client call, restating local identifier errors with the seller's argument or line labels."""
    try:
        return call()
    except IdentifierError as exc:
        raise seller.explain(exc) from None


PURPOSE_HELP = (
    "why you access the data (required): a purpose your organisation's kind and membership agreement allow, "
    "e.g. seller_onboarding, listing_review, parcel_screening, payment_screening, investigation, "
    "enforcement_action; the hub's refusal names those you may state"
)


def add_purpose_argument(parser: argparse.ArgumentParser) -> None:
    """--purpose, required by every check, bulk job, watch and feed pull (the hub's purpose limitation)."""
    parser.add_argument("--purpose", required=True, metavar="PURPOSE", help=PURPOSE_HELP)

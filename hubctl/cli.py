"""The hubctl command: tokenise, check and report sellers, by default without showing the hub a raw value.

Exit status: 0 done, 1 the hub refused or could not be reached (or a package does not verify),
2 bad usage or input.
"""

from __future__ import annotations

import argparse
import sys

from hubctl.commands import audit, bulk, disclosure, feed, parcels, sales_totals, sellers, transparency
from hubctl.commands.base import EXIT_HUB, EXIT_USAGE, add_connection_options
from hubctl.errors import HubError
from hubctl.inputs import InputError

DESCRIPTION = """\
Client of the Infringer Intelligence Hub.

By default hubctl never shows the hub a raw identifier: it normalises each value
locally, blinds it, has the hub evaluate only the blinded element (RFC 9497 OPRF),
finalises the token locally and sends checks and reports as tokens. --raw sends
raw values instead and lets the hub tokenise them; both give the same tokens."""


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
    parser = argparse.ArgumentParser(
        prog="hubctl",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run 'hubctl COMMAND --help' for a command's options.",
    )
    add_connection_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # The order of registration is the order of `hubctl --help`.
    for area in (sellers, parcels, disclosure, audit, bulk, feed, sales_totals, transparency):
        area.add_commands(commands)
    return parser


def _print_hub_error(exc: HubError) -> None:
    """The hub's message and per-field messages (identifiers are numbered from 0 as given)."""
    print(f"hubctl: hub error: {exc.summary()}", file=sys.stderr)
    for line in exc.field_messages():
        print(f"  {line}", file=sys.stderr)
    if exc.request_id:
        print(f"  request id: {exc.request_id}", file=sys.stderr)

"""The transparency command: check a quarterly transparency report against the hub's signing key."""

from __future__ import annotations

import argparse
import json
import urllib.parse
from pathlib import Path

from hubcore.transparency import TransparencyError, signature_verify
from hubctl.client.transport import checked_base_url, exchange, http_client
from hubctl.commands.base import EXIT_INVALID, EXIT_OK, command, hub_key_for, local
from hubctl.inputs import InputError

TRANSPARENCY_EPILOG = """\
The hub publishes a report per quarter at /transparency/YYYY-Qn/ (public, no API key): a JSON
document (YYYY-Qn.json) and its detached signature (YYYY-Qn.json.sig), a signed note made with the
hub's Ed25519 key, the key that signs its audit checkpoints. `verify` checks that the signature is
the hub's, over exactly this document, for the period and hub the document names.

The key is --hub-key (64 hex digits, from a trusted source) or, without it, fetched from the hub's
GET /api/v1/keys (--hub, else the host of a URL given).

exit status: 0 verified, 1 does not verify (or the hub could not be reached), 2 bad usage

examples:
  hubctl transparency verify https://hub.example.org/transparency/2026-Q3.json
  hubctl transparency verify transparency-2026-Q3.json --signature transparency-2026-Q3.json.sig --hub-key HEX"""


def add_commands(commands: argparse._SubParsersAction) -> None:
    parser = command(
        commands, "transparency", "Check the hub's signed transparency reports.", TRANSPARENCY_EPILOG
    )
    transparency_commands = parser.add_subparsers(
        dest="transparency_command", metavar="COMMAND", required=True
    )
    verify = command(
        transparency_commands,
        "verify",
        "Verify a transparency report's signature with the hub's key.",
        TRANSPARENCY_EPILOG,
    )
    verify.add_argument(
        "document", metavar="FILE_OR_URL", help="the report's JSON document: a file or its URL"
    )
    verify.add_argument(
        "--signature", metavar="FILE_OR_URL", help="its signature (default: the document's name + .sig)"
    )
    verify.add_argument(
        "--hub-key",
        metavar="HEX",
        help="the hub's Ed25519 public key, 64 hex digits (default: fetched from GET /api/v1/keys)",
    )
    verify.add_argument(
        "--draft",
        action="store_true",
        help="accept an operator's draft of a running quarter (refused otherwise: it is not the published report)",
    )
    verify.set_defaults(run=_run_verify)


def _is_url(text: str) -> bool:
    return urllib.parse.urlsplit(text).scheme in ("http", "https")


def _fetched(url: str, timeout: float) -> bytes:
    """A public file of the hub (no API key is sent)."""
    parts = urllib.parse.urlsplit(url)
    base = local(lambda: checked_base_url(f"{parts.scheme}://{parts.netloc}"))
    with http_client() as client:
        _, payload = exchange(client, client.build_request("GET", url), timeout, base)
    return payload


def _read(source: str, timeout: float) -> bytes:
    if _is_url(source):
        return _fetched(source, timeout)
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror or exc}") from None


def _run_verify(args: argparse.Namespace) -> int:
    document = _read(args.document, args.timeout)
    signature_source = args.signature or args.document + ".sig"
    note = _read(signature_source, args.timeout)
    if not args.hub_key and not args.hub and _is_url(args.document):
        parts = urllib.parse.urlsplit(args.document)
        args.hub = f"{parts.scheme}://{parts.netloc}"
    key, source = hub_key_for(args)
    try:
        signed = signature_verify(document, note.decode("utf-8", "replace"), key, draft_allowed=args.draft)
    except TransparencyError as exc:
        print(f"hubctl: does not verify: {exc}")
        return EXIT_INVALID
    status = json.loads(document).get("status", "")
    print(
        f"verified: the {status} transparency report {signed.period} of {signed.origin}, signed by the key {source}"
    )
    return EXIT_OK

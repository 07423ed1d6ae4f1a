"""The audit command: fetch the hub's signed checkpoints and Merkle proofs, and verify them here."""

from __future__ import annotations

import argparse
import re
import sys

from hubcore.checkpoints import Checkpoint
from hubctl import audit, output
from hubctl.client import HubClient
from hubctl.commands.base import EXIT_INVALID, EXIT_OK, client_for, command, hub_key_for
from hubctl.commands.files import out_file, save_private
from hubctl.errors import HubError
from hubctl.inputs import InputError

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


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The audit command and its subcommands (operators, auditors)."""
    parser = command(
        commands,
        "audit",
        "Verify the hub's audit log: signed checkpoints and Merkle proofs.",
        AUDIT_EPILOG + "\n\nRun 'hubctl audit COMMAND --help' for a command's options.",
    )
    audit_commands = parser.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)
    _add_audit_checkpoint_command(audit_commands)
    _add_audit_verify_inclusion_command(audit_commands)
    _add_audit_verify_consistency_command(audit_commands)
    _add_audit_proof_command(audit_commands)


def _add_verifier_options(parser: argparse.ArgumentParser) -> None:
    """--hub-key and --json, common to the audit subcommands that verify."""
    parser.add_argument(
        "--hub-key",
        metavar="HEX",
        help="the hub's Ed25519 public key, 64 hex digits (default: fetched from GET /api/v1/keys)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON summary")


def _add_audit_checkpoint_command(commands: argparse._SubParsersAction) -> None:
    """The audit checkpoint subcommand."""
    parser = command(
        commands,
        "checkpoint",
        "Fetch the latest signed checkpoint, verify it and save it.",
        "The note is saved exactly as the hub signed it, only when its signature verifies;\n"
        "later proofs are checked against it.\n\n"
        "exit status: 0 verified and saved, 1 does not verify (nothing saved) or the hub failed,\n"
        "2 bad usage\n\n"
        "example:\n  hubctl audit checkpoint --save checkpoints/2026-04-12.note --hub-key HEX",
    )
    parser.add_argument("--save", required=True, metavar="FILE", help="save the signed note to FILE")
    _add_verifier_options(parser)
    parser.set_defaults(run=_run_audit_checkpoint)


def _add_audit_verify_inclusion_command(commands: argparse._SubParsersAction) -> None:
    """The audit verify-inclusion subcommand."""
    parser = command(
        commands,
        "verify-inclusion",
        "Prove that an event is in a saved checkpoint's tree.",
        "Verifies the note's signature, then an RFC 9162 inclusion proof of event INDEX (its seq\n"
        "in GET /api/v1/audit, from 0) against the note's root hash. The proof is fetched for the\n"
        "note's size, or read from --proof (saved by 'hubctl audit proof --index I --size N').\n"
        "--leaf-hash (the event's leaf_hash) requires the proof to be of that very event.\n\n"
        "exit status: 0 included, 1 not included or does not verify (or the hub failed), 2 bad usage\n\n"
        "example:\n  hubctl audit verify-inclusion --checkpoint friday.note --index 1234 --leaf-hash HEX",
    )
    parser.add_argument(
        "--checkpoint", required=True, metavar="FILE", help="a note saved by 'hubctl audit checkpoint'"
    )
    parser.add_argument(
        "--index", required=True, metavar="I", type=_natural, help="the event's position (seq), from 0"
    )
    parser.add_argument(
        "--leaf-hash", metavar="HEX", type=_leaf_hash, help="the event's leaf hash, 64 hex digits"
    )
    parser.add_argument("--proof", metavar="FILE", help="read the proof from FILE instead of fetching it")
    _add_verifier_options(parser)
    parser.set_defaults(run=_run_audit_verify_inclusion)


def _add_audit_verify_consistency_command(commands: argparse._SubParsersAction) -> None:
    """The audit verify-consistency subcommand."""
    parser = command(
        commands,
        "verify-consistency",
        "Prove that a newer checkpoint extends an older one.",
        "Verifies both notes' signatures, then an RFC 9162 consistency proof between their sizes:\n"
        "the newer tree must start with exactly the older one's events. The proof is fetched, or\n"
        "read from --proof (saved by 'hubctl audit proof --first M --second N').\n\n"
        "exit status: 0 consistent, 1 not consistent (history was rewritten) or does not verify\n"
        "(or the hub failed), 2 bad usage\n\n"
        "example:\n  hubctl audit verify-consistency --old monday.note --new friday.note",
    )
    parser.add_argument("--old", required=True, metavar="FILE", help="the older saved note")
    parser.add_argument("--new", required=True, metavar="FILE", help="the newer saved note")
    parser.add_argument("--proof", metavar="FILE", help="read the proof from FILE instead of fetching it")
    _add_verifier_options(parser)
    parser.set_defaults(run=_run_audit_verify_consistency)


def _add_audit_proof_command(commands: argparse._SubParsersAction) -> None:
    """The audit proof subcommand."""
    parser = command(
        commands,
        "proof",
        "Save an inclusion or a consistency proof for offline verification.",
        "--index I --size N: the inclusion proof of event I in the tree of the first N events;\n"
        "--first M --second N: the consistency proof between the trees of sizes M and N.\n"
        "The file is the hub's JSON answer with the positions it was made for.\n\n"
        "examples:\n  hubctl audit proof --index 1234 --size 5000 --out event-1234.proof.json\n"
        "  hubctl audit proof --first 4000 --second 5000 --out 4000-5000.proof.json",
    )
    parser.add_argument("--index", metavar="I", type=_natural, help="the event's position (seq), from 0")
    parser.add_argument(
        "--size", metavar="N", type=_positive, help="the size of the tree the event is proven in"
    )
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


# -- commands -------------------------------------------------------------------------------


def _run_audit_checkpoint(args: argparse.Namespace) -> int:
    """Fetch the latest checkpoint, verify its note, save the note exactly as signed."""
    target = out_file(args.save, "--save")
    client = client_for(args)
    hub_key, source = hub_key_for(args)
    answer = client.audit_checkpoint_latest()
    note = answer.get("note")
    if not isinstance(note, str):
        raise HubError(None, "bad_response", "The hub's checkpoint answer holds no note.")
    try:
        checkpoint = audit.checkpoint_verify(note.encode("utf-8"), hub_key, "the hub's latest checkpoint")
        audit.checkpoint_matches(answer, checkpoint)
    except audit.AuditError as exc:
        return _unverified(args, "the checkpoint does not verify and was not saved", exc)
    save_private(target, note.encode("utf-8"), "the checkpoint")
    summary = {
        "valid": True,
        **checkpoint.summary(),
        "saved_to": str(target),
        "hub_key": hub_key.hex(),
        "hub_key_source": source,
    }
    print(output.as_json(summary) if args.json else output.checkpoint_text(summary))
    return EXIT_OK


def _run_audit_verify_inclusion(args: argparse.Namespace) -> int:
    """Verify a saved checkpoint, then that event --index is in its tree."""
    note = audit.file_read(args.checkpoint, "checkpoint")
    saved = audit.file_read(args.proof, "proof file") if args.proof else None
    client = None if args.proof else client_for(args)
    hub_key, source = hub_key_for(args)
    try:
        checkpoint = audit.checkpoint_verify(note, hub_key, args.checkpoint)
        audit.index_within(checkpoint, args.index)
        answer = (
            audit.proof_parse(saved, {"index": args.index, "size": checkpoint.size})
            if saved is not None
            else client.audit_inclusion_proof(args.index, checkpoint.size)
        )
        leaf = audit.inclusion_verify(checkpoint, args.index, answer, args.leaf_hash)
    except audit.AuditError as exc:
        return _unverified(args, "not included", exc)
    summary = {
        "valid": True,
        "included": True,
        "index": args.index,
        "leaf_hash": leaf.hex(),
        "checkpoint": args.checkpoint,
        **checkpoint.summary(),
        "proof": args.proof or "fetched from the hub",
        "hub_key": hub_key.hex(),
        "hub_key_source": source,
    }
    print(output.as_json(summary) if args.json else output.inclusion_text(summary))
    return EXIT_OK


def _run_audit_verify_consistency(args: argparse.Namespace) -> int:
    """Verify two saved checkpoints, then that the newer one's tree extends the older one's."""
    notes = audit.file_read(args.old, "checkpoint"), audit.file_read(args.new, "checkpoint")
    saved = audit.file_read(args.proof, "proof file") if args.proof else None
    client = None if args.proof else client_for(args)
    hub_key, source = hub_key_for(args)
    try:
        old = audit.checkpoint_verify(notes[0], hub_key, f"--old {args.old}")
        new = audit.checkpoint_verify(notes[1], hub_key, f"--new {args.new}")
        audit.consistency_comparable(old, new)
        audit.consistency_verify(old, new, _consistency_answer(client, saved, old, new))
    except audit.AuditError as exc:
        return _unverified(args, "not consistent", exc)
    summary = {
        "valid": True,
        "consistent": True,
        "origin": old.origin,
        "old": {"file": args.old, **old.summary()},
        "new": {"file": args.new, **new.summary()},
        "proof": args.proof or "fetched from the hub",
        "hub_key": hub_key.hex(),
        "hub_key_source": source,
    }
    print(output.as_json(summary) if args.json else output.consistency_text(summary))
    return EXIT_OK


def _consistency_answer(
    client: HubClient | None, saved: bytes | None, old: Checkpoint, new: Checkpoint
) -> dict:
    """The consistency proof: read from --proof, else fetched (none is needed from an empty or equal tree)."""
    if saved is not None:
        return audit.proof_parse(saved, {"first": old.size, "second": new.size})
    if not audit.consistency_needs_proof(old, new):
        return {"path": []}
    return client.audit_consistency_proof(old.size, new.size)


def _run_audit_proof(args: argparse.Namespace) -> int:
    """Fetch an inclusion or a consistency proof; save it with the positions it was made for."""
    positions = _proof_positions(args)
    target = out_file(args.out, "--out")
    client = client_for(args)
    inclusion = "index" in positions
    answer = (
        client.audit_inclusion_proof(args.index, args.size)
        if inclusion
        else client.audit_consistency_proof(args.first, args.second)
    )
    try:
        hashes = audit.proof_hashes(answer)
        proof = (
            {**positions, "leaf_hash": audit.hash_parse(answer.get("leaf_hash")).hex()}
            if inclusion
            else positions
        )
    except audit.AuditError as exc:
        raise HubError(None, "bad_response", f"The hub's proof is malformed: {exc}.") from None
    proof = {**proof, "path": [h.hex() for h in hashes]}
    save_private(target, (output.as_json(proof) + "\n").encode("utf-8"), "the proof")
    summary = {**positions, "hashes": len(hashes), "saved_to": str(target)}
    print(output.as_json(summary) if args.json else output.proof_text(summary))
    return EXIT_OK


def _proof_positions(args: argparse.Namespace) -> dict[str, int]:
    """--index and --size (an inclusion proof) or --first and --second (a consistency proof), checked."""
    kinds = [{"index": args.index, "size": args.size}, {"first": args.first, "second": args.second}]
    given = [kind for kind in kinds if any(value is not None for value in kind.values())]
    if len(given) != 1 or None in given[0].values():
        raise InputError(
            "give --index and --size (an inclusion proof) or --first and --second (a consistency proof)."
        )
    if args.index is not None and args.index >= args.size:
        raise InputError("--index must be below --size (events are numbered from 0).")
    if args.first is not None and args.first > args.second:
        raise InputError("--first must not be larger than --second.")
    return given[0]


def _unverified(args: argparse.Namespace, verdict: str, exc: audit.AuditError) -> int:
    """Report what did not verify (and {"valid": false} with --json); the exit status 1."""
    if args.json:
        print(output.as_json({"valid": False, "error": str(exc)}))
    print(f"hubctl: {verdict}: {exc}", file=sys.stderr)
    return EXIT_INVALID

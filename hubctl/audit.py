"""The auditor's side of the audit log, offline: signed checkpoints (C2SP signed notes) and RFC 9162 proofs.

The note format and its signature check are hubcore.checkpoints', the Merkle proofs
hubcore.merkle's: the very code the hub signs and proves with.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hubcore import merkle
from hubcore.checkpoints import Checkpoint, CheckpointError, note_verify
from hubctl.inputs import InputError

__all__ = [
    "AuditError",
    "checkpoint_matches",
    "checkpoint_verify",
    "consistency_comparable",
    "consistency_needs_proof",
    "consistency_verify",
    "file_read",
    "hash_parse",
    "inclusion_verify",
    "index_within",
    "proof_hashes",
    "proof_parse",
]

_HASH_HEX = re.compile(r"[0-9a-fA-F]{64}")


class AuditError(ValueError):
    """A checkpoint or proof that is malformed or does not verify (exit status 1)."""


def file_read(path: str | Path, what: str) -> bytes:
    """A file's bytes, or an InputError (exit status 2) naming the file."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None


def checkpoint_verify(data: bytes, public_key: bytes, label: str) -> Checkpoint:
    """note_verify on a note's bytes (strict UTF-8), naming the note in any error."""
    try:
        return note_verify(data.decode("utf-8"), public_key)
    except UnicodeDecodeError:
        raise AuditError(f"{label}: not a signed checkpoint note (not UTF-8 text)") from None
    except CheckpointError as exc:
        raise AuditError(f"{label}: {exc}") from None


def checkpoint_matches(answer: dict, checkpoint: Checkpoint) -> None:
    """Refuse a checkpoint answer whose origin, size or root hash differ from its signed note's."""
    claimed = {
        "origin": answer.get("origin"),
        "size": answer.get("size"),
        "root_hash": str(answer.get("root_hash") or "").lower(),
    }
    if claimed != checkpoint.summary():
        raise AuditError("the hub's answer states another origin, size or root hash than its signed note")


def hash_parse(text: object) -> bytes:
    """A SHA-256 hash given as 64 hexadecimal digits, or AuditError."""
    if not isinstance(text, str) or not _HASH_HEX.fullmatch(text):
        raise AuditError("a hash in the proof is not 64 hexadecimal digits")
    return bytes.fromhex(text)


def proof_hashes(answer: dict) -> list[bytes]:
    """The proof's "path": a list of hex SHA-256 hashes."""
    path = answer.get("path")
    if not isinstance(path, list):
        raise AuditError('the proof has no list of hashes ("path")')
    return [hash_parse(item) for item in path]


def proof_parse(data: bytes, expected: dict[str, int]) -> dict:
    """A saved proof (JSON, as the hub's API answers); refused when it names other positions than expected."""
    try:
        answer = json.loads(data)
    except ValueError:
        raise AuditError("the proof file is not JSON") from None
    if not isinstance(answer, dict):
        raise AuditError("the proof file does not hold a JSON object")
    for name, value in expected.items():
        if name in answer and answer[name] != value:
            raise AuditError(f"the proof file is for {name} {answer[name]!r}, not {value}")
    return answer


def index_within(checkpoint: Checkpoint, index: int) -> None:
    """Refuse an event position outside the checkpoint's tree: that event cannot be in it."""
    if not 0 <= index < checkpoint.size:
        raise AuditError(f"event {index} is beyond the checkpoint's tree of size {checkpoint.size}")


def inclusion_verify(
    checkpoint: Checkpoint, index: int, answer: dict, leaf_hash: bytes | None = None
) -> bytes:
    """Check that the proof's leaf is event `index` of the checkpoint's tree; return the leaf hash."""
    index_within(checkpoint, index)
    proven = hash_parse(answer.get("leaf_hash"))
    if leaf_hash is not None and proven != leaf_hash:
        raise AuditError(f"the proof is for leaf hash {proven.hex()}, not the --leaf-hash given")
    if not merkle.verify_inclusion(
        proven, index, checkpoint.size, proof_hashes(answer), checkpoint.root_hash
    ):
        raise AuditError("the inclusion proof does not lead to the checkpoint's root hash")
    return proven


def consistency_comparable(old: Checkpoint, new: Checkpoint) -> None:
    """Refuse checkpoints of two logs, or an 'older' checkpoint larger than the newer one."""
    if old.origin != new.origin:
        raise AuditError(f"the checkpoints are of different logs: {old.origin!r} and {new.origin!r}")
    if old.size > new.size:
        raise AuditError(
            f"the older checkpoint (size {old.size}) is larger than the newer one (size {new.size})"
        )


def consistency_needs_proof(old: Checkpoint, new: Checkpoint) -> bool:
    """Whether proving old → new takes hashes from the hub (not for an empty or an equal-sized old tree)."""
    return 0 < old.size < new.size


def consistency_verify(old: Checkpoint, new: Checkpoint, answer: dict) -> None:
    """Check that the newer checkpoint's tree extends the older one's (RFC 9162 §2.1.4.2)."""
    consistency_comparable(old, new)
    path = proof_hashes(answer)
    if old.size == 0:
        consistent = old.root_hash == merkle.EMPTY_ROOT  # the empty tree is a prefix of every tree
    else:
        consistent = merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, path)
    if not consistent:
        raise AuditError(
            "the consistency proof does not join the two roots: the newer checkpoint's log "
            "does not extend the older one's (history was rewritten?)"
        )

"""Signed checkpoints of the audit log in the C2SP tlog-checkpoint signed-note format.

A checkpoint is the note body "<origin>\\n<size>\\n<base64 root>\\n", a blank line,
and an Ed25519 note signature line "— <key name> <base64(key id ‖ signature)>",
key id = SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]. Each checkpoint is
stored in the database and written outside it (a directory, optionally a URL), so
an administrator who rewrites the table cannot rewrite the copies.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import merkle
from accounts.audit.log import log_size, stored_leaf_hashes
from accounts.audit.models import AuditCheckpoint
from hub.keys import signing_key

logger = logging.getLogger(__name__)
ED25519_ALGORITHM = b"\x01"


class CheckpointError(ValueError):
    """A note that is malformed or whose signature does not verify."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALGORITHM + public_key).digest()[:4]


def note_sign(checkpoint: Checkpoint, key: Ed25519PrivateKey, *, key_name: str) -> str:
    body = f"{checkpoint.origin}\n{checkpoint.size}\n{base64.b64encode(checkpoint.root_hash).decode()}\n"
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    signature = base64.b64encode(key_id(key_name, public) + key.sign(body.encode())).decode()
    return f"{body}\n\u2014 {key_name} {signature}\n"


def note_verify(note: str, public_key: bytes, *, key_name: str) -> Checkpoint:
    """Parse a note and check its signature by the named key; raise CheckpointError otherwise."""
    body, sep, signatures = note.partition("\n\n")
    lines = body.split("\n")
    if not sep or len(lines) < 3:
        raise CheckpointError(
            "not a signed note: expected origin, size and root hash, a blank line, signatures"
        )
    try:
        checkpoint = Checkpoint(lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True))
    except ValueError:
        raise CheckpointError("the note's size or root hash is malformed") from None
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) == 3 and parts[0] == "\u2014" and parts[1] == key_name:
            try:
                raw = base64.b64decode(parts[2], validate=True)
            except ValueError:
                continue
            if raw[:4] == key_id(key_name, public_key) and _signature_ok(
                public_key, raw[4:], (body + "\n").encode()
            ):
                return checkpoint
    raise CheckpointError("no valid signature by the hub's key on this note")


def _signature_ok(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
        return True
    except (InvalidSignature, ValueError):
        return False


def hub_public_key() -> bytes:
    return signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def checkpoint_create(*, force: bool = False) -> AuditCheckpoint | None:
    """Sign the log as it stands now; None when nothing was added since the last one."""
    size = log_size()
    latest = AuditCheckpoint.objects.order_by("-size").first()
    if latest is not None and latest.size >= size and not force:
        return None
    root = merkle.root_from_leaf_hashes(stored_leaf_hashes(size))
    note = note_sign(
        Checkpoint(settings.HUB_AUDIT_ORIGIN, size, root), signing_key(), key_name=settings.HUB_AUDIT_ORIGIN
    )
    with transaction.atomic():
        checkpoint, _ = AuditCheckpoint.objects.get_or_create(
            size=size, defaults={"root_hash": root.hex(), "note": note}
        )
    publish_outside(checkpoint)
    return checkpoint


def checkpoint_if_due() -> AuditCheckpoint | None:
    """Checkpoint when enough events or enough time has passed since the last one."""
    latest = AuditCheckpoint.objects.order_by("-size").first()
    size = log_size()
    if latest is None:
        return checkpoint_create() if size else None
    grown = size - latest.size
    waited = (timezone.now() - latest.created_at).total_seconds()
    if grown >= settings.HUB_CHECKPOINT_EVERY_EVENTS or (
        grown > 0 and waited >= settings.HUB_CHECKPOINT_INTERVAL_SECONDS
    ):
        return checkpoint_create()
    return None


def publish_outside(checkpoint: AuditCheckpoint) -> None:
    """Copy the note out of the database: a directory always, a URL when configured."""
    directory = Path(settings.HUB_CHECKPOINT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{checkpoint.size:012d}.note").write_text(checkpoint.note)
    (directory / "latest.note").write_text(checkpoint.note)
    if settings.HUB_CHECKPOINT_URL:
        put = urllib.request.Request(
            f"{settings.HUB_CHECKPOINT_URL.rstrip('/')}/{checkpoint.size}",
            method="PUT",
            data=checkpoint.note.encode(),
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
        # Not held to the public-address rule of member URLs (sharing/watchlists/services/outbound_http.py): only the
        # operator sets it, and a witness on the operator's own network is a fair place for it. urllib
        # never re-sends a PUT to a redirect's target.
        with urllib.request.urlopen(put, timeout=10):  # noqa: S310 (operator-configured URL)
            pass


def outside_notes() -> dict[int, str]:
    """The notes kept outside the database, by tree size."""
    directory = Path(settings.HUB_CHECKPOINT_DIR)
    notes = {}
    for path in sorted(directory.glob("*.note")) if directory.exists() else []:
        if path.name != "latest.note":
            notes[int(path.stem)] = path.read_text()
    return notes

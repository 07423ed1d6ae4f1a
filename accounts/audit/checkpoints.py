"""Signed checkpoints of the audit log: made, stored and published (the note format is in hubcore.checkpoints).

Each checkpoint is stored in the database and written outside it (a directory, optionally a
URL), so an administrator who rewrites the table cannot rewrite the copies.
"""

from __future__ import annotations

import logging
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit.log import log_size, stored_leaf_hashes
from accounts.audit.models import AuditCheckpoint
from hub.keys import signing_key
from hubcore import merkle
from hubcore.checkpoints import Checkpoint, note_sign

logger = logging.getLogger(__name__)


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

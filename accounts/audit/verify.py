"""Verify the audit log against its signed checkpoints, inside and outside the database.

Recompute every leaf from the rows (a row whose details were purged after their retention period
by its stored leaf hash: it can no longer be recomputed), check the sequence has no gap, and check that
every checkpoint's root is the root of the first `size` recomputed leaves, that
consecutive checkpoints are consistent (RFC 9162 proofs), and that no checkpoint is
larger than the log (truncation). A tamper is detected once a checkpoint covers it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.audit.checkpoints import hub_public_key, outside_notes
from accounts.audit.log import log_size, recomputed_leaf_hashes
from accounts.audit.models import AuditCheckpoint, AuditEvent, AuditStagedEvent
from hubcore import merkle
from hubcore.checkpoints import Checkpoint, CheckpointError, note_verify


def audit_verify(*, public_key: bytes | None = None) -> list[str]:
    """Every problem found, as sentences; an empty list means the log verifies."""
    seqs, leaves = recomputed_leaf_hashes()
    problems = _sequence_problems(seqs) + _purge_problems() + _staging_problems()
    checkpoints, note_problems = _checkpoints(public_key or hub_public_key())
    problems += note_problems
    for checkpoint in checkpoints:
        problems += _checkpoint_problems(checkpoint, leaves)
    problems += _consistency_problems(checkpoints, leaves)
    return problems


def _sequence_problems(seqs: list[int]) -> list[str]:
    problems = [
        f"row at position {i} has sequence number {s}: a row is missing or moved"
        for i, s in enumerate(seqs)
        if s != i
    ][:5]
    if log_size() != len(seqs):
        problems.append(
            f"the log head counts {log_size()} events but {len(seqs)} rows remain: rows were deleted"
        )
    return problems


def _staging_problems() -> list[str]:
    """Staged events (batched sequencing) are in the log within about a second; one older than the
    checkpoint interval means no sequencer is running, and the log is missing what it holds."""
    waited_since = timezone.now() - timedelta(seconds=settings.HUB_CHECKPOINT_INTERVAL_SECONDS)
    stale = AuditStagedEvent.objects.filter(occurred_at__lt=waited_since).count()
    if not stale:
        return []
    return [
        f"{stale} staged audit events have waited more than {settings.HUB_CHECKPOINT_INTERVAL_SECONDS} s "
        "for the sequencer: is accounts.tasks.audit_sequence_task running (worker and beat)?"
    ]


def _purge_problems() -> list[str]:
    """A row marked purged is taken by its stored leaf hash: one still holding details was not purged
    by the hub (the trigger lets only {} through), so someone marked it to escape recomputation."""
    marked = AuditEvent.objects.filter(details_purged_at__isnull=False).exclude(details={})
    problems = [
        f"row at position {seq} is marked as purged but still holds details: it was not purged by the hub"
        for seq in marked.values_list("seq", flat=True)[:5]
    ]
    # The hub empties details only after the retention period; a row emptied sooner was emptied by
    # someone else (the trigger cannot know the period), so its details are lost, not retired.
    period = timedelta(days=settings.HUB_AUDIT_DETAILS_RETENTION_DAYS)
    purged = AuditEvent.objects.filter(details_purged_at__isnull=False).values_list(
        "seq", "occurred_at", "details_purged_at"
    )
    early = [
        seq
        for seq, occurred, stamped in purged.iterator(chunk_size=10000)
        if stamped is not None and stamped - occurred < period
    ]
    problems += [
        f"row at position {seq} had its details emptied before the retention period: not by the hub's purge"
        for seq in early[:5]
    ]
    return problems


def _checkpoints(public_key: bytes) -> tuple[list[Checkpoint], list[str]]:
    """Signed checkpoints from the database and from outside it, checked against each other."""
    problems: list[str] = []
    by_size: dict[int, Checkpoint] = {}
    notes = [("database", c.note) for c in AuditCheckpoint.objects.order_by("size")]
    notes += [("outside copy", note) for note in outside_notes().values()]
    for source, note in notes:
        try:
            checkpoint = note_verify(note, public_key, key_name=settings.HUB_AUDIT_ORIGIN)
        except CheckpointError as exc:
            problems.append(f"a checkpoint in the {source} is not valid: {exc}")
            continue
        known = by_size.setdefault(checkpoint.size, checkpoint)
        if known.root_hash != checkpoint.root_hash:
            problems.append(
                f"two signed checkpoints of size {checkpoint.size} disagree: the database copy was replaced"
            )
    return [by_size[size] for size in sorted(by_size)], problems


def _checkpoint_problems(checkpoint: Checkpoint, leaves: list[bytes]) -> list[str]:
    if checkpoint.size > len(leaves):
        return [
            f"checkpoint of size {checkpoint.size} covers more events than the {len(leaves)} rows: the log was truncated"
        ]
    if merkle.root_from_leaf_hashes(leaves[: checkpoint.size]) != checkpoint.root_hash:
        return [
            f"the rows no longer match the checkpoint of size {checkpoint.size}: an event at or below "
            f"position {checkpoint.size - 1} was changed, removed or reordered{_first_changed(leaves, checkpoint.size)}"
        ]
    return []


def _first_changed(leaves: list[bytes], size: int) -> str:
    from accounts.audit.log import stored_leaf_hashes

    stored = stored_leaf_hashes(size)
    for index, (recomputed, kept) in enumerate(zip(leaves[:size], stored)):
        if recomputed != kept:
            return f" (the first row whose content no longer matches its stored leaf hash is at position {index})"
    return ""


def _consistency_problems(checkpoints: list[Checkpoint], leaves: list[bytes]) -> list[str]:
    problems = []
    for older, newer in zip(checkpoints, checkpoints[1:]):
        if older.size == 0 or newer.size > len(leaves):
            continue
        proof = merkle.consistency_proof(leaves, older.size, newer.size)
        if not merkle.verify_consistency(older.size, newer.size, older.root_hash, newer.root_hash, proof):
            problems.append(
                f"checkpoints of sizes {older.size} and {newer.size} are not consistent: history was rewritten"
            )
    return problems

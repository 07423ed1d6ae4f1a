"""Batched sequencing: events staged in their action's transaction, placed in the log in batches.

Inline sequencing (the default, HUB_AUDIT_SEQUENCING = "inline") gives each event its sequence
number under the one AuditLogHead row's lock in the action's own transaction, so the lock is held
until that action commits and every audited action on the hub waits for the previous one: about
2-3k actions/s on one primary, whatever the web tier (docs/scaling.md, benchmarks/audit_throughput.py).

Batched sequencing (HUB_AUDIT_SEQUENCING = "batched", for a production PostgreSQL hub) keeps the
log's guarantees and takes the head lock once per batch instead:

- The action writes its event to AuditStagedEvent in its own transaction: an action that commits
  is audited, one that rolls back leaves nothing, and no sequence number or leaf hash is taken there.
- `sequence_staged` takes the head row's lock, reads up to HUB_AUDIT_SEQUENCER_BATCH staged events
  in staging order, gives them the next gapless sequence numbers, computes their leaf hashes,
  inserts them into the log, deletes them from staging and moves the head, all in one transaction.
  A sequencer that dies halfway leaves nothing half-done: the next run takes the same events.
  Concurrent sequencers wait for each other on the head row, and each sees only rows still staged.
- It runs as accounts.tasks.audit_sequence_task: nudged after an action's commit (at most every
  HUB_AUDIT_SEQUENCER_NUDGE_SECONDS per process; after every commit when tasks run in-process)
  and every second from beat. An event is in the log, and so in the audit pages, the API,
  the checks that read the log and the next checkpoint, within about a second plus the batches
  ahead of it (a batch of 2,000 took ~0.5 s on the busy 2-core benchmark machine: ~4,000 events/s,
  benchmarks/RESULTS.md). verify_audit names events staged longer than the checkpoint interval.

Why a staging table rather than log rows whose seq and leaf hash are filled in later: the log is
append-only by database triggers (0005, 0012), which an update filling seq would have to be let
through, and "seq IS NULL" rows would sit in the table that the verification, the proofs and every
reader take in seq order. A separate table that rows leave keeps the log exactly as it was, and
keeps the staged rows (which are updated by nobody and deleted by the sequencer) out of its triggers.
Rows leave staging only by being sequenced: a trigger (accounts/migrations/0015) refuses deleting a
staged row unless the log holds the same event, content and all, so the application's role, which
must delete staged rows, cannot make an event vanish before its place in the log. What it cannot
stop is the database owner dropping that trigger, as it could the log's own.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection, transaction

from accounts.audit.log import LEAF_VALUES, canonical_leaf_of
from accounts.audit.models import AuditEvent, AuditLogHead, AuditStagedEvent
from hub.tasks_enqueue import enqueue_after_commit, task_named
from hubcore import merkle

SEQUENCE_TASK = "accounts.tasks.audit_sequence_task"
CHECKPOINT_TASK = "accounts.tasks.audit_checkpoint_task"
# The fields an event carries from staging into the log, unchanged.
CONTENT_FIELDS = tuple(field.name for field in AuditStagedEvent._meta.concrete_fields if field.name != "id")

_last_nudge = 0.0


class StagingChanged(RuntimeError):
    """The staged rows of a batch changed while the sequencer held the head: its transaction rolls back."""


def batched() -> bool:
    return settings.HUB_AUDIT_SEQUENCING == "batched"


def sequence_staged(*, batch_size: int | None = None) -> int:
    """Place one batch of staged events in the log; returns how many (0: nothing was staged)."""
    batch_size = batch_size or settings.HUB_AUDIT_SEQUENCER_BATCH
    # Without the lock first: an idle run (and every run in inline sequencing) writes nothing.
    if not AuditStagedEvent.objects.exists():
        return 0
    with transaction.atomic():
        size = _head_locked()
        staged = list(AuditStagedEvent.objects.order_by("id").values("id", *LEAF_VALUES)[:batch_size])
        if not staged:
            return 0
        placed = [_placed(values, size + offset) for offset, values in enumerate(staged)]
        # Staged rows that vanished between the read and the copy would leave gaps in the log, and
        # rows the delete misses would be placed twice: either way the batch is rolled back whole.
        logged = _logged(placed)
        deleted, _ = AuditStagedEvent.objects.filter(id__in=[values["id"] for values in staged]).delete()
        if logged != len(placed) or deleted != len(placed):
            raise StagingChanged(
                f"{len(placed)} staged events placed, {logged} copied into the log, {deleted} left staging"
            )
        _head_moved_to(size + len(placed))
        every = settings.HUB_CHECKPOINT_EVERY_EVENTS
        if (size + len(placed)) // every > size // every:
            enqueue_after_commit(task_named(CHECKPOINT_TASK))
    return len(placed)


def sequence_all_staged(*, within_seconds: float = 5.0) -> int:
    """Batches until staging is empty or the time is spent (beat runs it again a second later)."""
    placed, started = 0, time.monotonic()
    while time.monotonic() - started < within_seconds:
        batch = sequence_staged()
        placed += batch
        if batch < settings.HUB_AUDIT_SEQUENCER_BATCH:
            break
    return placed


def sequencer_nudge_after_commit() -> None:
    """Wake the sequencer once the action commits: every time when tasks run in-process (the event is
    then in the log before the request returns), else at most every HUB_AUDIT_SEQUENCER_NUDGE_SECONDS
    in this process, since beat runs it every second anyway and a message per action would flood the
    broker."""
    global _last_nudge
    task = task_named(SEQUENCE_TASK)
    if not task.app.conf.task_always_eager:
        now = time.monotonic()
        if now - _last_nudge < settings.HUB_AUDIT_SEQUENCER_NUDGE_SECONDS:
            return
        _last_nudge = now
    enqueue_after_commit(task)


def _head_locked() -> int:
    """The log's size, with the head row locked until this transaction ends (made if missing)."""
    table = connection.ops.quote_name(AuditLogHead._meta.db_table)
    with connection.cursor() as cursor:
        # A no-op update takes the row lock and reads the size in one round trip.
        cursor.execute(
            f"INSERT INTO {table} (id, size) VALUES (1, 0) "
            f"ON CONFLICT (id) DO UPDATE SET size = {table}.size RETURNING size"
        )
        return cursor.fetchone()[0]


def _head_moved_to(size: int) -> None:
    AuditLogHead.objects.filter(pk=1).update(size=size)


def _placed(values: dict, seq: int) -> tuple[int, int, str]:
    """(staged id, seq, leaf hash): the leaf is computed from the values read, no model instance."""
    return values["id"], seq, merkle.leaf_hash(canonical_leaf_of(seq, values)).hex()


def _logged(placed: list[tuple[int, int, str]]) -> int:
    """Copy the staged rows into the log at their places, in one statement: only the ids, places and
    leaf hashes travel; every column comes from the staged row itself, as the leaf was computed."""
    quote = connection.ops.quote_name
    log, stage = quote(AuditEvent._meta.db_table), quote(AuditStagedEvent._meta.db_table)
    columns = [
        quote(field.column or field.attname)
        for field in AuditStagedEvent._meta.concrete_fields
        if field.name in CONTENT_FIELDS
    ]
    rows = ", ".join(["(%s, %s, %s)"] * len(placed))
    with connection.cursor() as cursor:
        cursor.execute(
            # INSERT first, not WITH: Python's sqlite3 reports no rowcount for a statement starting WITH.
            f"INSERT INTO {log} (seq, leaf_hash, {', '.join(columns)}) "
            f"WITH placed (id, seq, leaf_hash) AS (VALUES {rows}) "
            f"SELECT CAST(placed.seq AS BIGINT), placed.leaf_hash, {', '.join('s.' + c for c in columns)} "
            f"FROM {stage} s JOIN placed ON s.id = CAST(placed.id AS BIGINT)",
            [value for row in placed for value in row],
        )
        return cursor.rowcount

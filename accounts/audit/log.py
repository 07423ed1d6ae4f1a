"""The audit log as a verifiable log: canonical leaves, gapless sequence, Merkle roots.

Each event's canonical serialisation is a leaf of an RFC 9162 Merkle tree. A
hash chain inside the database is not enough (an administrator can disable the
trigger and re-chain every later row), so the tree's roots are signed into
checkpoints that are also written outside the database (checkpoints.py).
"""

from __future__ import annotations

from django.db import connection

from accounts.audit.models import AuditEvent, AuditLogHead
from hubcore import merkle
from hubcore.canonical import canonical_json

# The values a leaf is made of, by the names values() reads them under (accounts/audit/sequencer.py
# reads staged rows this way, without building a model instance per row).
LEAF_VALUES = (
    "public_id",
    "occurred_at",
    "actor_member__public_id",
    "actor_api_key__prefix",
    "organisation__public_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "data_class",
    "legal_basis",
    "outcome",
    "request_id",
    "client_request_id",
    "details",
)


def canonical_leaf(event: AuditEvent) -> bytes:
    """The bytes that stand for an event in the tree; every audited column is in them."""
    return canonical_leaf_of(
        event.seq,
        {
            "public_id": event.public_id,
            "occurred_at": event.occurred_at,
            "actor_member__public_id": event.actor_member.public_id
            if event.actor_member is not None
            else None,
            "actor_api_key__prefix": event.actor_api_key.prefix if event.actor_api_key is not None else None,
            "organisation__public_id": event.organisation.public_id
            if event.organisation is not None
            else None,
            **{name: getattr(event, name) for name in LEAF_VALUES[5:]},
        },
    )


def canonical_leaf_of(seq: int | None, values: dict) -> bytes:
    """The leaf of the event at `seq` whose columns are `values` (keyed as LEAF_VALUES)."""
    actor, organisation = values["actor_member__public_id"], values["organisation__public_id"]
    fields = {
        "seq": seq,
        "id": str(values["public_id"]),
        "time": values["occurred_at"].isoformat(timespec="microseconds"),
        "actor": str(actor) if actor is not None else None,
        "api_key": values["actor_api_key__prefix"],
        "organisation": str(organisation) if organisation is not None else None,
        "role": values["role"],
        "action": values["action"],
        "object_type": values["object_type"],
        "object_id": values["object_id"],
        "data_class": values["data_class"],
        "legal_basis": values["legal_basis"],
        "outcome": values["outcome"],
        "request_id": values["request_id"],
        "details": values["details"],
    }
    # Only when present, so that the leaves of events written before the field existed still match.
    if values["client_request_id"]:
        fields["client_request_id"] = values["client_request_id"]
    return canonical_json(fields)


def event_leaf_hash(event: AuditEvent) -> str:
    return merkle.leaf_hash(canonical_leaf(event)).hex()


def next_sequence_number() -> int:
    """Take the next position under the head row's lock; a rollback gives it back.

    One upsert rather than a locking read and an update: every audited request passes
    here and holds the lock until it commits, so each round trip inside it counts.
    """
    table = connection.ops.quote_name(AuditLogHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, size) VALUES (1, 1) "
            f"ON CONFLICT (id) DO UPDATE SET size = {table}.size + 1 RETURNING size"
        )
        return cursor.fetchone()[0] - 1


def sequence_numbers_take(count: int) -> int:
    """Take `count` consecutive positions under the head row's lock in one upsert (a batch of events
    recorded together); returns the first. A rollback gives them all back."""
    table = connection.ops.quote_name(AuditLogHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, size) VALUES (1, %s) "
            f"ON CONFLICT (id) DO UPDATE SET size = {table}.size + %s RETURNING size",
            [count, count],
        )
        return cursor.fetchone()[0] - count


def log_size() -> int:
    head = AuditLogHead.objects.filter(pk=1).first()
    return head.size if head else 0


def stored_leaf_hashes(size: int) -> list[bytes]:
    """The stored leaf hashes of the first `size` events, in log order."""
    hashes = AuditEvent.objects.filter(seq__lt=size).order_by("seq").values_list("leaf_hash", flat=True)
    return [bytes.fromhex(h) for h in hashes]


def recomputed_leaf_hashes() -> tuple[list[int], list[bytes]]:
    """Sequence numbers and leaf hashes recomputed from the rows themselves (for verification).

    A row whose details were purged (accounts/audit/retention.py) cannot be recomputed: its details
    were part of its leaf. Its stored leaf hash stands in (verifiable_leaf_hash); every other row is
    recomputed."""
    events = AuditEvent.objects.select_related("actor_member", "actor_api_key", "organisation").order_by(
        "seq"
    )
    seqs, hashes = [], []
    for event in events.iterator(chunk_size=2000):
        seqs.append(event.seq)
        hashes.append(verifiable_leaf_hash(event))
    return seqs, hashes


def verifiable_leaf_hash(event: AuditEvent) -> bytes:
    """The event's leaf recomputed from its row; the stored leaf hash when its details were purged
    (they were part of the leaf), which the checkpoints still hold it to."""
    if event.details_purged_at is not None:
        return bytes.fromhex(event.leaf_hash)
    return merkle.leaf_hash(canonical_leaf(event))


def purged_event_count() -> int:
    """Events verified by their stored leaf hash alone, since their details were purged."""
    return AuditEvent.objects.filter(details_purged_at__isnull=False).count()

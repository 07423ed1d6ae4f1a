"""Reads for verifiers: the latest checkpoint and RFC 9162 proofs, each read audited."""

from __future__ import annotations

from django.utils.translation import gettext

from accounts.actors import Actor
from accounts.audit.log import log_size, stored_leaf_hashes
from accounts.audit.models import AuditCheckpoint, DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from hub.errors import DomainError, NotFoundError
from hubcore import merkle


def checkpoint_latest(*, actor: Actor) -> AuditCheckpoint:
    checkpoint = AuditCheckpoint.objects.order_by("-size").first()
    if checkpoint is None:
        raise NotFoundError(gettext("No checkpoint has been published yet."))
    _audit(actor, "checkpoint", {"size": checkpoint.size})
    return checkpoint


def inclusion_proof_for(*, actor: Actor, index: int, size: int) -> tuple[bytes, list[bytes]]:
    """The leaf hash at `index` and its audit path in the tree of the first `size` events."""
    _require_size(size)
    if not 0 <= index < size:
        raise DomainError(
            gettext("index must be at least 0 and below size."),
            fields={"index": [gettext("Out of range for this size.")]},
        )
    leaves = stored_leaf_hashes(size)
    _audit(actor, "inclusion_proof", {"index": index, "size": size})
    return leaves[index], merkle.inclusion_proof(leaves, index, size)


def consistency_proof_for(*, actor: Actor, first: int, second: int) -> list[bytes]:
    _require_size(second)
    if not 1 <= first <= second:
        raise DomainError(
            gettext("first must be at least 1 and at most second."),
            fields={"first": [gettext("Out of range.")]},
        )
    _audit(actor, "consistency_proof", {"first": first, "second": second})
    return merkle.consistency_proof(stored_leaf_hashes(second), first, second)


def _require_size(size: int) -> None:
    if not 1 <= size <= log_size():
        raise DomainError(
            gettext("size must be between 1 and the log's size, %(size)s.") % {"size": log_size()},
            fields={"size": [gettext("Out of range.")]},
        )


def _audit(actor: Actor, what: str, details: dict) -> None:
    audit_record(
        actor=actor,
        tag=AuditTag.AUDIT_PROOF_READ,
        data_class=DataClass.ADMINISTRATIVE,
        target_type=what,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details=details,
    )

"""Oblivious token derivation: evaluate members' blinded elements (RFC 9497 BlindEvaluate).

The hub learns neither the identifier nor the token; it only counts evaluations
against the organisation's quota and audits how many it did.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from hub.errors import DomainError
from hub.replica_reads import request_reads_only
from hubcore import oprf
from sharing.checks.services.quotas import evaluation_quota_demands, quota_take_or_refuse
from sharing.crypto.tokens import hub_oprf_key


@dataclass(frozen=True)
class Evaluation:
    evaluated_elements: list[bytes]
    key_version: int


def tokens_evaluate_blinded(*, blinded_elements: list[bytes], actor: Actor) -> Evaluation:
    """Check every element, take the quota, evaluate the batch, audit the count."""
    require(actor, Capability.TOKEN_EVALUATE, message=gettext("Your role does not grant token:evaluate."))
    _require_valid_elements(blinded_elements)
    request_reads_only()  # its writes are bookkeeping (audit, quota): no read-your-writes
    quota_take_or_refuse(
        actor=actor, demands=evaluation_quota_demands(len(blinded_elements)), tag=AuditTag.TOKENS_EVALUATED
    )
    key = hub_oprf_key()
    evaluated = oprf.blind_evaluate_batch(key.secret, blinded_elements)
    with transaction.atomic():
        audit_record(
            actor=actor,
            tag=AuditTag.TOKENS_EVALUATED,
            data_class=DataClass.SHAREABLE,
            target_type="oprf_key",
            target_id=str(key.version),
            details={"count": len(evaluated)},
        )
    return Evaluation(evaluated_elements=evaluated, key_version=key.version)


def _require_valid_elements(elements: list[bytes]) -> None:
    message = gettext_lazy(
        "Not a valid ristretto255 element (a 32-byte canonical encoding, not the identity)."
    )
    errors = {str(i): [message] for i, element in enumerate(elements) if not oprf.element_is_valid(element)}
    if errors:
        raise DomainError(gettext("Some blinded elements are invalid."), fields={"blinded_elements": errors})

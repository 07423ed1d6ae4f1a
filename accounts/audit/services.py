"""Write audit events; callers do it inside the transaction of the action they record."""
from __future__ import annotations

from django.db import models, transaction

from accounts.actors import Actor
from accounts.audit.models import AuditEvent, DataClass, LegalBasis, Outcome
from accounts.audit.tags import AuditTag


def audit_record(
    *,
    actor: Actor | None,
    tag: AuditTag,
    data_class: DataClass,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    legal_basis: str = LegalBasis.MEMBERSHIP_TERMS,
    outcome: Outcome = Outcome.ALLOWED,
    details: dict | None = None,
    request_id: str = "",
) -> AuditEvent:
    """Append one audit event for what the actor did to the target."""
    if target is not None:
        target_type = target._meta.model_name
        target_id = str(getattr(target, "public_id", target.pk))
    member = actor.member if actor else None
    return AuditEvent.objects.create(
        actor_member=member,
        actor_api_key=actor.api_key if actor else None,
        organisation=member.organisation if member else None,
        role=member.role if member else "",
        action=tag.value,
        object_type=target_type,
        object_id=target_id,
        data_class=data_class,
        legal_basis=legal_basis,
        outcome=outcome,
        request_id=(actor.request_id if actor else "") or request_id,
        details=details or {},
    )


def audit_record_denied(*, actor: Actor | None, tag: AuditTag, target_type: str, reason: str, request_id: str = "") -> None:
    """Record a refused attempt in its own transaction, since the request itself rolls back."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            tag=tag,
            data_class=DataClass.ADMINISTRATIVE,
            target_type=target_type,
            outcome=Outcome.DENIED,
            details={"reason": reason},
            request_id=request_id,
        )

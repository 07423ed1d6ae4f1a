"""Write audit events; callers do it inside the transaction of the action they record."""

from __future__ import annotations

import json
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from accounts.actors import Actor
from accounts.audit.log import event_leaf_hash, next_sequence_number
from accounts.audit.models import AuditEvent, DataClass, LegalBasis, Outcome
from accounts.audit.signals import denied_recorded, event_recorded
from accounts.audit.tags import AuditTag
from hub.middleware import client_request_id
from hub.tasks_enqueue import enqueue_after_commit, task_named


# No savepoint of its own: an audit row that fails to write must fail the action it records.
@transaction.atomic(savepoint=False)
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
    """Append one audit event for what the actor did to the target, in the caller's transaction."""
    if target is not None:
        target_type = target._meta.model_name
        target_id = str(getattr(target, "public_id", target.pk))
    member = actor.member if actor else None
    event = AuditEvent(
        seq=next_sequence_number(),
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
        client_request_id=client_request_id.get() or None,
        details=details or {},
    )
    # Round-trip the details through JSON first, so the leaf hashes what the row will hold.
    event.details = json.loads(json.dumps(event.details, cls=DjangoJSONEncoder))
    event.occurred_at = (
        event.occurred_at.replace(tzinfo=UTC) if event.occurred_at.tzinfo is None else event.occurred_at
    )
    event.leaf_hash = event_leaf_hash(event)
    event.save(force_insert=True)
    if (event.seq + 1) % settings.HUB_CHECKPOINT_EVERY_EVENTS == 0:
        # By name: accounts/tasks.py imports the checkpoint code, which must not import us back.
        enqueue_after_commit(task_named("accounts.tasks.audit_checkpoint_task"))
    event_recorded.send(sender=AuditEvent, event=event)
    return event


def audit_record_denied(
    *, actor: Actor | None, tag: AuditTag, target_type: str, reason: str, request_id: str = ""
) -> None:
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
        denied_recorded.send(sender=AuditEvent, actor=actor)

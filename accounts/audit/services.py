"""Write audit events; callers do it inside the transaction of the action they record."""

from __future__ import annotations

import json
from datetime import UTC, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone as dj_timezone

from accounts.actors import Actor
from accounts.audit.log import event_leaf_hash, next_sequence_number, sequence_numbers_take
from accounts.audit.models import (
    Alert,
    AlertStatus,
    AuditEvent,
    AuditStagedEvent,
    DataClass,
    LegalBasis,
    Outcome,
)
from accounts.audit.sequencer import CONTENT_FIELDS, batched, sequencer_nudge_after_commit
from accounts.audit.tags import AuditTag
from accounts.models import Organisation
from hub.middleware import client_request_id
from hub.model_rows import instance_insert
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
    """Append one audit event for what the actor did to the target, in the caller's transaction.

    In batched sequencing (accounts/audit/sequencer.py) the event is staged: the one returned has
    no seq, pk or leaf hash yet, and the log holds it under the same public_id once sequenced."""
    if target is not None:
        target_type = target._meta.model_name or ""
        target_id = str(getattr(target, "public_id", target.pk))
    event = _event_new(
        actor=actor,
        tag=tag,
        data_class=data_class,
        target_type=target_type,
        target_id=target_id,
        legal_basis=legal_basis,
        outcome=outcome,
        details=details,
        request_id=request_id,
    )
    if batched():
        _staged([event])
    else:
        _sequenced_inline([event], first=next_sequence_number())
    _events_recorded([event])
    return event


@transaction.atomic(savepoint=False)
def audit_record_many(
    *,
    actor: Actor | None,
    tag: AuditTag,
    data_class: DataClass,
    targets: list[tuple[str, str, dict]],
    legal_basis: str = LegalBasis.MEMBERSHIP_TERMS,
) -> list[AuditEvent]:
    """Append one event per (target type, target id, details), as audit_record would one by one (a batch
    check's sellers): staged in one statement (batched sequencing), or with consecutive positions taken
    in one statement and the rows written in one (inline)."""
    if not targets:
        return []
    events = [
        _event_new(
            actor=actor,
            tag=tag,
            data_class=data_class,
            target_type=target_type,
            target_id=target_id,
            legal_basis=legal_basis,
            outcome=Outcome.ALLOWED,
            details=details,
        )
        for target_type, target_id, details in targets
    ]
    if batched():
        _staged(events)
    else:
        _sequenced_inline(events, first=sequence_numbers_take(len(events)))
    _events_recorded(events)
    return events


def _event_new(
    *,
    actor: Actor | None,
    tag: AuditTag,
    data_class: DataClass,
    target_type: str,
    target_id: str,
    legal_basis: str,
    outcome: Outcome,
    details: dict | None,
    request_id: str = "",
) -> AuditEvent:
    member = actor.member if actor else None
    event = AuditEvent(
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
    return event


def _sequenced_inline(events: list[AuditEvent], *, first: int) -> None:
    """Their places in the log now, from `first` (taken under the head row's lock, held until the
    caller commits), with their leaf hashes; a checkpoint when one closes a checkpoint's span."""
    for offset, event in enumerate(events):
        event.seq = first + offset
        event.leaf_hash = event_leaf_hash(event)
    if len(events) == 1:
        # Every audited action passes here: a statement spelled once, not an insert compiled each time.
        instance_insert(events[0])
    else:
        AuditEvent.objects.bulk_create(events)
    if any((event.seq + 1) % settings.HUB_CHECKPOINT_EVERY_EVENTS == 0 for event in events):
        # By name: accounts/tasks.py imports the checkpoint code, which must not import us back.
        enqueue_after_commit(task_named("accounts.tasks.audit_checkpoint_task"))


def _staged(events: list[AuditEvent]) -> None:
    """Staged for the sequencer, which places them in the log after the caller commits."""
    staged = [AuditStagedEvent(**{name: getattr(event, name) for name in CONTENT_FIELDS}) for event in events]
    if len(staged) == 1:
        instance_insert(staged[0])  # as _sequenced_inline: the common case, not compiled each time
    else:
        AuditStagedEvent.objects.bulk_create(staged)
    sequencer_nudge_after_commit()


def _events_recorded(events: list[AuditEvent]) -> None:
    """After events are written: an alert for a restricted access on no recognised basis."""
    for event in events:
        if event.data_class == DataClass.RESTRICTED and not _restricted_basis_recognised(
            event.legal_basis, AuditTag(event.action)
        ):
            _alert_restricted_without_order(event)


# The restricted accesses that rest on no court order, each by its own action only (sharing's
# check_restricted_access holds each to who may make it and when): an operator admin reading an
# applicant's documents, an operator reviewer reading a pending report's statement and evidence or
# both sides' submissions in an undecided dispute.
_REVIEW_BASES: dict[str, AuditTag] = {
    LegalBasis.ADMISSION_REVIEW: AuditTag.APPLICATION_DOCUMENT_OPENED,
    LegalBasis.REPORT_REVIEW: AuditTag.REPORT_REVIEW_OPENED,
    LegalBasis.DISPUTE_REVIEW: AuditTag.DISPUTE_REVIEW_OPENED,
}


def _restricted_basis_recognised(legal_basis: str, tag: AuditTag) -> bool:
    return legal_basis.startswith("court_order:") or _REVIEW_BASES.get(legal_basis) == tag


def _alert_restricted_without_order(event: AuditEvent) -> None:
    """Restricted data may only be touched under a court order; anything else is an alarm at once."""
    alert_raise(
        kind="restricted_without_order",
        organisation=event.organisation,
        severity="high",
        dedupe_key=f"restricted_without_order:{_event_key(event)}",
        details={**_event_reference(event), "action": event.action, "legal_basis": event.legal_basis},
    )


def _event_key(event: AuditEvent) -> str:
    return str(event.seq) if event.seq is not None else str(event.public_id)


def _event_reference(event: AuditEvent) -> dict:
    """How an alert names the event: its seq, or its id while it is staged (no seq yet)."""
    return {"seq": event.seq} if event.seq is not None else {"event": str(event.public_id)}


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
        _alert_on_denied_burst(actor)


def _alert_on_denied_burst(actor: Actor | None) -> None:
    """Many refusals for one organisation in a short while look like probing: tell the operators."""
    if actor is None:
        return
    since = dj_timezone.now() - timedelta(minutes=10)
    # Those still staged count too (batched sequencing): a burst is faster than the sequencer.
    denied = sum(
        model.objects.filter(
            organisation=actor.organisation, outcome=Outcome.DENIED, occurred_at__gte=since
        ).count()
        for model in (AuditEvent, AuditStagedEvent)
    )
    if denied >= settings.HUB_DENIED_BURST_THRESHOLD:
        hour = dj_timezone.now().replace(minute=0, second=0, microsecond=0)
        alert_raise(
            kind="denied_burst",
            organisation=actor.organisation,
            dedupe_key=f"denied_burst:{actor.organisation.public_id}:{hour.isoformat()}",
            details={"denied_in_10_minutes": denied},
        )


# Raising an alert is a write of the audit log (the alert and its own audit row): it lives here,
# beside audit_record, which raises some itself; accounts/audit/alerts.py reads and handles them.
def alert_raise(
    *, kind: str, organisation: Organisation | None, dedupe_key: str, details: dict, severity: str = "medium"
) -> Alert:
    """Open an alert, or count one more occurrence of the open one with the same key."""
    now = dj_timezone.now()
    bumped = (
        Alert.objects.filter(dedupe_key=dedupe_key)
        .exclude(status=AlertStatus.RESOLVED)
        .update(occurrences=F("occurrences") + 1, last_seen_at=now, details=details)
    )
    if bumped:
        return Alert.objects.exclude(status=AlertStatus.RESOLVED).get(dedupe_key=dedupe_key)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind,
                organisation=organisation,
                dedupe_key=dedupe_key,
                details=details,
                severity=severity,
                raised_at=now,
                last_seen_at=now,
            )
            audit_record(
                actor=None,
                tag=AuditTag.ALERT_RAISED,
                target=alert,
                data_class=DataClass.ADMINISTRATIVE,
                legal_basis=LegalBasis.OPERATOR_DUTY,
                details={"kind": kind, **details},
            )
            return alert
    except IntegrityError:  # a concurrent request opened it first
        return Alert.objects.exclude(status=AlertStatus.RESOLVED).get(dedupe_key=dedupe_key)

"""Raise, acknowledge and resolve alerts; each change audited in its transaction."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.dispatch import receiver
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import Alert, AlertStatus, AuditEvent, DataClass, LegalBasis, Outcome
from accounts.audit.services import audit_record
from accounts.audit.signals import denied_recorded, event_recorded
from accounts.audit.tags import AuditTag
from accounts.models import Organisation
from accounts.roles import Capability
from hub.errors import ConflictError, ForbiddenError, NotFoundError


def alert_raise(
    *, kind: str, organisation: Organisation | None, dedupe_key: str, details: dict, severity: str = "medium"
) -> Alert:
    """Open an alert, or count one more occurrence of the open one with the same key."""
    now = timezone.now()
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


def alerts_visible_to(*, actor: Actor) -> QuerySet[Alert]:
    if not actor.can(Capability.AUDIT_READ):
        raise ForbiddenError("Only operators and auditors see alerts.")
    return Alert.objects.select_related("organisation", "handled_by__user")


def alert_get(*, actor: Actor, public_id) -> Alert:
    try:
        return alerts_visible_to(actor=actor).get(public_id=public_id)
    except Alert.DoesNotExist:
        raise NotFoundError("No such alert.") from None


@transaction.atomic
def alert_handle(*, alert: Alert, status: AlertStatus, reason: str, actor: Actor) -> Alert:
    """Acknowledge (someone is on it) or resolve (done, with a reason) an alert."""
    if not actor.can(Capability.ALERT_HANDLE):
        raise ForbiddenError("Your role does not handle alerts.")
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.RESOLVED or alert.status == status:
        raise ConflictError(f"The alert is already {alert.status}.")
    alert.status, alert.handled_by, alert.handled_at, alert.resolution = (
        status,
        actor.member,
        timezone.now(),
        reason,
    )
    alert.save(update_fields=["status", "handled_by", "handled_at", "resolution"])
    tag = AuditTag.ALERT_RESOLVED if status == AlertStatus.RESOLVED else AuditTag.ALERT_ACKNOWLEDGED
    audit_record(
        actor=actor,
        tag=tag,
        target=alert,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"reason": reason},
    )
    return alert


# --- alarms on what the log records (connected when this module is imported: accounts/apps.py) ---


@receiver(event_recorded)
def _alert_restricted_without_order(sender, *, event: AuditEvent, **kwargs) -> None:
    """Restricted data may only be touched under a court order; anything else is an alarm at once."""
    if event.data_class != DataClass.RESTRICTED or event.legal_basis.startswith("court_order:"):
        return
    alert_raise(
        kind="restricted_without_order",
        organisation=event.organisation,
        severity="high",
        dedupe_key=f"restricted_without_order:{event.seq}",
        details={"seq": event.seq, "action": event.action, "legal_basis": event.legal_basis},
    )


@receiver(denied_recorded)
def _alert_on_denied_burst(sender, *, actor: Actor | None, **kwargs) -> None:
    """Many refusals for one organisation in a short while look like probing: tell the operators."""
    if actor is None:
        return
    since = timezone.now() - timedelta(minutes=10)
    denied = AuditEvent.objects.filter(
        organisation=actor.organisation, outcome=Outcome.DENIED, occurred_at__gte=since
    ).count()
    if denied >= settings.HUB_DENIED_BURST_THRESHOLD:
        hour = timezone.now().replace(minute=0, second=0, microsecond=0)
        alert_raise(
            kind="denied_burst",
            organisation=actor.organisation,
            dedupe_key=f"denied_burst:{actor.organisation.public_id}:{hour.isoformat()}",
            details={"denied_in_10_minutes": denied},
        )

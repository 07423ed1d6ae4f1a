"""Read, acknowledge and resolve alerts; each change audited in its transaction. Alerts are raised by
`accounts.audit.services.alert_raise`, beside the audit log that raises some of them."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.actors import Actor
from accounts.audit.models import Alert, AlertStatus, DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.roles import Capability
from hub.errors import ConflictError, ForbiddenError, NotFoundError


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

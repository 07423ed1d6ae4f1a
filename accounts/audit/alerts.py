"""Read, acknowledge and resolve alerts; each change audited in its transaction. Alerts are raised by
`accounts.audit.services.alert_raise`, beside the audit log that raises some of them."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.actors import Actor
from accounts.audit.models import Alert, AlertStatus, DataClass, LegalBasis
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.locks import lock_alert, lock_alert_open_by_key
from accounts.roles import Capability
from accounts.scoped import scoped_get
from hub.errors import ConflictError
from hub.wording import status_word


def alerts_visible_to(*, actor: Actor) -> QuerySet[Alert]:
    require(actor, Capability.AUDIT_READ, message=gettext("Only operators and auditors see alerts."))
    return Alert.objects.select_related("organisation", "handled_by__user")


def alert_get(*, actor: Actor, public_id, status: AlertStatus = AlertStatus.ACKNOWLEDGED) -> Alert:
    """A visible alert; a miss is audited under the handling it was looked up for (`status`)."""
    return scoped_get(
        actor=actor,
        queryset=alerts_visible_to(actor=actor),
        public_id=public_id,
        tag=_handled_tag(status),
        target_type="alert",
        noun=gettext_noop("alert"),
    )


def _handled_tag(status: AlertStatus) -> AuditTag:
    return AuditTag.ALERT_RESOLVED if status == AlertStatus.RESOLVED else AuditTag.ALERT_ACKNOWLEDGED


@transaction.atomic
def alert_handle(*, alert: Alert, status: AlertStatus, reason: str, actor: Actor) -> Alert:
    """Acknowledge (someone is on it) or resolve (done, with a reason) an alert."""
    require(actor, Capability.ALERT_HANDLE, message=gettext("Your role does not handle alerts."))
    alert = lock_alert(alert)
    if alert.status == AlertStatus.RESOLVED or alert.status == status:
        raise ConflictError(
            gettext("The alert is already %(status)s.") % {"status": status_word(AlertStatus, alert.status)}
        )
    alert.status, alert.handled_by, alert.handled_at, alert.resolution = (
        status,
        actor.member,
        timezone.now(),
        reason,
    )
    alert.save(update_fields=["status", "handled_by", "handled_at", "resolution"])
    audit_record(
        actor=actor,
        tag=_handled_tag(status),
        target=alert,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"reason": reason},
    )
    return alert


def alert_resolve_by_key(*, dedupe_key: str, reason: str) -> Alert | None:
    """The system resolves the open alert with this key, if any, because what it was about is over (in the
    caller's transaction, with its audit row); the reason is a fixed English phrase, never personal data."""
    alert = lock_alert_open_by_key(dedupe_key)
    if alert is None:
        return None
    alert.status, alert.handled_by, alert.handled_at, alert.resolution = (
        AlertStatus.RESOLVED,
        None,
        timezone.now(),
        reason,
    )
    alert.save(update_fields=["status", "handled_by", "handled_at", "resolution"])
    audit_record(
        actor=None,
        tag=AuditTag.ALERT_RESOLVED,
        target=alert,
        data_class=DataClass.ADMINISTRATIVE,
        legal_basis=LegalBasis.OPERATOR_DUTY,
        details={"reason": reason, "by": "system"},
    )
    return alert

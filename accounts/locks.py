"""Row locks on the accounts' own rows; sharing/locks.py documents the one global order.

`accounts` may not import `sharing`, so its rows are locked here; these rows come first in the
global order (an organisation before anything of the domain), so taking them first is always safe.
"""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.admission.models import ApplicationDocument, OrganisationApplication
from accounts.audit.models import Alert, AlertStatus
from accounts.invitations.models import Invitation
from accounts.mail.models import OutboundMail
from accounts.models import Organisation


def lock_organisation(organisation_id: int) -> Organisation:
    """The organisation's row: held while its own settings or quota-bearing work change."""
    return Organisation.objects.select_for_update().get(pk=organisation_id)


def lock_alert(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


def lock_alert_open_by_key(dedupe_key: str) -> Alert | None:
    """The open (not resolved) alert with this key, if any, to be resolved by the system."""
    return (
        Alert.objects.select_for_update()
        .exclude(status=AlertStatus.RESOLVED)
        .filter(dedupe_key=dedupe_key)
        .first()
    )


def lock_application_documents(queryset: QuerySet[ApplicationDocument]) -> QuerySet[ApplicationDocument]:
    """Verification documents being re-wrapped, in primary-key order (never two batches crosswise)."""
    return queryset.select_for_update().order_by("pk")


def lock_application(application: OrganisationApplication) -> OrganisationApplication:
    """An application while its documents or state change (the one-time secret is used once)."""
    return OrganisationApplication.objects.select_for_update().get(pk=application.pk)


def lock_invitation(invitation_id: int) -> Invitation:
    """An invitation being accepted: two tabs accepting one link at once make one member.

    After the organisation, never with an alert held (sharing/locks.py's order, 1b)."""
    return Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation_id)


def lock_outbound_mail(mail_id: int) -> OutboundMail | None:
    """A queued message while it is sent, unless it was sent or given up already (so it leaves once).

    Last in the global order (sharing/locks.py) and held alone: the send task takes nothing else."""
    return (
        OutboundMail.objects.select_for_update()
        .filter(pk=mail_id, sent_at__isnull=True, gave_up_at__isnull=True)
        .first()
    )

"""An organisation's notifications read and marked read: the inbox its members share.

Listing is disputes.notifications_of / notifications_page_audit (the API and the page share them);
marking read is here. A notification is the organisation's: another organisation's, or an id that
names nothing, is the same audited 404 (accounts/scoped.py).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.actors import Actor
from accounts.audit.models import DataClass
from accounts.audit.services import audit_record
from accounts.audit.tags import AuditTag
from accounts.capabilities import require
from accounts.roles import Capability
from accounts.scoped import scoped_get
from sharing.models import Notification


def notification_get(*, actor: Actor, public_id) -> Notification:
    """One notification of the actor's organisation, or the audited 404 of a probe."""
    require(actor, Capability.ORGANISATION_READ)
    return scoped_get(
        actor=actor,
        queryset=Notification.objects.filter(organisation=actor.organisation),
        public_id=public_id,
        tag=AuditTag.NOTIFICATION_MARKED_READ,
        target_type="notification",
        noun=gettext_noop("notification"),
    )


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor: Actor) -> Notification:
    """Mark one notification read for the organisation; marking it again changes nothing and writes nothing."""
    require(actor, Capability.ORGANISATION_READ)
    if notification.read_at is not None:
        return notification
    notification.read_at, notification.read_by = timezone.now(), actor.member
    notification.save(update_fields=["read_at", "read_by"])
    audit_record(
        actor=actor,
        tag=AuditTag.NOTIFICATION_MARKED_READ,
        target=notification,
        data_class=DataClass.ADMINISTRATIVE,
    )
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: Actor) -> int:
    """Mark every unread notification of the actor's organisation read; how many were."""
    require(actor, Capability.ORGANISATION_READ)
    marked = Notification.objects.filter(organisation=actor.organisation, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=actor.member
    )
    if marked:
        audit_record(
            actor=actor,
            tag=AuditTag.NOTIFICATIONS_ALL_MARKED_READ,
            data_class=DataClass.ADMINISTRATIVE,
            target_type="notification",
            details={"count": marked},
        )
    return marked


def notifications_unread_count(*, organisation_id: int) -> int:
    """How many of the organisation's notifications nobody has read: one COUNT on an index, for the header.

    Not audited: a number on every page, saying nothing of any notification's content (the list
    that shows them is audited)."""
    return Notification.objects.filter(organisation_id=organisation_id, read_at__isnull=True).count()

"""Mail to an applicant's contact: an outbox row written with the decision, sent by a task after commit.

Links are built from HUB_PUBLIC_URL only, never the request's Host (a client can forge it). The
contact's address is personal data: log lines name the application, never the address.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from accounts.admission.models import ApplicantMail, OrganisationApplication
from accounts.locks import lock_applicant_mail
from hub.tasks_enqueue import enqueue_after_commit, task_named

logger = logging.getLogger(__name__)

SEND_TASK = "accounts.tasks.applicant_mail_send_task"


def public_link(path: str) -> str:
    """An absolute link into the hub, from its configured public address."""
    return f"{settings.HUB_PUBLIC_URL}{path}"


def applicant_tell(*, application: OrganisationApplication, subject: str, body: str) -> ApplicantMail:
    """Queue a message to the application's contact; it leaves only if the caller's transaction commits."""
    mail = ApplicantMail.objects.create(application=application, subject=f"[Hub] {subject}", body=body)
    enqueue_after_commit(task_named(SEND_TASK), [mail.pk])
    return mail


@transaction.atomic
def applicant_mail_send(*, mail_id: int) -> bool:
    """Send one queued message (once: a sent one is skipped) and forget its body; True when sent now."""
    mail = lock_applicant_mail(mail_id)
    if mail is None:
        return False
    try:
        send_mail(mail.subject, mail.body, None, [mail.application.contact_email])
    except OSError as exc:  # SMTP refused or unreachable: the row stays queued for a later run
        logger.warning(
            "mail %s about application %s not sent (%s)",
            mail.pk,
            mail.application.public_id,
            type(exc).__name__,
        )
        return False
    mail.sent_at, mail.body = timezone.now(), ""
    mail.save(update_fields=["sent_at", "body"])
    return True

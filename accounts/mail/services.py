"""The one way the hub sends mail: `mail_queue` writes an outbox row in the caller's transaction and
sends it by a task after commit; `mail_send` sends a row once; `mail_sweep` retries with backoff.

A rolled-back transaction sends nothing (its row and its task go with it). An SMTP outage never fails
the request that queued the mail: the row stays queued, the sweep (beat schedule, hub/celery.py)
retries it with exponential backoff, and after HUB_MAIL_MAX_ATTEMPTS tries raises an operator alert.
Log lines and alerts name the row by id and what it is about, never the address or the body; task
arguments are row ids.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone

from accounts.audit.services import alert_raise
from accounts.locks import lock_outbound_mail
from accounts.mail.models import OutboundMail
from hub.tasks_enqueue import enqueue_after_commit, enqueue_now, task_named

logger = logging.getLogger(__name__)

SEND_TASK = "accounts.tasks.mail_send_task"
# What a failed send raises: the server refused or could not be reached (SMTPException is an OSError),
# or the message could not be encoded (ValueError): counted as an attempt, so it is given up in the end.
SEND_ERRORS = (OSError, SMTPException, ValueError)


def mail_queue(*, to: str, subject: str, body: str, about: models.Model | None = None) -> OutboundMail:
    """Queue a message; it leaves only if the caller's transaction commits (at once outside one).

    `about` (a model instance with a `public_id`) names what the message concerns in logs and alerts."""
    about_type, about_id = _about(about)
    subject = " ".join(subject.split())[:200]  # one line: a header may not hold a line break
    mail = OutboundMail.objects.create(
        to=to, subject=subject, body=body, about_type=about_type, about_id=about_id
    )
    enqueue_after_commit(task_named(SEND_TASK), [mail.pk])
    return mail


def _about(about: models.Model | None) -> tuple[str, str]:
    if about is None:
        return "", ""
    return about._meta.model_name or "", str(getattr(about, "public_id", about.pk))


@transaction.atomic
def mail_send(mail_id: int) -> bool:
    """Send one queued message (a sent or given-up one is skipped, so it leaves once) and forget its
    body; True when sent now. A refused or unreachable server leaves it queued for the sweep."""
    mail = lock_outbound_mail(mail_id)
    if mail is None:
        return False
    now = timezone.now()
    mail.attempts, mail.last_attempt_at = mail.attempts + 1, now
    try:
        send_mail(mail.subject, mail.body, None, [mail.to])
    except SEND_ERRORS as exc:
        mail.last_error_kind = type(exc).__name__
        mail.save(update_fields=["attempts", "last_attempt_at", "last_error_kind"])
        logger.warning(
            "mail %s about %s not sent, attempt %d (%s)",
            mail.pk,
            mail.about_label,
            mail.attempts,
            mail.last_error_kind,
        )
        return False
    mail.sent_at, mail.body, mail.last_error_kind = now, "", ""
    mail.save(update_fields=["attempts", "last_attempt_at", "sent_at", "body", "last_error_kind"])
    return True


def retry_due_at(mail: OutboundMail) -> datetime:
    """When a queued message is tried again: after a grace for its first send task, then with a wait
    doubling after each failure (HUB_MAIL_RETRY_BASE_SECONDS, 2x, 4x, ...)."""
    base = settings.HUB_MAIL_RETRY_BASE_SECONDS
    if mail.last_attempt_at is None:
        return mail.created_at + timedelta(seconds=base)
    return mail.last_attempt_at + timedelta(seconds=base * 2 ** (mail.attempts - 1))


def mail_sweep(*, now: datetime | None = None) -> int:
    """Send again the queued messages whose wait is over; give up (with an alert) on those tried
    HUB_MAIL_MAX_ATTEMPTS times. Returns how many sends it started."""
    now = now or timezone.now()
    queued = list(
        OutboundMail.objects.filter(sent_at__isnull=True, gave_up_at__isnull=True)
        .defer("body")
        .order_by("created_at", "pk")[: settings.HUB_MAIL_SWEEP_BATCH]
    )
    hopeless = [m for m in queued if m.attempts >= settings.HUB_MAIL_MAX_ATTEMPTS]
    for mail in hopeless:
        mail_give_up(mail=mail, now=now)
    due = [m.pk for m in queued if m not in hopeless and retry_due_at(m) <= now]
    return enqueue_now(task_named(SEND_TASK), due) if due else 0


@transaction.atomic
def mail_give_up(*, mail: OutboundMail, now: datetime) -> bool:
    """Stop retrying a message, forget its body and tell the operators; True if this call gave up."""
    # The alert first: alerts come before mail rows in the lock order (sharing/locks.py).
    alert_raise(
        kind="mail_undeliverable",
        organisation=None,
        dedupe_key=f"mail_undeliverable:{mail.pk}",
        details={
            "mail": mail.pk,
            "about": mail.about_label,
            "attempts": mail.attempts,
            "error": mail.last_error_kind,
        },
    )
    given_up = OutboundMail.objects.filter(pk=mail.pk, sent_at__isnull=True, gave_up_at__isnull=True).update(
        gave_up_at=now, body=""
    )
    if not given_up:  # sent, or given up by another sweep, meanwhile: no alert after all
        transaction.set_rollback(True)
        return False
    logger.error("mail %s about %s given up after %d attempts", mail.pk, mail.about_label, mail.attempts)
    return True

"""Celery tasks of the outbox: ids in, a service call, idempotent. Their names stay "accounts.tasks.*"
(the beat schedule and messages already queued name tasks by these strings)."""

from celery import shared_task

from accounts.mail.services import mail_send, mail_sweep


@shared_task(name="accounts.tasks.mail_send_task")
def mail_send_task(mail_id: int) -> bool:
    """Send one queued message, once (a sent one is skipped)."""
    return mail_send(mail_id)


@shared_task(name="accounts.tasks.mail_sweep_task")
def mail_sweep_task() -> int:
    """Retry queued messages whose backoff is over; give up with an operator alert after too many tries."""
    return mail_sweep()
